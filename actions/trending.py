"""Where a case's sign-ups and letters came from lately: counts per source in a window, the
sources over the threshold, and what an invalidation would match.

A source is the network a sign-up or a letter was posted from (an IPv4 /24, an IPv6 /64)
or the domain of the supporter's email (campaigns.models.sources). Only what counts is
counted: signatures not flagged (neither by the defences nor by an invalidation), letters
neither invalidated nor cancelled; pending ones too, since a burst shows before anyone
confirms.

Every query here reads a window of a case's rows on an index that starts with the case
and the time (signatures by (action, signed_at), letters by (case, created_at)): its cost
follows the window's rows, never the case's size. The periodic check asks for every case
that could have taken a sign-up in the window at once (``action_id = ANY(…)`` on the
same index).

Webmail domains (PLUMA_TRENDING_SHARED_DOMAINS) are used by unrelated people, so on a busy
case gmail.com passes any count threshold on its own. They trend only when they also make
PLUMA_TRENDING_SHARED_PERCENT of the window's sign-ups (or letters): when one domain
crowds out everyone else, which is what a script does, while the network rule still
catches a script that uses webmail addresses from a few machines.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection, Iterable

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from campaigns.models import Invalidation, SourceKind, UrgentAction
from letters.models import Letter
from letters.services.invalidation import WENT_OUT
from petitions.models import Signature

# Sources of each kind shown on the organizers' page.
TOP = 15


def window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PLUMA_TRENDING_WINDOW_MINUTES)


def threshold() -> int:
    return int(settings.PLUMA_TRENDING_THRESHOLD)


def shared_domains() -> frozenset[str]:
    return frozenset(domain.lower() for domain in settings.PLUMA_TRENDING_SHARED_DOMAINS)


@dataclasses.dataclass
class SourceCount:
    """A source's sign-ups and letters on one case in the window, and what makes it trend."""

    action_id: int
    kind: SourceKind
    source: str
    signatures: int = 0
    letters: int = 0
    # A webmail domain: it trends only past the share (see the module's docstring).
    is_shared: bool = False
    # Its share (percent) of the window's sign-ups and of its letters.
    signature_share: int = 0
    letter_share: int = 0
    is_trending: bool = False


def recent_signatures(action_ids: Collection[int], since: datetime.datetime) -> QuerySet[Signature]:
    return Signature.objects.filter(
        action_id__in=action_ids, signed_at__gte=since, is_flagged=False
    )


def recent_letters(action_ids: Collection[int], since: datetime.datetime) -> QuerySet[Letter]:
    return Letter.objects.filter(
        case_id__in=action_ids, created_at__gte=since, invalidation__isnull=True
    ).exclude(status=Letter.Status.CANCELLED)


def _by_source(
    rows: QuerySet[Signature] | QuerySet[Letter],
    *,
    case: str,
    kind: SourceKind,
    at_least: int = 1,
    among: Iterable[str] | None = None,
    top: int | None = None,
) -> dict[tuple[int, str], int]:
    """(case id, source) → rows, for sources with at least ``at_least`` rows: one grouped
    query (GROUP BY case, source HAVING count >= at_least)."""
    field = kind.field
    rows = rows.exclude(**{field: ""})
    if among is not None:
        rows = rows.filter(**{f"{field}__in": list(among)})
    grouped = (
        rows.values_list(case, field)
        .annotate(n=Count("*"))
        .filter(n__gte=at_least)
        .order_by("-n", field)
    )
    if top is not None:
        grouped = grouped[:top]
    return {(case_id, source): n for case_id, source, n in grouped.values_list(case, field, "n")}


def _totals(rows: QuerySet[Signature] | QuerySet[Letter], *, case: str) -> dict[int, int]:
    return dict(rows.values_list(case).annotate(n=Count("*")).order_by().values_list(case, "n"))


def _percent(part: int, whole: int) -> int:
    return part * 100 // whole if whole else 0


def _judge(
    counts: Iterable[SourceCount], *, signatures: dict[int, int], letters: dict[int, int]
) -> None:
    """Fill in the shares and whether each source trends."""
    bar, shared, percent = threshold(), shared_domains(), settings.PLUMA_TRENDING_SHARED_PERCENT
    for count in counts:
        count.signature_share = _percent(count.signatures, signatures.get(count.action_id, 0))
        count.letter_share = _percent(count.letters, letters.get(count.action_id, 0))
        count.is_shared = count.kind == SourceKind.DOMAIN and count.source in shared
        over = [
            (count.signatures, count.signature_share),
            (count.letters, count.letter_share),
        ]
        count.is_trending = any(
            n >= bar and (not count.is_shared or share >= percent) for n, share in over
        )


