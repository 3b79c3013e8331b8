import pytest
from django.core.exceptions import ValidationError

from campaigns.validators import (
    MAX_SUPPORTER_NAME,
    clean_supporter_name,
    has_control_characters,
    validate_supporter_name,
)


@pytest.mark.parametrize(
    "name",
    [
        "Ana Pérez",
        "María José O'Neill-García",
        "李小龍",
        "Jean-Luc d'Aubigné",
        "a" * MAX_SUPPORTER_NAME,
        "Dr. Ana Pérez",
        "Ana. Mérida",
    ],
)
def test_ordinary_names_are_accepted(name):
    validate_supporter_name(name)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("a" * (MAX_SUPPORTER_NAME + 1), "max_length"),
        ("Ana\nBcc: spam@example.org", "control_characters"),
        ("Ana\x00Pérez", "control_characters"),
        ("Ana\u202ePérez", "control_characters"),  # a bidi override hides what it says
        ("Ana\u200bPérez", "control_characters"),  # zero-width space
        ("Ana http://spam.example", "url"),
        ("Visit www.spam", "url"),
        ("cheap-pills.com", "url"),
        ("SPAM.XYZ", "url"),
        ("=HYPERLINK(1)", "formula"),
        ("+34 600 000 000", "formula"),
        ("-Ana", "formula"),
        ("@ana", "formula"),
    ],
)
def test_names_breaking_a_rule_are_refused_with_that_rules_code(name, code):
    with pytest.raises(ValidationError) as refused:
        validate_supporter_name(name)

    assert refused.value.code == code


@pytest.mark.parametrize(
    "name",
    [
        "علی\u200cرضا",  # Persian: Alireza, with the zero-width non-joiner it needs
        "अर्\u200dजुन",  # Marathi: the joiner after the virama gives the eyelash ra
        "Donau\u00addampfschiff",  # a soft hyphen where the word may break
    ],
)
def test_joiners_and_soft_hyphens_inside_words_are_accepted(name):
    validate_supporter_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "\u200dAna",  # a joiner joins nothing at the start,
        "Ana\u200c",  # or at the end,
        "Ana \u00adLópez",  # or after a space,
        "A\u200c\u200cna",  # and two hide one another
        "Ana\u2066López",  # a bidi isolate
        "Ana\u200eLópez",  # a left-to-right mark
        "Ana\u2060López",  # a word joiner
    ],
)
def test_other_format_characters_and_stray_joiners_are_still_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_supporter_name(name)

    assert refused.value.code == "control_characters"


def test_a_too_long_name_is_told_the_limit():
    with pytest.raises(ValidationError) as refused:
        validate_supporter_name("a" * 200)

    assert "120 characters" in refused.value.messages[0]


def test_clean_supporter_name_collapses_runs_of_spaces():
    assert clean_supporter_name("  Ana   María \u00a0 Pérez ") == "Ana María Pérez"


def test_has_control_characters_lets_through_only_what_is_allowed():
    assert has_control_characters("line\nbreak")
    assert not has_control_characters("line\nbreak", allowed="\n")
    assert has_control_characters("tab\tand\nbreak", allowed="\n")
    assert not has_control_characters("Ñandú")
