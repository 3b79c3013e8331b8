from django.urls import path

from . import views

app_name = "replies"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("replies/question/<str:token>/", views.question, name="question"),
    path("replies/question/<str:token>/upload/", views.upload, name="upload"),
    path("replies/question/<str:token>/follow-up/", views.follow_up, name="follow_up"),
    path("replies/officials/", views.responsiveness_page, name="responsiveness"),
]
