from django.urls import path

from . import reply_views

app_name = "replies"

# Mounted inside i18n_patterns (English at /, Spanish under /es/), above Wagtail's pages.
urlpatterns = [
    path("replies/question/<str:token>/", reply_views.question, name="question"),
    path("replies/question/<str:token>/upload/", reply_views.upload, name="upload"),
    path("replies/question/<str:token>/follow-up/", reply_views.follow_up, name="follow_up"),
    path("replies/officials/", reply_views.responsiveness_page, name="responsiveness"),
]
