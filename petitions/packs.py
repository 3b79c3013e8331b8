"""Delivery packs: the PDF and CSV an organizer hands to an embassy, and their fingerprint.

A pack counts the confirmed, unflagged signatures of a case confirmed up to the moment
the build started (`counted_until`), so later signatures never change a built pack. The
signatures are read twice, streamed in chunks and never held at once: first in id order
to hash and count them, then only the signers who agreed to have their name passed on,
in country and name order, drawn straight onto the PDF and written to the CSV.
"""

import collections
import csv
import datetime
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_countries import countries
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from campaigns.models import Consent

from . import counts, pdf
from .csvsafe import safe_cell
from .models import HandoverPack, PaperSignature, Petition, Signature

logger = logging.getLogger(__name__)

FINGERPRINT_SCHEME = "pluma-pack-v1"
CHUNK = 5000
# A pack stuck in `building` this long lost its worker and may be claimed again.
BUILD_LEASE = datetime.timedelta(minutes=15)
NAMES_PER_COLUMN = 58

Progress = Callable[[int], None]


def counted_signatures(*, action_id: int, until: datetime.datetime):
    """The signatures a pack counts: confirmed, not flagged, confirmed by ``until``."""
    return Signature.objects.filter(
        action_id=action_id,
        status=Signature.Status.CONFIRMED,
        is_flagged=False,
        confirmed_at__lte=until,
    )


def _stamp(moment: datetime.datetime) -> str:
    # UTC with microseconds: the same text from SQLite and PostgreSQL, in any time zone.
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fingerprint_signatures(
    *, action_id: int, until: datetime.datetime, paper: int, on_row: Progress | None = None
) -> tuple[str, int, collections.Counter]:
    """SHA-256 over the counted set: each "id,confirmed_at" line in id order, then the counts.

    Returns (hex digest, online count, online count per country). Anyone holding the
    database can recompute it; changing, adding or removing one signature changes it.
    """
    digest = hashlib.sha256(f"{FINGERPRINT_SCHEME}\n".encode())
    per_country: collections.Counter = collections.Counter()
    online = 0
    rows = (
        counted_signatures(action_id=action_id, until=until)
        .order_by("pk")
        .values_list("pk", "confirmed_at", "country")
        .iterator(chunk_size=CHUNK)
    )
    for pk, confirmed_at, country in rows:
        digest.update(f"{pk},{_stamp(confirmed_at)}\n".encode())
        per_country[country] += 1
        online += 1
        if on_row and online % CHUNK == 0:
            on_row(online)
    digest.update(f"online={online}\npaper={paper}\n".encode())
    return digest.hexdigest(), online, per_country


def named_signatures(*, action_id: int, until: datetime.datetime):
    """(name, country) of counted signers with an active consent to pass their name on."""
    consents = Consent.objects.filter(
        supporter_id=OuterRef("supporter_id"),
        action_id=action_id,
        kind=Consent.Kind.SHARE_NAME,
        withdrawn_at__isnull=True,
    )
    return (
        counted_signatures(action_id=action_id, until=until)
        .filter(Exists(consents))
        .order_by("country", "name", "pk")
        .values_list("name", "country")
    )


def paper_by_country(action_id: int, paper_total: int) -> collections.Counter:
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


def verify_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("petitions:verify")


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


