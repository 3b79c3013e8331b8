"""Supporters in control of their data: a registry of what each app holds, export, erasure
and retention.

campaigns may not import petitions or letters, so each app registers a provider in its
``AppConfig.ready``. A provider has:

- ``label``: what its rows are, for the supporter ("Signatures"); None for a provider
  that keeps nothing of a supporter's own, only copies of other providers' data (the
  names printed in delivery packs): the export has no section for it;
- ``export(supporter) -> list[Record]``: every row it holds about the supporter, with every
  personal field, as JSON-ready dicts;
- ``erase(supporter) -> int``: remove the supporter's personal data from its rows, keep
  the rows that counts are made of; idempotent; returns how many rows changed;
- ``personal_fields() -> list[(model, field name)]``: every field it holds that is
  personal data (a test checks that none is missing);
- for retention, ``supporter_ids(*, on_cases, among=None) -> set[int]`` (who has rows on
  these cases, optionally only among some supporter ids) and ``anonymise_cases(*,
  action_ids) -> int`` (remove personal data from its rows on these cases).
"""

import datetime
import logging
from collections.abc import Collection, Iterator
from typing import Protocol, TypedDict

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import email_requests, enqueue, events
from .emails import canonical_email
from .links import new_nonce
from .mail import make_data_token, mask_email, read_data_token, send_template, url_in
from .models import (
    AnnouncementDelivery,
    Consent,
    EmailRequest,
    Invalidation,
    Subscription,
    Supporter,
    TrendingSource,
    UrgentAction,
)

logger = logging.getLogger(__name__)


# A value as the export holds it (see `plain`), and one exported row: field → value.
Plain = str | int | float | bool | None
Record = dict[str, Plain]


class Provider(Protocol):
    # Read-only, so that a class attribute of any of these types provides it.
    @property
    def label(self) -> str | Promise | None: ...

    def export(self, supporter: Supporter) -> list[Record]: ...

    def erase(self, supporter: Supporter) -> int: ...

    def personal_fields(self) -> list[tuple[type[models.Model], str]]: ...

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]: ...

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int: ...


_registry: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    """Add a provider; registering the same class again replaces it (ready() may run twice)."""
    _registry[f"{type(provider).__module__}.{type(provider).__qualname__}"] = provider
    return provider


def providers() -> list[Provider]:
    return list(_registry.values())


