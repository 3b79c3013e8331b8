"""Delivery packs: the PDF and CSV an organizer hands to an embassy, and their fingerprint.

A pack counts the confirmed, unflagged signatures of a case confirmed up to the moment
the build started (`counted_until`), so later signatures never change a built pack. The
signatures are read twice, streamed in chunks and never held at once: first in id order
to hash and count them, then only the signers who agreed to have their name passed on,
in country and name order, drawn straight onto the PDF and written to the CSV.

A name leaves every pack that lists it when its owner is erased or the case's retention
period ends (strip_names): the files are deleted at once and rebuilt from the same
counted set, so counts and fingerprint stay and only the names list changes.

The files are kept in the private storage (campaigns.private_files), never in the
public media. The signatures are read from the replica when there is one, once it holds
every write the primary had when the build started (campaigns.replica): the pack counts
the same set a recount on the primary would.
"""

import collections
import csv
import datetime
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Collection

from django.conf import settings
from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns import pdf
from campaigns.models import Consent
from campaigns.private_files import private_storage
from campaigns.replica import replica_caught_up
from petitions import counts
from petitions.csvsafe import safe_cell
from petitions.models import PaperSignature, Signature

from .. import enqueue
from .. import pdf as pack_pdf
from ..models import HandoverPack

logger = logging.getLogger(__name__)

FINGERPRINT_SCHEME = "pluma-pack-v1"
CHUNK = 5000
# A pack stuck in `building` this long lost its worker and may be claimed again.
BUILD_LEASE = datetime.timedelta(minutes=15)

Progress = Callable[[int], None]


def counted_signatures(
    *, action_id: int, until: datetime.datetime, using: str = DEFAULT_DB_ALIAS
) -> QuerySet[Signature]:
    """The signatures a pack counts: confirmed, not flagged, confirmed by ``until``."""
    return Signature.objects.using(using).filter(
        action_id=action_id,
        status=Signature.Status.CONFIRMED,
        is_flagged=False,
        confirmed_at__lte=until,
    )


def _stamp(moment: datetime.datetime) -> str:
    # UTC with microseconds: the same text from SQLite and PostgreSQL, in any time zone.
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fingerprint_signatures(
    *,
    action_id: int,
    until: datetime.datetime,
    paper: int,
    on_row: Progress | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, int, collections.Counter[str]]:
    """SHA-256 over the counted set: each "id,confirmed_at" line in id order, then the counts.

    Returns (hex digest, online count, online count per country). Anyone holding the
    database can recompute it; changing, adding or removing one signature changes it.
    """
    digest = hashlib.sha256(f"{FINGERPRINT_SCHEME}\n".encode())
    per_country: collections.Counter[str] = collections.Counter()
    online = 0
    rows = (
        counted_signatures(action_id=action_id, until=until, using=using)
        .order_by("pk")
        .values_list("pk", "confirmed_at", "country")
        .iterator(chunk_size=CHUNK)
    )
    for pk, confirmed_at, country in rows:
        assert confirmed_at is not None  # counted signatures were confirmed by `until`
        digest.update(f"{pk},{_stamp(confirmed_at)}\n".encode())
        per_country[country] += 1
        online += 1
        if on_row and online % CHUNK == 0:
            on_row(online)
    digest.update(f"online={online}\npaper={paper}\n".encode())
    return digest.hexdigest(), online, per_country


def named_signatures(
    *, action_id: int, until: datetime.datetime, using: str = DEFAULT_DB_ALIAS
) -> QuerySet[Signature, tuple[str, str]]:
    """(name, country) of counted signers with an active consent to pass their name on."""
    consents = Consent.objects.filter(
        supporter_id=OuterRef("supporter_id"),
        action_id=action_id,
        kind=Consent.Kind.SHARE_NAME,
        withdrawn_at__isnull=True,
    )
    return (
        counted_signatures(action_id=action_id, until=until, using=using)
        .filter(Exists(consents))
        .exclude(name="")  # erased or anonymised: nothing to list
        .order_by("country", "name", "pk")
        .values_list("name", "country")
    )


