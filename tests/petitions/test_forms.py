import pytest

from petitions.forms import signature_form
from tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db

VALID = {"name": "Ana López", "email": "ana@example.org", "country": "CA"}


def test_the_petition_chooses_which_optional_fields_the_form_has():
    petition = PetitionFactory(postal_code_field="required", city_field="optional")

    form = signature_form(petition, VALID)

    assert "comment" not in form.fields
    assert form.fields["postal_code"].required
    assert not form.fields["city"].required
    assert not form.is_valid()
    assert form.errors["postal_code"] == ["Please fill in this field."]
    assert "postal_code" not in signature_form(None).fields


def test_forms_of_one_layout_share_a_class_but_not_their_field_lists():
    petition = PetitionFactory(comment_field="optional")
    first, second = signature_form(petition), signature_form(petition)
    del first.fields["comment"]

    assert type(first) is type(second)
    assert "comment" in second.fields
    assert "comment" in signature_form(petition).fields
    assert type(signature_form(None)) is not type(first)


def test_the_challenge_is_asked_only_where_the_petition_wants_it():
    assert signature_form(PetitionFactory(requires_challenge=True)).requires_challenge
    assert not signature_form(PetitionFactory()).requires_challenge
    assert not signature_form(None).requires_challenge
