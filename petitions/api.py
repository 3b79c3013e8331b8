"""The signing form's JSON: a visitor's start time and the live count, and the
proof-of-work challenge.

The public case API (lists, counts, the OpenAPI file) is actions' (actions/api.py); these
two are the signing form's own, at /api/v1/actions/<slug>/session/ and …/challenge/.
"""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from campaigns import defences
from campaigns.http import allow
from campaigns.public import public_case

from . import counts


def not_found(slug: str) -> JsonResponse:
    return JsonResponse(
        {"error": "not_found", "detail": _("There is no case with number %s.") % slug},
        status=404,
    )


@allow("GET")
@never_cache
def session(request: HttpRequest, slug: str) -> JsonResponse:
    """What a visitor's copy of the (shared, cacheable) case page may refresh by script:
    the form's signed start time, as of now rather than of the page's rendering, and the
    live count. Nothing here is needed to sign: the page works without it."""
    action = public_case(slug, select_related=("petition",))
    if action is None:
        return not_found(slug)
    return JsonResponse(
        {
            # When this visitor's copy of the form was issued (the minimum fill time).
            "started": defences.form_started_token(),
            "is_open": action.is_open,
            "counts": counts.counts_for(action).as_dict(),
        }
    )


@allow("GET")
@never_cache
def challenge(request: HttpRequest, slug: str) -> JsonResponse:
    """A fresh proof-of-work challenge (ALTCHA's JSON format) for the signing form."""
    if public_case(slug) is None:
        return not_found(slug)
    return JsonResponse(defences.create_challenge())
