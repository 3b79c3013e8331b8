"""One impact number per case: confirmed signatures + letters delivered + paper + reported.

Each part counts a different kind of act, and each act once: a signature is counted when
confirmed and not flagged (the shards of petitions/counts.py); a letter once per official it
reached (a Delivery in `delivered`), unless an organizer invalidated its source; paper signatures as organizers recorded them; an
offline action once per person, case and kind (a unique constraint).

Reading it must not scan a case's signatures on a page view. Signatures come from the
shards (N rows, cached 2 s); paper from its own cached count. Letters delivered and
reported actions are grouped counts on indexes (deliveries by letter of the case; reported
actions by (case, kind)), each cached about a minute by the app that owns it (petitions
forgets its count when an action is reported, so the reporter sees it counted): they grow
slowly and a minute's delay is invisible, while a case page may be read thousands of
times a second. Letters delivered are counted on the replica when there is one.
"""

import dataclasses
from typing import TYPE_CHECKING

from django.core.cache import cache

from campaigns.models import UrgentAction
from campaigns.replica import replica_alias
from letters.models import Delivery
from petitions import counts
from petitions.models import ReportedAction

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

IMPACT_CACHE_SECONDS = 60


@dataclasses.dataclass(frozen=True)
class Impact:
    signatures: int
    paper: int
    letters_delivered: int
    reported: dict[str, int]

    @property
    def reported_total(self) -> int:
        return sum(self.reported.values())

    @property
    def total(self) -> int:
        return self.signatures + self.paper + self.letters_delivered + self.reported_total

    def reported_breakdown(self) -> "list[tuple[str, StrPromise, int]]":
        """(kind, label, count) for every kind, zeros included, in the form's order."""
        return [
            (kind, label, self.reported.get(kind, 0)) for kind, label in ReportedAction.Kind.choices
        ]


def _key(action_id: int) -> str:
    return f"actions:letters-delivered:{action_id}"


def letters_delivered(action_id: int) -> int:
    """Letters that reached an official on the case, once per official; cached a minute."""
    value: int | None = cache.get(_key(action_id))
    if value is None:
        value = (
            Delivery.objects.using(replica_alias())
            .filter(
                letter__case_id=action_id,
                status=Delivery.Status.DELIVERED,
                # An organizer invalidated its source (actions.services.sources).
                letter__invalidation__isnull=True,
            )
            .count()
        )
        cache.set(_key(action_id), value, IMPACT_CACHE_SECONDS)
    return value


def forget(action_id: int) -> None:
    """After an invalidation or its reversal: the letters delivered are counted afresh."""
    cache.delete(_key(action_id))


def impact_for(action: UrgentAction) -> Impact:
    """The case's impact, at most about a minute old, in at most four small queries."""
    return Impact(
        signatures=counts.confirmed_count(action.pk),
        paper=counts.paper_count(action.pk),
        letters_delivered=letters_delivered(action.pk),
        reported=counts.reported_counts(action.pk),
    )
