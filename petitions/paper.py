"""Reading a CSV file of named paper signatures, and the report of what is wrong with it.

Every row is checked before anything is written: the import is all or nothing, so an
organizer fixes the file and imports it again rather than hunting for half a batch.
"""

import csv
import dataclasses
import datetime
import io

from django.utils.translation import gettext as _
from django_countries import countries

from campaigns.validators import has_control_characters

from .csvsafe import csv_text

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
REQUIRED_COLUMNS = ("name", "country")
OPTIONAL_COLUMNS = ("city", "collected_on")
MAX_LENGTHS = {"name": 120, "city": 100}


class FileProblem(Exception):
    """The file as a whole cannot be read; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclasses.dataclass(frozen=True)
class PaperRow:
    name: str
    country: str
    city: str
    collected_on: datetime.date | None


@dataclasses.dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str
    value: str


@dataclasses.dataclass
class ImportReport:
    rows: list[PaperRow]
    errors: list[RowError]

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def as_csv(self) -> str:
        """The errors as CSV; the values are what the file held, so they are made safe."""
        return csv_text(
            [("row", "column", "problem", "value")]
            + [(e.row, e.column, e.message, e.value) for e in self.errors]
        )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            _("The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”.")
        ) from None


def _country(value: str) -> str:
    code = countries.alpha2(value) if len(value) in (2, 3) else ""
    return code or countries.by_name(value) or countries.by_name(value, language="es") or ""


def _check_row(number: int, record: dict[str, str]) -> tuple[PaperRow | None, list[RowError]]:
    errors = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message, record.get(column, "")[:200]))

    values = {}
    for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
        value = " ".join((record.get(column) or "").split())
        if has_control_characters(record.get(column) or ""):
            error(column, _("contains control characters"))
        elif column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
            error(column, _("longer than %(n)d characters") % {"n": MAX_LENGTHS[column]})
        values[column] = value
    if not values["name"]:
        error("name", _("the name is missing"))
    country = ""
    if not values["country"]:
        error("country", _("the country is missing"))
    else:
        country = _country(values["country"])
        if not country:
            error("country", _("not a country: use a two-letter code such as CA or MX"))
    collected_on = None
    if values["collected_on"]:
        try:
            collected_on = datetime.date.fromisoformat(values["collected_on"])
        except ValueError:
            error("collected_on", _("not a date: write it as 2026-11-20"))
    if errors:
        return None, errors
    return PaperRow(values["name"], country, values["city"], collected_on), []


def read_paper_csv(data: bytes) -> ImportReport:
    """Check every row of the file. Raises FileProblem if the file cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise FileProblem(
            _("The file is larger than %(mb)d MB: split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)},
            status=413,
        )
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise FileProblem(_("The file is not valid CSV: %s") % exc) from None
    reader.fieldnames = header
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise FileProblem(
            _("The first row must name the columns; missing: %(missing)s. Allowed: %(allowed)s.")
            % {
                "missing": ", ".join(missing),
                "allowed": ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS),
            }
        )
    rows, errors = [], []
    try:
        for index, record in enumerate(reader):
            if index >= MAX_ROWS:
                raise FileProblem(
                    _("The file has more than %(n)d rows: split it into smaller files.")
                    % {"n": MAX_ROWS},
                    status=413,
                )
            if not any(
                (value or "").strip() for value in record.values() if isinstance(value, str)
            ):
                continue  # blank lines, common at the end of exported sheets
            row, row_errors = _check_row(index + 2, record)
            if row is not None:
                rows.append(row)
            errors.extend(row_errors)
    except csv.Error as exc:
        raise FileProblem(_("The file is not valid CSV: %s") % exc) from None
    if not rows and not errors:
        raise FileProblem(_("The file has no signatures in it."))
    return ImportReport(rows=rows, errors=errors)
