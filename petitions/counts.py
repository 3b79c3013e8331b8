"""Exact signature counts that cost the same to read with ten or a million signatures.

Confirming a signature adds one to a random shard of its case in the same transaction
that confirms it, so the shards can never disagree with the table, even after a crash.
Reading sums the case's shards and keeps the result in the cache for a second or two
(and each web process its own copy for a second more): this is what the case page, the
index and the API show.
"""

import dataclasses
import secrets

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Count, F, Sum

from campaigns.models import UrgentAction

from .models import (
    PaperSignature,
    PaperTally,
    Petition,
    ReportedAction,
    Signature,
    SignatureCountShard,
)

SHARDS = 16


def _cache_seconds() -> float:
    return getattr(settings, "PLUMA_COUNT_CACHE_SECONDS", 2)


def _cache_key(action_id: int) -> str:
    return f"petitions:confirmed:{action_id}"


@dataclasses.dataclass(frozen=True)
class Counts:
    online: int
    paper: int
    goal: int | None

    @property
    def total(self) -> int:
        return self.online + self.paper

    @property
    def percent(self) -> int:
        """Progress towards the goal, 0–100, for the progress bar."""
        if not self.goal:
            return 0
        return min(100, self.total * 100 // self.goal)

    def as_dict(self) -> dict:
        return {"online": self.online, "paper": self.paper, "total": self.total, "goal": self.goal}


def _ensure_shards(action_id: int) -> None:
    SignatureCountShard.objects.bulk_create(
        [SignatureCountShard(action_id=action_id, shard=i) for i in range(SHARDS)],
        ignore_conflicts=True,
    )


def add_confirmed(*, action_id: int, by: int = 1) -> None:
    """Add to the confirmed count. Call inside the transaction that confirms the signatures."""
    shard = secrets.randbelow(SHARDS)
    rows = SignatureCountShard.objects.filter(action_id=action_id, shard=shard)
    if not rows.update(confirmed=F("confirmed") + by):
        # The first confirmation of a case creates its shards; concurrent creators meet
        # on the unique constraint and ignore each other.
        _ensure_shards(action_id)
        rows.update(confirmed=F("confirmed") + by)


def confirmed_count(action_id: int) -> int:
    """The confirmed, unflagged signatures of a case, at most a couple of seconds old."""
    key = _cache_key(action_id)
    value = cache.get(key)
    if value is None:
        value = (
            SignatureCountShard.objects.filter(action_id=action_id).aggregate(n=Sum("confirmed"))[
                "n"
            ]
            or 0
        )
        cache.set(key, value, _cache_seconds())
    return value


def confirmed_counts(action_ids: list[int]) -> dict[int, int]:
    """confirmed_count for many cases, with one query for those not in the cache."""
    keys = {_cache_key(pk): pk for pk in action_ids}
    cached = cache.get_many(list(keys))
    result = {keys[key]: value for key, value in cached.items()}
    missing = [pk for pk in action_ids if pk not in result]
    if missing:
        sums = dict(
            SignatureCountShard.objects.filter(action_id__in=missing)
            .values_list("action_id")
            .annotate(n=Sum("confirmed"))
            .values_list("action_id", "n")
        )
        fresh = {pk: sums.get(pk) or 0 for pk in missing}
        cache.set_many({_cache_key(pk): n for pk, n in fresh.items()}, _cache_seconds())
        result.update(fresh)
    return result


# Paper counts change only when organizers record some, and every such write forgets
# the cached value, so it can stay in the cache for long.
PAPER_CACHE_SECONDS = 3600


def _paper_key(action_id: int) -> str:
    return f"petitions:paper:{action_id}"


def paper_count(action_id: int) -> int:
    """Paper signatures recorded by organizers: tallies plus named paper signatures.

    Two small aggregates (a case has a handful of tallies; the named ones are counted on
    an index), computed only after a paper write forgot the cached value.
    """
    key = _paper_key(action_id)
    value = cache.get(key)
    if value is None:
        tallied = PaperTally.objects.filter(action_id=action_id).aggregate(n=Sum("count"))["n"]
        named = PaperSignature.objects.filter(action_id=action_id).count()
        value = (tallied or 0) + named
        cache.set(key, value, PAPER_CACHE_SECONDS)
    return value


def forget_paper(action_id: int) -> None:
    cache.delete(_paper_key(action_id))
    caches["local"].delete(_local_key(action_id))


def _goal(action: UrgentAction) -> int | None:
    try:
        return action.petition.goal
    except Petition.DoesNotExist:
        return None


# The signing form's session endpoint asks for a case's counts with every visitor. Each
# process keeps the pair it last read for up to this long, so a peak costs no round trip
# per visitor; the shared values it copies are themselves a second or two old.
LOCAL_SECONDS = 1


def _local_key(action_id: int) -> str:
    return f"petitions:counts:{action_id}"


def _online_and_paper(action_id: int) -> tuple[int, int]:
    seconds = min(LOCAL_SECONDS, _cache_seconds())
    local = caches["local"]
    pair = local.get(_local_key(action_id)) if seconds else None
    if pair is None:
        # Both shared values in one round trip.
        cached = cache.get_many([_cache_key(action_id), _paper_key(action_id)])
        online = cached.get(_cache_key(action_id))
        if online is None:
            online = confirmed_count(action_id)
        paper = cached.get(_paper_key(action_id))
        if paper is None:
            paper = paper_count(action_id)
        pair = (online, paper)
        if seconds:
            local.set(_local_key(action_id), pair, seconds)
    return pair


def counts_for(action: UrgentAction, *, online: int | None = None) -> Counts:
    if online is None:
        online, paper = _online_and_paper(action.pk)
    else:
        paper = paper_count(action.pk)
    return Counts(online=online, paper=paper, goal=_goal(action))


def forget(action_id: int) -> None:
    cache.delete(_cache_key(action_id))
    caches["local"].delete(_local_key(action_id))


def reconcile(*, action_id: int) -> tuple[int, int]:
    """Recompute a case's shards from the signatures table; returns (before, after).

    The shard rows are locked first, so a confirmation in flight either committed before
    the recount (and is in it) or waits and adds itself on top of it.
    """
    _ensure_shards(action_id)
    with transaction.atomic():
        shards = list(
            SignatureCountShard.objects.select_for_update()
            .filter(action_id=action_id)
            .order_by("shard")
        )
        before = sum(s.confirmed for s in shards)
        after = Signature.objects.filter(
            action_id=action_id, status=Signature.Status.CONFIRMED, is_flagged=False
        ).count()
        SignatureCountShard.objects.filter(action_id=action_id).update(confirmed=0)
        SignatureCountShard.objects.filter(action_id=action_id, shard=0).update(confirmed=after)
    forget(action_id)
    return before, after


# Reported offline actions grow slowly, and a minute's delay is invisible on a page read
# thousands of times a second; reporting one forgets the case's value, so the reporter
# sees it counted.
REPORTED_CACHE_SECONDS = 60


def _reported_key(action_id: int) -> str:
    return f"petitions:reported:{action_id}"


def reported_counts(action_id: int) -> dict[str, int]:
    """Offline actions reported on the case, by kind: one grouped count on an index."""
    key = _reported_key(action_id)
    value = cache.get(key)
    if value is None:
        value = dict(
            ReportedAction.objects.filter(action_id=action_id)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .values_list("kind", "n")
        )
        cache.set(key, value, REPORTED_CACHE_SECONDS)
    return value


def forget_reported(action_id: int) -> None:
    cache.delete(_reported_key(action_id))
