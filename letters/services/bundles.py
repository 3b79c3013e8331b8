"""Printed bundles: letters for targets that take them by post, printed by organizers.

An organizer prepares a bundle: the target's waiting letters are claimed into it in one
conditional UPDATE (queued → sending, no lease, so the sweeper leaves them alone while
they are in the post room), each marked with the bundle's id as its Message-ID. The
bundle prints as a PDF, one letter per page; recording it as posted moves its letters
to sent. A letter confirmed while a bundle is being printed is never marked posted
without having been printed: only the rows claimed into the bundle move. Letters whose
case or official an organizer holds (campaigns.holds) are neither counted as waiting nor
claimed into a bundle; a bundle already prepared is paper in the post room, and stays the
organizer's to post or put back.
"""

import datetime
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from campaigns.models import Target
from campaigns.outbox import claim

from ..messages import letters_domain
from ..models import Delivery, DeliveryPolicy, Letter, fill_placeholders, held, placeholder_values
from .events import Kind, record_letter_events

logger = logging.getLogger(__name__)

Status = Delivery.Status
# A parcel an organizer can print and post in one go; it also bounds the PDF's memory
# (ReportLab keeps a document's compressed pages until it is saved).
BUNDLE_KEY = re.compile(r"^b(?P<target>\d{1,12})-(?P<stamp>\d{1,20})$")

# DejaVu covers far more scripts than the PDF base fonts (Latin-1 only); use it if the
# system has it.
_FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def _fonts() -> tuple[str, str]:
    if "PlumaSans" in pdfmetrics.getRegisteredFontNames():
        return "PlumaSans", "PlumaSans-Bold"
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("PlumaSans", str(regular)))
            pdfmetrics.registerFont(TTFont("PlumaSans-Bold", str(bold)))
            return "PlumaSans", "PlumaSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def bundle_message_id(key: str) -> str:
    return f"<{key}@{letters_domain()}>"


def bundle_deliveries(key: str) -> QuerySet[Delivery]:
    """The letters of a prepared bundle that is not yet posted (none for a bad key)."""
    if not BUNDLE_KEY.match(key or ""):
        return Delivery.objects.none()
    return Delivery.objects.filter(status=Status.SENDING, message_id=bundle_message_id(key))


class WaitingTarget(TypedDict):
    """A printed-bundle target with letters waiting (waiting_for_bundles)."""

    target_id: int
    target__name: str
    target__title: str
    waiting: int


class OpenBundle(TypedDict):
    """A bundle prepared and not yet posted (open_bundles)."""

    message_id: str
    target_id: int
    target__name: str
    letters: int
    prepared_at: datetime.datetime | None  # Min(sending_at), a nullable column
    key: str


def waiting_for_bundles() -> QuerySet[Delivery, WaitingTarget]:
    """Per printed-bundle target: how many letters wait to be bundled."""
    return (
        Delivery.objects.filter(
            status=Status.QUEUED,
            target__delivery_policy__mode=DeliveryPolicy.Mode.PRINTED_BUNDLE,
            letter__status=Letter.Status.CONFIRMED,
        )
        .exclude(held())
        .values("target_id", "target__name", "target__title")
        .annotate(waiting=Count("pk"))
        .order_by("target__name")
    )


def open_bundles() -> list[OpenBundle]:
    """Bundles prepared and not yet posted, with their target, size and date."""
    rows = (
        Delivery.objects.filter(status=Status.SENDING, message_id__startswith="<b")
        .values("message_id", "target_id", "target__name")
        .annotate(letters=Count("pk"), prepared_at=Min("sending_at"))
        .order_by("prepared_at")
    )
    bundles: list[OpenBundle] = []
    for row in rows:
        key = row["message_id"][1:].partition("@")[0]
        if BUNDLE_KEY.match(key):
            bundles.append({**row, "key": key})
    return bundles


def prepare_bundle(*, target: Target, now: datetime.datetime | None = None) -> tuple[str, int]:
    """Claim up to PLUMA_BUNDLE_MAX_LETTERS waiting letters of a bundle target into a new bundle.

    Returns (bundle key, letters in it); (key, 0) when nothing waits. Acts only on rows
    still queued, so a letter is in at most one bundle.
    """
    now = now or timezone.now()
    key = f"b{target.pk}-{int(now.timestamp() * 1_000_000)}"
    with transaction.atomic():
        if not DeliveryPolicy.objects.filter(
            target=target, mode=DeliveryPolicy.Mode.PRINTED_BUNDLE
        ).exists():
            return key, 0
        waiting = Delivery.objects.filter(
            target=target, status=Status.QUEUED, letter__status=Letter.Status.CONFIRMED
        ).exclude(held())
        ids = list(
            waiting.select_for_update(skip_locked=True, of=("self",))
            .order_by("-priority", "queued_at", "pk")
            .values_list("pk", flat=True)[: settings.PLUMA_BUNDLE_MAX_LETTERS]
        )
        claimed = Delivery.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            status=Status.SENDING,
            sending_at=now,
            lease_expires_at=None,
            message_id=bundle_message_id(key),
        )
    logger.info("Bundle %s prepared with %d letters", key, claimed)
    return key, claimed