def _build(pack: HandoverPack) -> None:
    action = pack.action
    until = pack.started_at
    language = pack.recipient.language or settings.LANGUAGE_CODE
    paper = counts.paper_count(action.pk)
    # The shards are exact once settled; here they only scale the progress bar.
    expected = max(1, counts.confirmed_count(action.pk))
    fingerprint, online, online_by_country = fingerprint_signatures(
        action_id=action.pk,
        until=until,
        paper=paper,
        on_row=lambda n: _set_progress(pack.pk, n * 50 // expected),
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
        )
        with open(pdf_path, "rb") as pdf_file, open(csv_path, "rb") as csv_file:
            pdf_name = default_storage.save(f"handover-packs/{stem}.pdf", File(pdf_file))
            csv_name = default_storage.save(f"handover-packs/{stem}.csv", File(csv_file))
    HandoverPack.objects.filter(pk=pack.pk).update(
        status=HandoverPack.Status.READY,
        progress=100,
        named_count=named,
        pdf=pdf_name,
        csv=csv_name,
        finished_at=timezone.now(),
    )
    logger.info("Pack #%s for UA %s: %s online, %s paper", pack.pk, action.number, online, paper)


def _country_name(code: str) -> str:
    return str(countries.name(code)) if code else _("Country not recorded")


def _write_files(
    pack: HandoverPack,
    *,
    pdf_path: str,
    csv_path: str,
    language: str,
    online_by_country: collections.Counter,
    paper_by_country: collections.Counter,
    on_name: Progress,
) -> int:
    """Write the PDF and the CSV side by side; returns how many names they list."""
    action = pack.action
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
        key=lambda code: (code == "", _country_name(code)),
    )
    pdf.flow(
        canvas,
        _front_matter(pack, language, breakdown, online_by_country, paper_by_country),
        footer_text=footer_text,
    )
    named = 0
    with open(csv_path, "w", newline="", encoding="utf-8") as csv_file:
        writer = csv.writer(csv_file)

        def row(*cells) -> None:
            writer.writerow([safe_cell(cell) for cell in cells])

        row(_("Urgent Action"), action.number, action.title)
        row(_("Counted until"), _stamp(pack.counted_until))
        row(_("Fingerprint (SHA-256)"), pack.fingerprint)
        row()
        row(_("Country"), _("Online"), _("Paper"), _("Total"))
        for code in breakdown:
            online, paper = online_by_country[code], paper_by_country[code]
            row(_country_name(code), online, paper, online + paper)
        row(_("Total"), pack.online_count, pack.paper_count, pack.total)
        if pack.include_names:
            row()
            row(_("Name"), _("Country"))
            names = named_signatures(action_id=action.pk, until=pack.counted_until)
            lines = _NamePages(canvas, footer_text=footer_text)
            for name, code in names.iterator(chunk_size=CHUNK):
                country = _country_name(code)
                row(name, country)
                lines.add(name, country)
                named += 1
                if named % CHUNK == 0:
                    on_name(named)
            lines.finish()
    canvas.save()
    return named


