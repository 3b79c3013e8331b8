"""A signature confirmed after its case closed does not count, and the page says so."""

import pytest

from campaigns import services as campaigns
from campaigns.links import LinkTooLate
from petitions import counts, services, tokens
from petitions.models import Signature
from tests.factories import SignatureFactory

pytestmark = pytest.mark.django_db


def close(action) -> None:
    campaigns.close_action(action=action, outcome_kind="good_news", outcome="Ana Quej was released")
    action.refresh_from_db()


def test_a_signature_confirmed_after_the_close_is_not_counted_and_the_page_says_so(client):
    signature = SignatureFactory()
    action = signature.action
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    close(action)

    for response in (
        client.get(f"/petition/confirm/{token}/"),
        client.post(f"/petition/confirm/{token}/"),
    ):
        assert response.status_code == 409
        page = response.content.decode()
        assert "This case has closed" in page
        assert "closed on" in page and "your signature was not added" in page
        assert "Confirm my signature" not in page  # nothing to press
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING and signature.confirmed_at is None
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 0


def test_the_service_refuses_a_late_confirmation(client):
    signature = SignatureFactory()
    close(signature.action)
    with pytest.raises(LinkTooLate):
        services.confirm_signature(
            token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
        )
    assert (
        services.confirm_pending_signature(
            action_id=signature.action_id, supporter_id=signature.supporter_id
        )
        is None
    )


def test_a_reopened_case_takes_the_confirmation(client):
    signature = SignatureFactory()
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    close(signature.action)
    campaigns.reopen_action(action=signature.action)
    assert client.post(f"/petition/confirm/{token}/").status_code == 302
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
