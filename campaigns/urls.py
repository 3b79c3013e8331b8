from django.urls import path

from . import views

app_name = "campaigns"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", views.subscribe_sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>/", views.confirm_subscription, name="confirm_subscription"),
    path("subscription/<str:token>/", views.manage, name="manage"),
    path(
        "subscription/<str:token>/unsubscribe/",
        views.subscription_unsubscribe,
        name="subscription_unsubscribe",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/open/<str:token>/", views.open_my_data, name="open_my_data"),
    path("my-data/view/", views.my_data_view, name="my_data_view"),
    path("my-data/download/", views.my_data_download, name="my_data_download"),
    path("my-data/consents/<int:consent_id>/withdraw/", views.withdraw, name="withdraw"),
    path("my-data/erase/", views.erase, name="erase"),
]
