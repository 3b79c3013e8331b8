"""The public JSON API of cases: the list, one case with its counts, and the OpenAPI file.

Read-only and without a key; cacheable for a few seconds, as counts are. The signing
form's own endpoints (session, challenge) are petitions' (petitions/api.py), and the
OpenAPI file here describes them too.
"""

from collections.abc import Callable
from typing import TypedDict, cast

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control

from campaigns.http import allow
from campaigns.models import UrgentAction
from campaigns.pages import case_url
from campaigns.public import public_case
from campaigns.replica import replica_alias
from petitions import counts
from petitions.api import not_found

from .openapi import OPENAPI

# Counts are cached for about two seconds on the server; a few seconds more in shared
# caches is invisible to people and spares the web nodes during a peak.
API_MAX_AGE = 5


class ActionJson(TypedDict):
    """A case as the API shows it."""

    number: str
    slug: str
    title: str
    status: str
    deadline: str
    url: str | None
    counts: dict[str, int | None]


def _public_actions() -> list[UrgentAction]:
    """The public cases, in the order the site lists them (open data: from the replica
    when there is one)."""
    public = (
        UrgentAction.objects.using(replica_alias())
        .exclude(status=UrgentAction.Status.DRAFT)
        .select_related("petition")
    )
    # cast: campaigns' UrgentActionQuerySet.in_listing_order() is not annotated, and a
    # strict module may not call an untyped function; it returns the queryset, ordered.
    in_listing_order = cast("Callable[[], QuerySet[UrgentAction]]", public.in_listing_order)
    return list(in_listing_order())


def _action_json(action: UrgentAction, online: int) -> ActionJson:
    return {
        "number": action.number,
        "slug": action.slug,
        "title": action.title,
        "status": action.status,
        "deadline": action.deadline.isoformat(),
        "url": case_url(action) or None,
        "counts": counts.counts_for(action, online=online).as_dict(),
    }


@allow("GET")
@cache_control(public=True, max_age=API_MAX_AGE)
def action_list(request: HttpRequest) -> JsonResponse:
    actions = _public_actions()
    online = counts.confirmed_counts([a.pk for a in actions])
    return JsonResponse({"actions": [_action_json(a, online[a.pk]) for a in actions]})


@allow("GET")
@cache_control(public=True, max_age=API_MAX_AGE)
def action_detail(request: HttpRequest, slug: str) -> JsonResponse:
    action = public_case(slug, select_related=("petition",))
    if action is None:
        return not_found(slug)
    return JsonResponse(_action_json(action, counts.confirmed_count(action.pk)))


@allow("GET")
@cache_control(public=True, max_age=3600)
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(OPENAPI)
