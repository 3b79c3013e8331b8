from django.urls import path

from . import views

app_name = "handovers"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("verify/", views.verify, name="verify"),
]
