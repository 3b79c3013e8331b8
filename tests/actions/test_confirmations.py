"""A letter confirmed after its case closed is not sent: the confirmation is refused with a
clear page (actions/confirmations.py, letters.services.composing.confirm_letters)."""

import pytest

from campaigns import services as campaigns
from campaigns.links import LinkTooLate
from letters.models import Delivery, Letter
from letters.services import composing
from petitions.models import Signature
from petitions.services import sign
from tests.factories import LetterFactory, PetitionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(case, official):
    letter = LetterFactory(case=case, targets=[official], is_also_signing=True)
    PetitionFactory(action=case)
    sign(
        action=case,
        name=letter.name,
        email=letter.supporter.email,
        country="CA",
        language="en",
        confirm_by_email=False,
    )
    return composing.make_token([letter.pk])


def test_a_letter_confirmed_after_the_close_is_not_sent_and_the_page_says_so(client, case, token):
    campaigns.close_action(action=case, outcome_kind="good_news", outcome="Ana Quej was released")

    for response in (
        client.get(f"/letter/confirm/{token}/"),
        client.post(f"/letter/confirm/{token}/"),
    ):
        assert response.status_code == 409
        page = response.content.decode()
        assert "closed on" in page and "your letter was not sent" in page
    assert not Delivery.objects.exists()
    assert Letter.objects.get().status == Letter.Status.PENDING_CONFIRMATION
    # Nor is the signature written with it added.
    assert Signature.objects.get().status == Signature.Status.PENDING
    with pytest.raises(LinkTooLate):
        composing.confirm_letters(token=token)


def test_before_the_close_the_same_link_sends_the_letter(client, case, token):
    assert client.post(f"/letter/confirm/{token}/").status_code == 302
    assert Delivery.objects.get().status == Delivery.Status.QUEUED
