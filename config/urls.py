from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.webhooks import webhook_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    # The configured ESP's tracking and inbound webhooks, and no other ESP's (basic auth
    # with ANYMAIL_WEBHOOK_SECRET; config/webhooks.py).
    path("webhooks/anymail/", include((webhook_urls(settings.ANYMAIL_ESP), "anymail"))),
    path("api/v1/", include("petitions.api_urls")),
    path("api/v1/", include("actions.api_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages last: Wagtail serves every path the routes above did not claim. English lives at
# the root and Spanish under /es/.
urlpatterns += i18n_patterns(
    # Signing first: during a peak nearly every request that gets this far is one.
    path("", include("petitions.urls")),
    path("", include("handovers.urls")),
    path("", include("campaigns.urls")),
    path("", include("letters.urls")),
    path("", include("actions.urls")),
    path("", include("replies.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
