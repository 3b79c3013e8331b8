"""The PDF of a delivery pack: the cover letter, the count by country, the list of names."""

import collections
import datetime
from typing import cast

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import Country
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from campaigns import pdf
from petitions.models import Petition

from .models import HandoverPack

NAMES_PER_COLUMN = 58


def verify_url(language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("handovers:verify")


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else _("Country not recorded")


def front_matter(
    pack: HandoverPack,
    language: str,
    breakdown: list[str],
    online_by_country: collections.Counter[str],
    paper_by_country: collections.Counter[str],
) -> list[Flowable]:
    action, recipient = pack.action, pack.recipient
    counted_until = pack.counted_until
    assert counted_until is not None  # a pack is drawn after its count is fixed
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
        # django-countries' stub types the field as CharField's str; it holds a Country.
        "country": escape(str(cast(Country, action.country).name)),
    }
    story: list[Flowable] = [
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
            % {"moment": counted_until.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M")},
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
                    country_name(code),
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


class NamePages:
    """Names drawn two columns a page, one line each, as they stream in."""

    SIZE = 8.5
    LEADING = 11.5

    def __init__(self, canvas: Canvas, *, footer_text: str) -> None:
        self.canvas = canvas
        self.footer_text = footer_text
        self.column_width = (pdf.BODY_WIDTH - 8 * mm) / 2
        self.line = 0
        self.column = 0
        self.text: PDFTextObject | None = None
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
        assert self.text is not None  # _begin_page began a column
        self.text.textLine(pdf.fit(f"{name} — {country}", self.column_width, size=self.SIZE))
        self.line += 1

    def finish(self) -> None:
        if self.started:
            self.canvas.drawText(self.text)
            pdf.footer(self.canvas, self.footer_text)
            self.canvas.showPage()
