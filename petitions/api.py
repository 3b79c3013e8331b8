"""The public JSON API: cases with their counts, and the signing page's session data."""

from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from campaigns.models import UrgentAction
from campaigns.pages import case_url
from campaigns.public import public_case

from . import abuse, counts

# Counts are cached for about two seconds on the server; a few seconds more in shared
# caches is invisible to people and spares the web nodes during a peak.
API_MAX_AGE = 5


def _public_actions():
    return UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT).select_related("petition")


def _action_json(action: UrgentAction, online: int) -> dict:
    return {
        "number": action.number,
        "slug": action.slug,
        "title": action.title,
        "status": action.status,
        "deadline": action.deadline.isoformat(),
        "url": case_url(action) or None,
        "counts": counts.counts_for(action, online=online).as_dict(),
    }


def _not_found(slug: str) -> JsonResponse:
    return JsonResponse(
        {"error": "not_found", "detail": _("There is no case with number %s.") % slug},
        status=404,
    )


@require_GET
@cache_control(public=True, max_age=API_MAX_AGE)
def action_list(request: HttpRequest) -> JsonResponse:
    actions = list(_public_actions().in_listing_order())
    online = counts.confirmed_counts([a.pk for a in actions])
    return JsonResponse({"actions": [_action_json(a, online[a.pk]) for a in actions]})


@require_GET
@cache_control(public=True, max_age=API_MAX_AGE)
def action_detail(request: HttpRequest, slug: str) -> JsonResponse:
    action = public_case(slug, select_related=("petition",))
    if action is None:
        return _not_found(slug)
    return JsonResponse(_action_json(action, counts.confirmed_count(action.pk)))


@require_GET
@never_cache
def session(request: HttpRequest, slug: str) -> JsonResponse:
    """What a visitor's copy of the (shared, cacheable) case page needs: a CSRF token, the
    form's signed start time and the live count.

    The case page is the same HTML for everyone so a CDN or page cache can serve it; the
    only per-visitor state of the signing form, its CSRF token, comes from here (this also
    sets the CSRF cookie), fetched by a few lines of script.
    """
    action = public_case(slug, select_related=("petition",))
    if action is None:
        return _not_found(slug)
    return JsonResponse(
        {
            "csrf": get_token(request),
            # When this visitor's copy of the form was issued (the minimum fill time).
            "started": abuse.form_started_token(),
            "is_open": action.is_open,
            "counts": counts.counts_for(action).as_dict(),
        }
    )


@require_GET
@never_cache
def challenge(request: HttpRequest, slug: str) -> JsonResponse:
    """A fresh proof-of-work challenge (ALTCHA's JSON format) for the signing form."""
    if public_case(slug) is None:
        return _not_found(slug)
    return JsonResponse(abuse.create_challenge())


def _counts_schema() -> dict:
    return {
        "type": "object",
        "required": ["online", "paper", "total", "goal"],
        "properties": {
            "online": {"type": "integer", "description": "Confirmed online signatures."},
            "paper": {"type": "integer", "description": "Paper signatures recorded."},
            "total": {"type": "integer"},
            "goal": {"type": ["integer", "null"]},
        },
    }


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Pluma public API",
        "version": "1.0.0",
        "description": "Urgent Action cases and their signature counts. Read-only, no key.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/actions/": {
            "get": {
                "summary": "Open and closed cases, open first by nearest deadline",
                "operationId": "listActions",
                "responses": {
                    "200": {
                        "description": "The cases",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "actions": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Action"},
                                        }
                                    },
                                }
                            }
                        },
                    }
                },
            }
        },
        "/actions/{number}/": {
            "get": {
                "summary": "One case",
                "operationId": "getAction",
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "description": "The UA number with - for /, e.g. 58-20",
                        "schema": {"type": "string", "pattern": "^[0-9]+-[0-9]{2}$"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The case",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Action"}}
                        },
                    },
                    "404": {
                        "description": "No public case has this number",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Action": {
                "type": "object",
                "required": ["number", "slug", "title", "status", "deadline", "url", "counts"],
                "properties": {
                    "number": {"type": "string", "examples": ["58/20"]},
                    "slug": {"type": "string", "examples": ["58-20"]},
                    "title": {"type": "string"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "deadline": {"type": "string", "format": "date"},
                    "url": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "The case page in the site's default language",
                    },
                    "counts": _counts_schema(),
                },
            },
            "Error": {
                "type": "object",
                "required": ["error", "detail"],
                "properties": {"error": {"type": "string"}, "detail": {"type": "string"}},
            },
        }
    },
}


@require_GET
@cache_control(public=True, max_age=3600)
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(OPENAPI)
