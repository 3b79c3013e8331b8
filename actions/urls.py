from django.urls import path

from . import views

app_name = "actions"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("letter/<str:slug>/write/", views.write_letter, name="write_letter"),
]
