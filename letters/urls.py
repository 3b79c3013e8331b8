from django.urls import path

from . import views

app_name = "letters"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("letter/<str:slug>/write/", views.write, name="write"),
    path("letter/<str:slug>/check-your-email/", views.check_email, name="check_email"),
    path("letter/<str:slug>/thank-you/", views.thanks, name="thanks"),
    path("letter/confirm/<str:token>/", views.confirm, name="confirm"),
]
