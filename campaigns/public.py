"""Public cases by their URL number, as the busiest pages read them.

The signing form and its session endpoint look a case up on every request, thousands of
times a minute during a peak, for a row that changes a few times in its life. Each web
process keeps its own copy for PLUMA_PUBLIC_CASE_SECONDS (two by default) in the "local"
cache, so a peak costs PostgreSQL nothing for the lookup.

A copy may be that many seconds old in another process after an editor changes the case.
That is harmless by construction: nothing is decided on the copy alone. Signing checks in
the statement that writes the signature that the case is still open (petitions/services/records.py),
and pages that show a case's status read it live. Saves in this process forget at once.
"""

import re

from django.conf import settings
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404

from .models import UrgentAction
from .signals import action_changed


def _seconds() -> float:
    return settings.PLUMA_PUBLIC_CASE_SECONDS


def _key(number: str, related: tuple[str, ...]) -> str:
    return f"campaigns:public-case:{number}:{','.join(related)}"


# A case number in a URL: sequence-year, as campaigns.models.cases.ua_number_validator
# has it with a slash (58/20 is 58-20).
SLUG_RE = re.compile(r"[1-9][0-9]{0,3}-[0-9]{2}")


def number_of(slug: str) -> str | None:
    """The case number a URL slug stands for (58-20 is UA 58/20), or None when the slug
    cannot be one. Anything else names no case and never reaches the database, where a
    NUL byte or an over-long string is an error rather than "not found"."""
    return slug.replace("-", "/") if SLUG_RE.fullmatch(slug) else None


def public_case(slug: str, *, select_related: tuple[str, ...] = ()) -> UrgentAction | None:
    """The public (non-draft) case with this URL number, or None. Treat it as read-only:
    the same copy serves every request of this process for a second or two."""
    number = number_of(slug)
    if number is None:
        return None
    local = caches["local"]
    key = _key(number, select_related)
    action: UrgentAction | None = local.get(key)
    if action is None:
        action = (
            UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT)
            .select_related(*select_related)
            .filter(number=number)
            .first()
        )
        if action is None:
            return None
        local.set(key, action, _seconds())
    return action


def public_case_or_404(slug: str, *, select_related: tuple[str, ...] = ()) -> UrgentAction:
    action = public_case(slug, select_related=select_related)
    if action is None:
        raise Http404("No such case.")
    return action


def forget_public_cases() -> None:
    """Drop this process's copies (other processes' expire within the TTL)."""
    caches["local"].clear()


@receiver(action_changed, dispatch_uid="campaigns.public.action_changed")
@receiver(post_save, sender=UrgentAction, dispatch_uid="campaigns.public.saved")
@receiver(post_delete, sender=UrgentAction, dispatch_uid="campaigns.public.deleted")
def _forget_on_change(**kwargs: object) -> None:
    forget_public_cases()
