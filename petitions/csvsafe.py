"""CSV that is safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return, which some spreadsheets strip
before looking) is run as a formula by Excel, LibreOffice and Google Sheets; a supporter
could type one as their name. Every CSV Pluma writes goes through safe_cell, which turns
such a cell into text with a leading apostrophe.
"""

import csv
from collections.abc import Iterable, Iterator

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], *, per_chunk: int = 500) -> Iterator[str]:
    """The rows as CSV text, every cell made safe, in chunks of ``per_chunk`` lines."""
    writer = csv.writer(_Echo())
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([safe_cell(cell) for cell in row]))
        if len(chunk) >= per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    return "".join(csv_lines(rows))