def _front_matter(pack, language, breakdown, online_by_country, paper_by_country) -> list:
    action, recipient = pack.action, pack.recipient
    style = pdf.styles()
    try:
        petition_text = action.petition.text_in(language)
    except Petition.DoesNotExist:
        petition_text = None
    address = "<br/>".join(
        escape(part)
        for part in [
            " ".join(filter(None, [recipient.title, recipient.name])),
            recipient.organisation,
            *recipient.postal_address.splitlines(),
        ]
        if part
    )
    values = {
        "organisation": escape(settings.ORGANISATION_NAME),
        "total": number_format(pack.total, force_grouping=True),
        "countries": len([code for code in breakdown if code]),
        "number": escape(action.number),
        "title": escape(action.title),
        "country": escape(str(action.country.name)),
    }
    story: list = [
        Paragraph(escape(settings.ORGANISATION_NAME), style["title"]),
        Paragraph(escape(timezone.localdate().strftime("%Y-%m-%d")), style["small"]),
        Spacer(1, 6 * mm),
        Paragraph(address, style["body"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(recipient.salutation) + ",", style["body"]),
        Paragraph(
            _(
                "On behalf of %(organisation)s, we hand you %(total)s messages from people "
                "in %(countries)s countries about Urgent Action %(number)s: %(title)s. "
                "They call on the authorities of %(country)s to act."
            )
            % values,
            style["body"],
        ),
        Paragraph(
            _(
                "This pack gives the number of people who signed online and on paper, by "
                "country, and the names of those who asked for their name to be passed on "
                "to you. Anyone can check these figures at %(url)s with the fingerprint "
                "printed on every page."
            )
            % {"url": escape(verify_url(language))},
            style["body"],
        ),
        Paragraph(_("Yours sincerely,"), style["body"]),
        Paragraph(values["organisation"], style["body"]),
        Spacer(1, 8 * mm),
        Paragraph(_("The case"), style["heading"]),
        Paragraph(escape(action.summary), style["body"]),
    ]
    if petition_text:
        story += [
            Paragraph(_("What the signers ask"), style["heading"]),
            *[Paragraph(escape(p), style["body"]) for p in petition_text.text.split("\n") if p],
        ]
    story += [
        Paragraph(_("The count"), style["heading"]),
        _table(
            [
                [
                    _("Signed online and confirmed by email"),
                    number_format(pack.online_count, force_grouping=True),
                ],
                [_("Signed on paper"), number_format(pack.paper_count, force_grouping=True)],
                [_("Total"), number_format(pack.total, force_grouping=True)],
            ]
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            _("Signatures confirmed up to %(moment)s (UTC).")
            % {"moment": pack.counted_until.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M")},
            style["small"],
        ),
        Paragraph(
            _("Fingerprint (SHA-256): %(fingerprint)s") % {"fingerprint": pack.fingerprint},
            style["small"],
        ),
        Paragraph(_("By country"), style["heading"]),
        _table(
            [[_("Country"), _("Online"), _("Paper"), _("Total")]]
            + [
                [
                    _country_name(code),
                    number_format(online_by_country[code], force_grouping=True),
                    number_format(paper_by_country[code], force_grouping=True),
                    number_format(
                        online_by_country[code] + paper_by_country[code], force_grouping=True
                    ),
                ]
                for code in breakdown
            ],
            header=True,
        ),
    ]
    return story


def _table(rows: list[list[str]], *, header: bool = False) -> Table:
    widths = [pdf.BODY_WIDTH - 3 * 28 * mm] + [28 * mm] * (len(rows[0]) - 1)
    table = Table(rows, colWidths=widths[: len(rows[0])], repeatRows=1 if header else 0)
    commands = [
        ("FONT", (0, 0), (-1, -1), pdf.FONT, 9.5),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#bbbbbb"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("FONT", (0, 0), (-1, 0), pdf.FONT_BOLD, 9.5))
    else:
        commands.append(("FONT", (0, -1), (-1, -1), pdf.FONT_BOLD, 9.5))
    table.setStyle(TableStyle(commands))
    return table


class _NamePages:
    """Names drawn two columns a page, one line each, as they stream in."""

    SIZE = 8.5
    LEADING = 11.5

    def __init__(self, canvas, *, footer_text: str):
        self.canvas = canvas
        self.footer_text = footer_text
        self.column_width = (pdf.BODY_WIDTH - 8 * mm) / 2
        self.line = 0
        self.column = 0
        self.text = None
        self.started = False

    def _begin_column(self) -> None:
        top = pdf.PAGE_HEIGHT - pdf.MARGIN - 12 * mm
        x = pdf.MARGIN + self.column * (self.column_width + 8 * mm)
        self.text = self.canvas.beginText(x, top)
        self.text.setFont(pdf.FONT, self.SIZE, self.LEADING)
        self.line = 0

    def _begin_page(self) -> None:
        self.canvas.setFont(pdf.FONT_BOLD, 12)
        self.canvas.drawString(
            pdf.MARGIN,
            pdf.PAGE_HEIGHT - pdf.MARGIN,
            _("People who asked for their name to be passed on"),
        )
        self.column = 0
        self._begin_column()

    def add(self, name: str, country: str) -> None:
        if not self.started:
            self._begin_page()
            self.started = True
        elif self.line >= NAMES_PER_COLUMN:
            self.canvas.drawText(self.text)
            if self.column == 0:
                self.column = 1
                self._begin_column()
            else:
                pdf.footer(self.canvas, self.footer_text)
                self.canvas.showPage()
                self._begin_page()
        self.text.textLine(pdf.fit(f"{name} — {country}", self.column_width, size=self.SIZE))
        self.line += 1

    def finish(self) -> None:
        if self.started:
            self.canvas.drawText(self.text)
            pdf.footer(self.canvas, self.footer_text)
            self.canvas.showPage()
