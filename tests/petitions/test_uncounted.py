"""A sign-up the defences flagged never counts, and its owner is told so, with how to sign
again: never a link to confirm it, never "Thank you: your signature counts".

Flagged: the trap box filled in (by a script, or by a browser filling in forms by itself),
or, before over-the-limit and too-fast posts were refused outright, one of too many from a
network or one sent too fast. The ones refused outright are told at once: 429, or the form
sent back (tests/campaigns/test_defences.py).
"""

import pytest
from django.core import mail

from campaigns import defences
from campaigns.links import LinkNotCounted
from letters.models import Delivery
from petitions import counts, services, tokens
from petitions.models import Signature
from tests.factories import (
    ActionTargetFactory,
    LetterTemplateFactory,
    PetitionFactory,
    SignatureFactory,
    SupporterFactory,
    UrgentActionFactory,
)
from tests.forms import filled
from tests.petitions.helpers import run_queued

pytestmark = pytest.mark.django_db

ADDRESS = "ana@example.org"


def sign_up(client, action, callbacks_fixture, **data):
    with callbacks_fixture() as callbacks:
        response = client.post(
            f"/petition/{action.slug}/sign/",
            filled(name="Ana López", email=ADDRESS, country="CA", **data),
        )
    run_queued(callbacks)
    return response


def ask_for_a_new_link(client, action, callbacks_fixture):
    with callbacks_fixture() as callbacks:
        response = client.post(f"/petition/{action.slug}/new-link/", filled(email=ADDRESS))
    run_queued(callbacks)
    return response


def flagged(action, reason: str) -> Signature:
    return SignatureFactory(
        action=action,
        supporter=SupporterFactory(email=ADDRESS),
        is_flagged=True,
        flag_reason=reason,
    )


def counted(action) -> int:
    counts.forget(action.pk)
    return counts.confirmed_count(action.pk)


def test_a_flagged_sign_up_asking_for_a_new_link_is_told_it_cannot_count_and_signs_again(
    client, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    response = sign_up(client, action, django_capture_on_commit_callbacks, website="ana.example")
    assert response["Location"] == f"/petition/{action.slug}/check-your-email/"
    assert Signature.objects.get().is_flagged and not mail.outbox

    response = ask_for_a_new_link(client, action, django_capture_on_commit_callbacks)
    # The same answer as for anyone: nothing to probe.
    assert response["Location"] == f"/petition/{action.slug}/check-your-email/"
    [email] = mail.outbox
    assert email.to == [ADDRESS]
    assert "could not count" in email.subject
    assert "/petition/confirm/" not in email.body  # nothing to confirm
    assert "fill in the form on the case page again" in email.body
    assert not Signature.objects.exists()  # it would stand in the way of one that counts

    # Signing again, by hand, is a first sign-up: confirmed, it counts.
    sign_up(client, action, django_capture_on_commit_callbacks)
    token = tokens.make_token(
        signature_id=Signature.objects.get().pk, nonce=Signature.objects.get().nonce
    )
    response = client.post(f"/petition/confirm/{token}/", follow=True)
    assert "Thank you: your signature counts" in response.content.decode()
    assert counted(action) == 1


@pytest.mark.parametrize(
    ("reason", "advice"),
    [
        (defences.Flag.RATE_LIMIT, "wait an hour"),
        ("filled in too fast", "a few seconds"),
        (defences.Flag.HONEYPOT, "a few seconds"),
    ],
)
def test_an_earlier_flagged_sign_up_is_told_how_to_sign_again(
    client, reason, advice, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    flagged(action, reason)
    ask_for_a_new_link(client, action, django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert "/petition/confirm/" not in email.body
    assert advice in email.body


def test_signing_again_over_a_flagged_sign_up_is_told_it_did_not_count_never_sent_a_link(
    client, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    flagged(action, defences.Flag.RATE_LIMIT)
    response = sign_up(client, action, django_capture_on_commit_callbacks)
    assert response["Location"] == f"/petition/{action.slug}/check-your-email/"
    [email] = mail.outbox
    assert "/petition/confirm/" not in email.body
    assert "could not count" in email.subject
    # And the next sign-up is a first one.
    sign_up(client, action, django_capture_on_commit_callbacks)
    assert not Signature.objects.get().is_flagged
    assert "/petition/confirm/" in mail.outbox[-1].body


def test_a_link_to_a_flagged_sign_up_says_it_cannot_count_and_counts_nothing(client):
    action = UrgentActionFactory()
    signature = flagged(action, defences.Flag.HONEYPOT)
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    for response in (
        client.get(f"/petition/confirm/{token}/"),
        client.post(f"/petition/confirm/{token}/"),
    ):
        page = response.content.decode()
        assert response.status_code == 409
        assert "This signature cannot count" in page
        assert "Thank you" not in page and "Confirm my signature" not in page
        assert "Send me a new link" in page  # which tells them how to sign again
    with pytest.raises(LinkNotCounted):
        services.confirm_signature(token=token)
    assert Signature.objects.get().status == Signature.Status.PENDING
    assert counted(action) == 0


def test_a_letter_that_also_signs_replaces_a_flagged_sign_up_and_its_signature_counts(
    client, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    PetitionFactory(action=action)
    official = ActionTargetFactory(action=action).target
    LetterTemplateFactory(case=action, language="es")
    flagged(action, defences.Flag.HONEYPOT)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/letter/{action.slug}/write/",
            filled(
                name="Ana López",
                email=ADDRESS,
                country="CA",
                targets=[official.pk],
                also_sign="on",
            ),
        )
    assert response.status_code == 302
    run_queued(callbacks)
    [email] = mail.outbox
    link = email.body[email.body.index("/letter/confirm/") :].split()[0]
    client.post(link)
    assert Delivery.objects.count() == 1
    signature = Signature.objects.get()
    assert signature.status == Signature.Status.CONFIRMED and not signature.is_flagged
    assert counted(action) == 1