def record_bundle_posted(*, key: str, now: datetime.datetime | None = None) -> int:
    """Mark every letter of a bundle sent (it went by post); returns how many moved.

    Only from sending, so recording the same bundle twice moves nothing the second time.
    """
    with transaction.atomic():
        moved = claim(
            bundle_deliveries(key),
            status=Status.SENT,
            sent_at=now or timezone.now(),
            error="",
            error_code="",
        )
        record_letter_events(
            kind=Kind.LETTER_SENT, delivery_ids=moved, status=Status.SENT, channel="post"
        )
    logger.info("Bundle %s posted: %d letters sent", key, len(moved))
    return len(moved)


def return_bundle(*, key: str) -> int:
    """Put an unposted bundle's letters back in the queue (a misprint, a change of plan)."""
    return bundle_deliveries(key).update(status=Status.QUEUED, message_id="", sending_at=None)


def _place(letter: Letter) -> str:
    country = letter.country.name if letter.country else ""
    return ", ".join(part for part in (letter.city, country) if part)


def _pages(key: str) -> Iterator[Delivery]:
    # A chunked iterator keeps the database side flat whatever the bundle's size.
    return (
        bundle_deliveries(key)
        .select_related("letter__supporter", "letter__case", "target")
        .order_by("-priority", "queued_at", "pk")
        .iterator(chunk_size=200)
    )


class _Writer:
    """Lines of text down an A4 page, starting a new page when one is full."""

    def __init__(self, canvas: Canvas, fonts: tuple[str, str]):
        self.canvas, (self.regular, self.bold) = canvas, fonts
        self.width, self.height = A4
        self.left, self.right, self.top, self.bottom = 25 * mm, 20 * mm, 25 * mm, 25 * mm
        self.y = self.height - self.top

    def line(self, text: str, *, size: float = 11, bold: bool = False, right: bool = False) -> None:
        font = self.bold if bold else self.regular
        usable = self.width - self.left - self.right
        for part in simpleSplit(text, font, size, usable) or [""]:
            if self.y < self.bottom:
                self.canvas.showPage()
                self.y = self.height - self.top
            self.canvas.setFont(font, size)
            if right:
                self.canvas.drawRightString(self.width - self.right, self.y, part)
            else:
                self.canvas.drawString(self.left, self.y, part)
            self.y -= size * 1.4

    def gap(self, points: float = 8) -> None:
        self.y -= points

    def footer(self, text: str) -> None:
        self.canvas.setFont(self.regular, 8)
        self.canvas.drawString(self.left, 12 * mm, text)


def write_bundle_pdf(*, key: str, out: BinaryIO) -> int:
    """Write the bundle's letters to ``out`` as a PDF, one letter per page; returns how many.

    Each page: the supporter's name and town, the target's name and postal address, the
    date, the subject, the salutation and the body. Never the supporter's email or
    postal address.
    """
    fonts = _fonts()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(gettext("Letters to post") + f" ({key})")
    count = 0
    for delivery in _pages(key):
        letter, target = delivery.letter, delivery.target
        values = placeholder_values(target=target, writer=letter, case=letter.case)
        body = fill_placeholders(letter.body, values).strip()
        count += 1
        writer = _Writer(canvas, fonts)
        with translation.override(target.language):
            writer.line(letter.name, bold=True, right=True)
            writer.line(_place(letter), right=True)
            writer.gap(24)
            for part in [target.name, target.title, target.organisation]:
                if part:
                    writer.line(part)
            for part in target.postal_address.splitlines():
                writer.line(part.strip())
            writer.gap(24)
            writer.line(formats.date_format(timezone.localdate(), "DATE_FORMAT"), right=True)
            writer.gap(12)
            writer.line(fill_placeholders(letter.subject, values), bold=True)
            writer.gap(12)
            # Sample letters usually open with {salutation}; add it only when missing.
            if target.salutation and target.salutation not in body[:200]:
                writer.line(f"{target.salutation}:")
                writer.gap()
            for paragraph in body.splitlines():
                writer.line(paragraph)
            writer.footer(f"UA {letter.case.number} · {key} · {count}")
        canvas.showPage()
    if not count:
        canvas.setFont(fonts[0], 11)
        canvas.drawString(25 * mm, A4[1] - 25 * mm, gettext("This bundle has no letters."))
        canvas.showPage()
    canvas.save()
    return count