def paper_by_country(action_id: int, paper_total: int) -> collections.Counter[str]:
    """Named paper signatures per country; tallies (no country) go under ''."""
    per_country = collections.Counter(
        dict(
            PaperSignature.objects.filter(action_id=action_id)
            .values_list("country")
            .annotate(n=Count("pk"))
            .values_list("country", "n")
        )
    )
    unplaced = paper_total - sum(per_country.values())
    if unplaced > 0:
        per_country[""] += unplaced
    return per_country


# --- building -------------------------------------------------------------------------


def claim_pack(pack_id: int) -> HandoverPack | None:
    """Move a pack from queued (or a building pack whose lease ran out) to building."""
    now = timezone.now()
    claimable = HandoverPack.objects.filter(pk=pack_id).filter(
        status=HandoverPack.Status.QUEUED
    ) | HandoverPack.objects.filter(
        pk=pack_id, status=HandoverPack.Status.BUILDING, started_at__lt=now - BUILD_LEASE
    )
    if not claimable.update(status=HandoverPack.Status.BUILDING, started_at=now, progress=0):
        return None
    return HandoverPack.objects.select_related("action", "recipient").get(pk=pack_id)


def _set_progress(pack_id: int, percent: int) -> None:
    # Outside any transaction, so the organizer's page sees it while the build goes on.
    HandoverPack.objects.filter(pk=pack_id).update(progress=min(99, max(0, percent)))


