import csv
import io

import pytest

from petitions.csvsafe import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ana López", "Ana López"),
        ("Ana = López", "Ana = López"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_made_text(value, expected):
    assert safe_cell(value) == expected


def test_csv_text_neutralises_every_cell_and_stays_valid_csv():
    text = csv_text([("name", "city"), ('=HYPERLINK("http://x","y")', "@home, sweet")])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "city"],
        ['\'=HYPERLINK("http://x","y")', "'@home, sweet"],
    ]
