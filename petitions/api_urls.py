from django.urls import path

from . import api

app_name = "petitions_api"

# Mounted at /api/v1/, outside the language prefixes: the API speaks one language. The
# rest of the public API is actions' (actions/api_urls.py).
urlpatterns = [
    path("actions/<str:slug>/session/", api.session, name="session"),
    path("actions/<str:slug>/challenge/", api.challenge, name="challenge"),
]