def plain(value: object) -> Plain:
    """A value as JSON holds it: dates as ISO text, countries as codes."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def row(obj: models.Model, fields: list[str], **extra: Plain) -> Record:
    return {**{name: plain(getattr(obj, name)) for name in fields}, **extra}


def in_chunks(ids: Collection[int] | None, size: int = 1000) -> Iterator[list[int] | None]:
    if ids is None:
        yield None
        return
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class CampaignsProvider:
    """The supporter record, consents, subscriptions and the news they were sent."""

    label = _("Your details, consents and subscriptions")
    SUPPORTER_FIELDS = ["email", "email_canonical", "name", "country", "postal_code", "city"]

    def personal_fields(self) -> list[tuple[type[models.Model], str]]:
        return [
            *((Supporter, name) for name in self.SUPPORTER_FIELDS),
            (Consent, "text"),
            (Subscription, "categories"),
            (Subscription, "countries"),
        ]

    def export(self, supporter: Supporter) -> list[Record]:
        rows = [row(supporter, [*self.SUPPORTER_FIELDS, "language", "created_at"], record="you")]
        for consent in supporter.consents.select_related("action").order_by("granted_at"):
            rows.append(
                row(
                    consent,
                    ["text", "language", "granted_at", "withdrawn_at"],
                    record="consent",
                    what=str(consent.get_kind_display()),
                    case=consent.action.number if consent.action else None,
                )
            )
        for subscription in supporter.subscriptions.order_by("created_at"):
            fields = ["categories", "countries", "frequency", "language", "created_at"]
            rows.append(
                row(
                    subscription,
                    [*fields, "confirmed_at", "cancelled_at"],
                    record="subscription",
                )
            )
        for delivery in supporter.announcement_deliveries.select_related(
            "announcement__action"
        ).filter(status=AnnouncementDelivery.Status.SENT):
            rows.append(
                row(
                    delivery,
                    ["sent_at"],
                    record="email",
                    what=str(delivery.announcement.get_kind_display()),
                    case=delivery.announcement.action.number,
                )
            )
        return rows

    def erase(self, supporter: Supporter) -> int:
        now = timezone.now()
        changed = Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True).update(
            withdrawn_at=now
        )
        changed += Subscription.objects.filter(supporter=supporter).delete()[0]
        # A request not yet answered holds the address as typed.
        changed += EmailRequest.objects.filter(email__iexact=supporter.email).delete()[0]
        changed += AnnouncementDelivery.objects.filter(
            supporter=supporter, status=AnnouncementDelivery.Status.PENDING
        ).update(status=AnnouncementDelivery.Status.SKIPPED)
        # The canonical email is unique and required: a placeholder that names no one.
        changed += Supporter.objects.filter(pk=supporter.pk).update(
            email="",
            email_canonical=f"erased-{supporter.pk}",
            name="",
            postal_code="",
            city="",
            access_nonce="",
            erased_at=now,
        )
        return changed

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]:
        found: set[int] = set()
        for chunk in in_chunks(among):
            consents = Consent.objects.filter(action__in=on_cases)
            if chunk is not None:
                consents = consents.filter(supporter_id__in=chunk)
            found.update(consents.values_list("supporter_id", flat=True).distinct())
        return found

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int:
        # Consents keep the words agreed to, which name no one. The sources organizers saw
        # trending or invalidated are networks and domains of supporters (an IPv6 /64 is
        # one household): they go with the rows' own; the invalidations' log keeps who,
        # when, how many and why.
        changed = TrendingSource.objects.filter(action_id__in=action_ids).delete()[0]
        return changed + Invalidation.objects.filter(action_id__in=action_ids).exclude(
            source=""
        ).update(source="")


class Section(TypedDict):
    label: str
    records: list[Record]


class Export(TypedDict):
    exported_at: str
    organisation: str
    sections: list[Section]


def export_data(*, supporter: Supporter) -> Export:
    """Everything Pluma holds about a supporter, by provider, ready for json.dumps."""
    return {
        "exported_at": timezone.now().isoformat(),
        "organisation": settings.ORGANISATION_NAME,
        "sections": [
            {"label": str(provider.label), "records": provider.export(supporter)}
            for provider in providers()
            if provider.label is not None
        ],
    }


def erase_supporter(*, supporter: Supporter) -> int:
    """Remove the supporter's name, email, addresses and letter texts everywhere, in one
    transaction; the rows that make counts stay, anonymised; undelivered letters are
    cancelled. The first erasure records a supporter.erased event (campaigns.events) with
    the supporter's public id only. Idempotent; returns how many rows changed."""
    with transaction.atomic():
        first_time = Supporter.objects.filter(pk=supporter.pk, erased_at__isnull=True).exists()
        # The supporter record goes last: other providers may look at it.
        ordered = sorted(providers(), key=lambda p: isinstance(p, CampaignsProvider))
        changed = sum(provider.erase(supporter) for provider in ordered)
        if first_time:
            # Only the opaque id, which names no one: a CRM finds whom to erase by it.
            events.record(
                kind=events.Kind.SUPPORTER_ERASED,
                supporter_id=supporter.pk,
                data={"supporter": {"id": str(supporter.public_id)}},
            )
    logger.info("Supporter #%s erased (%d rows changed)", supporter.pk, changed)
    return changed


