from django.urls import path

from . import api

app_name = "petitions_api"

# Mounted at /api/v1/, outside the language prefixes: the API speaks one language.
urlpatterns = [
    path("actions/", api.action_list, name="action_list"),
    path("actions/<str:slug>/", api.action_detail, name="action_detail"),
    path("actions/<str:slug>/session/", api.session, name="session"),
    path("actions/<str:slug>/challenge/", api.challenge, name="challenge"),
    path("openapi.json", api.openapi, name="openapi"),
]
