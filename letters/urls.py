from django.urls import path

from campaigns.views import confirm

from . import views

app_name = "letters"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
# The writing form is actions.views.write_letter (it may sign the petition too).
urlpatterns = [
    path("letter/<str:slug>/check-your-email/", views.check_email, name="check_email"),
    path("letter/<str:slug>/thank-you/", views.thanks, name="thanks"),
    path("letter/confirm/<str:token>/", confirm, {"kind": "letters"}, name="confirm"),
]