def build_pack(*, pack_id: int) -> bool:
    """Build a queued pack's PDF, CSV and fingerprint; returns whether this call built it.

    Idempotent: a pack already built (or being built by another worker) is left alone.
    A failure marks the pack failed with the error; the organizer asks for a new one.
    """
    pack = claim_pack(pack_id)
    if pack is None:
        return False
    try:
        _build(pack)
    except Exception as error:
        logger.exception("Pack #%s failed", pack_id)
        HandoverPack.objects.filter(pk=pack_id).update(
            status=HandoverPack.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return False
    return True


def strip_names(*, action_ids: Collection[int]) -> int:
    """Delete the files of these cases' ready packs that list names, and queue each for a
    rebuild from today's data, in which erased or anonymised signers have no name and no
    consent; returns how many packs. The files go when the transaction commits."""
    packs = list(
        HandoverPack.objects.filter(
            action_id__in=action_ids, status=HandoverPack.Status.READY, named_count__gt=0
        ).values_list("pk", "pdf", "csv")
    )
    for pack_id, *files in packs:
        HandoverPack.objects.filter(pk=pack_id).update(
            status=HandoverPack.Status.QUEUED, progress=0, pdf="", csv="", named_count=0
        )
        transaction.on_commit(_deleting(files))
        enqueue.build_pack(pack_id)
    return len(packs)


def _deleting(names: list[str]) -> Callable[[], None]:
    """A callback that deletes these files, for on_commit (the names bound now)."""
    return lambda: _delete_files(names)


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            private_storage().delete(name)


def _build(pack: HandoverPack) -> None:
    action = pack.action
    # A rebuild (strip_names) counts the same set as the first build did.
    until = pack.counted_until or pack.started_at
    assert until is not None  # claim_pack stamped started_at
    language = pack.recipient.language or settings.LANGUAGE_CODE
    paper = counts.paper_count(action.pk)
    # The shards are exact once settled; here they only scale the progress bar.
    expected = max(1, counts.confirmed_count(action.pk))
    signatures_db = replica_caught_up()
    fingerprint, online, online_by_country = fingerprint_signatures(
        action_id=action.pk,
        until=until,
        paper=paper,
        on_row=lambda n: _set_progress(pack.pk, n * 50 // expected),
        using=signatures_db,
    )
    HandoverPack.objects.filter(pk=pack.pk).update(
        fingerprint=fingerprint, online_count=online, paper_count=paper, counted_until=until
    )
    pack.fingerprint, pack.online_count, pack.paper_count = fingerprint, online, paper
    pack.counted_until = until
    stem = f"ua-{action.slug}-pack-{pack.pk}"
    with (
        tempfile.TemporaryDirectory(prefix="pluma-pack-") as workdir,
        translation.override(language),
    ):
        pdf_path = os.path.join(workdir, f"{stem}.pdf")
        csv_path = os.path.join(workdir, f"{stem}.csv")
        named = _write_files(
            pack,
            pdf_path=pdf_path,
            csv_path=csv_path,
            language=language,
            online_by_country=online_by_country,
            paper_by_country=paper_by_country(action.pk, paper),
            on_name=lambda n: _set_progress(pack.pk, 50 + n * 45 // max(1, online)),
            signatures_db=signatures_db,
        )
        storage = private_storage()  # names of signers: never where media is served
        with open(pdf_path, "rb") as pdf_file, open(csv_path, "rb") as csv_file:
            pdf_name = storage.save(f"handover-packs/{stem}.pdf", File(pdf_file))
            csv_name = storage.save(f"handover-packs/{stem}.csv", File(csv_file))
    HandoverPack.objects.filter(pk=pack.pk).update(
        status=HandoverPack.Status.READY,
        progress=100,
        named_count=named,
        pdf=pdf_name,
        csv=csv_name,
        finished_at=timezone.now(),
    )
    logger.info("Pack #%s for UA %s: %s online, %s paper", pack.pk, action.number, online, paper)


def _write_files(
    pack: HandoverPack,
    *,
    pdf_path: str,
    csv_path: str,
    language: str,
    online_by_country: collections.Counter[str],
    paper_by_country: collections.Counter[str],
    on_name: Progress,
    signatures_db: str,
) -> int:
    """Write the PDF and the CSV side by side; returns how many names they list."""
    action = pack.action
    counted_until = pack.counted_until
    assert counted_until is not None  # _build fixed it before writing
    footer_text = _("UA %(number)s · delivery pack · fingerprint %(fingerprint)s") % {
        "number": action.number,
        "fingerprint": pack.fingerprint,
    }
    canvas = pdf.new_canvas(
        pdf_path,
        title=_("UA %(number)s: delivery pack") % {"number": action.number},
        author=settings.ORGANISATION_NAME,
    )
    breakdown = sorted(
        set(online_by_country) | set(paper_by_country),
        key=lambda code: (code == "", pack_pdf.country_name(code)),
    )
    pdf.flow(
        canvas,
        pack_pdf.front_matter(pack, language, breakdown, online_by_country, paper_by_country),
        footer_text=footer_text,
    )
    named = 0
    with open(csv_path, "w", newline="", encoding="utf-8") as csv_file:
        writer = csv.writer(csv_file)

        def row(*cells: object) -> None:
            writer.writerow([safe_cell(cell) for cell in cells])

        row(_("Urgent Action"), action.number, action.title)
        row(_("Counted until"), _stamp(counted_until))
        row(_("Fingerprint (SHA-256)"), pack.fingerprint)
        row()
        row(_("Country"), _("Online"), _("Paper"), _("Total"))
        for code in breakdown:
            online, paper = online_by_country[code], paper_by_country[code]
            row(pack_pdf.country_name(code), online, paper, online + paper)
        row(_("Total"), pack.online_count, pack.paper_count, pack.total)
        if pack.include_names:
            row()
            row(_("Name"), _("Country"))
            names = named_signatures(action_id=action.pk, until=counted_until, using=signatures_db)
            lines = pack_pdf.NamePages(canvas, footer_text=footer_text)
            for name, code in names.iterator(chunk_size=CHUNK):
                country = pack_pdf.country_name(code)
                row(name, country)
                lines.add(name, country)
                named += 1
                if named % CHUNK == 0:
                    on_name(named)
            lines.finish()
    canvas.save()
    return named