def withdraw_consent(*, supporter: Supporter, consent_id: int) -> bool:
    """Withdraw one of the supporter's consents at once; returns whether it changed."""
    now = timezone.now()
    consent = Consent.objects.filter(pk=consent_id, supporter=supporter).first()
    if consent is None:
        return False
    withdrawn = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    if withdrawn and consent.kind == Consent.Kind.NEW_CASES:
        # Without the consent there is no subscription.
        Subscription.objects.filter(supporter=supporter, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
    return bool(withdrawn)


# --- the one-time link to one's data -------------------------------------------------------


DATA_LINK = "campaigns.data_link"


def request_data_link(*, email: str) -> None:
    """Email a one-time link to the data of the supporter with this address, if any.

    Only writes the request (campaigns.email_requests): the answer cannot tell, in content
    or in time, whether an address is known. A new request makes earlier links stop
    working.
    """
    email_requests.request_email(kind=DATA_LINK, email=email)


def answer_data_link_request(*, email: str, case_id: int | None, language: str) -> None:
    """A worker's answer to a request: a new link for a known address, else nothing."""
    supporter = Supporter.objects.filter(
        email_canonical=canonical_email(email), erased_at__isnull=True
    ).first()
    if supporter is None:
        logger.info("Data link asked for an unknown address %s", mask_email(email))
        return
    Supporter.objects.filter(pk=supporter.pk).update(access_nonce=new_nonce())
    enqueue.send_data_link(supporter.pk)


def send_data_link(*, supporter_id: int) -> bool:
    """Email the current one-time data link; returns whether one was sent."""
    supporter = Supporter.objects.filter(pk=supporter_id, erased_at__isnull=True).first()
    if supporter is None or not supporter.access_nonce:
        return False
    token = make_data_token(supporter_id=supporter.pk, nonce=supporter.access_nonce)
    sent = send_template(
        capped=True,
        template="campaigns/email/data_link",
        to=supporter.email,
        language=supporter.language,
        context={
            "name": supporter.name,
            "link": url_in(supporter.language, "campaigns:open_my_data", token=token),
            "hours": max(1, settings.PLUMA_DATA_LINK_MAX_AGE // 3600),
        },
    )
    if sent:
        logger.info("Data link sent to %s", mask_email(supporter.email))
    return sent


def open_data_link(*, token: str) -> Supporter | None:
    """The supporter a valid, unused data link names; using it makes it stop working."""
    read = read_data_token(token)
    if read is None or not read[1]:
        return None
    supporter_id, nonce = read
    used = Supporter.objects.filter(
        pk=supporter_id, access_nonce=nonce, erased_at__isnull=True
    ).update(access_nonce="")
    return Supporter.objects.get(pk=supporter_id) if used else None


# --- retention ------------------------------------------------------------------------------


def apply_retention(*, now: datetime.datetime | None = None, batch: int = 50) -> dict[str, int]:
    """Anonymise supporters' data on cases closed more than PLUMA_RETENTION_DAYS ago.

    Rows on those cases lose their personal fields (counts stay); supporters with no
    other case still running and no subscription are erased; each case is then stamped
    anonymised_at. Idempotent: a stamped case is never looked at again, and a run that
    crashed mid-batch redoes that batch. Logs counts only.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PLUMA_RETENTION_DAYS)
    due = UrgentAction.objects.filter(
        status=UrgentAction.Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
    )
    totals = {"cases": 0, "rows": 0, "supporters": 0}
    while action_ids := list(due.order_by("pk").values_list("pk", flat=True)[:batch]):
        cases = UrgentAction.objects.filter(pk__in=action_ids)
        live = UrgentAction.objects.filter(anonymised_at__isnull=True).exclude(pk__in=action_ids)
        with transaction.atomic():
            candidates: set[int] = set()
            for provider in providers():
                candidates |= provider.supporter_ids(on_cases=cases)
                totals["rows"] += provider.anonymise_cases(action_ids=action_ids)
            keep = set(
                Subscription.objects.active()
                .filter(supporter_id__in=candidates)
                .values_list("supporter_id", flat=True)
            )
            for provider in providers():
                keep |= provider.supporter_ids(on_cases=live, among=candidates - keep)
            for supporter in Supporter.objects.filter(
                pk__in=candidates - keep, erased_at__isnull=True
            ):
                erase_supporter(supporter=supporter)
                totals["supporters"] += 1
            totals["cases"] += cases.update(anonymised_at=now)
    if totals["cases"]:
        logger.info(
            "Retention: %(cases)d cases anonymised, %(rows)d rows, %(supporters)d supporters",
            totals,
        )
    return totals


register(CampaignsProvider())
