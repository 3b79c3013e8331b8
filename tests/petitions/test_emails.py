import pytest

from petitions.emails import canonical_email


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("  Ana@Example.ORG ", "ana@example.org"),
        ("ana+petitions@example.org", "ana@example.org"),
        ("a.n.a@example.org", "a.n.a@example.org"),
        ("A.Na+x@gmail.com", "ana@gmail.com"),
        ("a.na@googlemail.com", "ana@gmail.com"),
        ("+only@example.org", "+only@example.org"),
    ],
)
def test_canonical_email_recognises_one_person(typed, canonical):
    assert canonical_email(typed) == canonical