def _counted(
    action_ids: Collection[int],
    since: datetime.datetime,
    *,
    at_least: int = 1,
    among: dict[SourceKind, set[str]] | None = None,
    top: int | None = None,
) -> dict[tuple[int, str, str], SourceCount]:
    """Sign-ups and letters per (case, kind, source) in the window: four grouped queries."""
    found: dict[tuple[int, str, str], SourceCount] = {}
    signatures = recent_signatures(action_ids, since)
    letters = recent_letters(action_ids, since)
    for kind in SourceKind:
        only = None if among is None else among.get(kind, set())
        if only is not None and not only:
            continue
        for (action_id, source), n in _by_source(
            signatures, case="action_id", kind=kind, at_least=at_least, among=only, top=top
        ).items():
            count = found.setdefault(
                (action_id, kind.value, source), SourceCount(action_id, kind, source)
            )
            count.signatures = n
        for (action_id, source), n in _by_source(
            letters, case="case_id", kind=kind, at_least=at_least, among=only, top=top
        ).items():
            count = found.setdefault(
                (action_id, kind.value, source), SourceCount(action_id, kind, source)
            )
            count.letters = n
    return found


def cases_to_check(since: datetime.datetime) -> list[int]:
    """Cases that could have taken a sign-up or a letter since then: open, or closed since."""
    return list(
        UrgentAction.objects.filter(
            Q(status=UrgentAction.Status.OPEN) | Q(closed_at__gte=since)
        ).values_list("pk", flat=True)
    )


def trending(*, since: datetime.datetime) -> list[SourceCount]:
    """The sources trending on any case since ``since``, with their counts.

    The candidates come from four grouped queries with a HAVING at the threshold (a
    source under it in both sign-ups and letters cannot trend); their other counts and
    the window's totals (for the webmail rule) from a few more. A fixed number of
    queries whatever the number of cases and sources.
    """
    action_ids = cases_to_check(since)
    if not action_ids:
        return []
    candidates = _counted(action_ids, since, at_least=threshold())
    if not candidates:
        return []
    among: dict[SourceKind, set[str]] = {kind: set() for kind in SourceKind}
    for count in candidates.values():
        among[count.kind].add(count.source)
    cases = sorted({count.action_id for count in candidates.values()})
    counted = _counted(cases, since, among=among)
    found = [counted[key] for key in candidates]
    _judge(
        found,
        signatures=_totals(recent_signatures(cases, since), case="action_id"),
        letters=_totals(recent_letters(cases, since), case="case_id"),
    )
    return sorted(
        (count for count in found if count.is_trending),
        key=lambda count: (count.action_id, count.kind.value, count.source),
    )


@dataclasses.dataclass(frozen=True)
class CaseSources:
    """A case's sources in the window, for the organizers' page: each kind's busiest."""

    since: datetime.datetime
    signatures: int
    letters: int
    networks: list[SourceCount]
    domains: list[SourceCount]


def case_sources(action: UrgentAction, *, since: datetime.datetime) -> CaseSources:
    """The case's busiest networks and domains since ``since`` (TOP of each, by sign-ups
    and by letters), judged as the periodic check judges them: six queries."""
    counted = list(_counted([action.pk], since, top=TOP).values())
    signatures = _totals(recent_signatures([action.pk], since), case="action_id")
    letters = _totals(recent_letters([action.pk], since), case="case_id")
    _judge(counted, signatures=signatures, letters=letters)
    counted.sort(key=lambda count: (-max(count.signatures, count.letters), count.source))
    return CaseSources(
        since=since,
        signatures=signatures.get(action.pk, 0),
        letters=letters.get(action.pk, 0),
        networks=[count for count in counted if count.kind == SourceKind.NETWORK],
        domains=[count for count in counted if count.kind == SourceKind.DOMAIN],
    )


@dataclasses.dataclass(frozen=True)
class Matching:
    """What an invalidation with these criteria would change now."""

    signatures: int
    confirmed: int
    letters: int
    went_out: int


def matching(criteria: Invalidation) -> Matching:
    """The signatures and letters an invalidation with these (unsaved) criteria would
    change, as petitions' and letters' services would pick them: four counts."""
    signatures = Signature.objects.filter(
        criteria.matches(case="action_id", at="signed_at"), is_flagged=False
    )
    letters = Letter.objects.filter(
        criteria.matches(case="case_id", at="created_at"), invalidation__isnull=True
    ).exclude(status=Letter.Status.CANCELLED)
    went_out = letters.filter(deliveries__status__in=WENT_OUT).distinct()
    return Matching(
        signatures=signatures.count(),
        confirmed=signatures.filter(status=Signature.Status.CONFIRMED).count(),
        letters=letters.count(),
        went_out=went_out.count(),
    )
