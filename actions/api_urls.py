from django.urls import path

from . import api

app_name = "actions_api"

# Mounted at /api/v1/, outside the language prefixes: the API speaks one language.
urlpatterns = [
    path("actions/", api.action_list, name="action_list"),
    path("actions/<str:slug>/", api.action_detail, name="action_detail"),
    path("openapi.json", api.openapi, name="openapi"),
]
