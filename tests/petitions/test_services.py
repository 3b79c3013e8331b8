import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.links import LinkNotCounted
from campaigns.models import Consent, EmailRequest, Supporter, UrgentAction
from petitions import counts, services, tokens
from petitions.models import Signature
from tests.factories import SignatureFactory, UrgentActionFactory
from tests.forms import answer_email_requests

from .helpers import dispatch_requested, last_token, queued, run_queued

pytestmark = pytest.mark.django_db


def sign(action, email="ana@example.org", **kwargs):
    fields = {"name": "Ana López", "country": "CA", "language": "en", **kwargs}
    return services.sign(action=action, email=email, **fields)


def notices():
    return [message for message in mail.outbox if "already signed" in message.subject]


def test_signing_writes_a_pending_signature_and_queues_its_confirmation(
    django_capture_on_commit_callbacks,
):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        result = sign(action, email=" Ana+ua@Example.org", source="newsletter")

    signature = Signature.objects.get()
    assert result.is_new and result.signature == signature
    assert signature.status == Signature.Status.PENDING
    assert signature.source == "newsletter"
    assert signature.supporter.email_canonical == "ana@example.org"
    assert signature.supporter.email == "Ana+ua@Example.org"
    assert dispatch_requested(callbacks) and queued(callbacks) == []
    assert signature.link_due_at is not None
    assert services.due_confirmations(now=timezone.now()) == [signature.pk]
    assert not Consent.objects.exists()


def test_confirmation_email_is_in_the_supporters_language(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        sign(action, language="es")
    run_queued(callbacks)

    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "/es/petition/confirm/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_ticked_consent_keeps_the_exact_text_and_page_revision():
    action = UrgentActionFactory()
    sign(action, consent_text="Yes, email me updates about this case.", page_revision_id=42)

    consent = Consent.objects.get()
    assert consent.kind == Consent.Kind.CASE_UPDATES
    assert consent.text == "Yes, email me updates about this case."
    assert consent.page_revision_id == 42
    assert consent.action == action


def test_signing_twice_keeps_one_signature_and_emails_a_notice(
    django_capture_on_commit_callbacks,
):
    action = UrgentActionFactory()
    first = sign(action, email="a.na@gmail.com")
    with django_capture_on_commit_callbacks() as callbacks:
        second = sign(action, email="Ana+again@googlemail.com", name="Someone Else")

    assert Signature.objects.count() == 1
    assert Supporter.objects.count() == 1
    assert not second.is_new and second.signature_id == first.signature.pk
    assert Signature.objects.get().name == "Ana López"
    # The same request a first sign-up makes: a dispatch, and nothing enqueued of its own.
    assert dispatch_requested(callbacks) and queued(callbacks) == []
    run_queued(callbacks)
    assert "already signed" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["a.na@gmail.com"]


def test_already_signed_notices_stop_after_three_per_case(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    sign(action)
    for _ in range(6):
        with django_capture_on_commit_callbacks() as callbacks:
            sign(action)
        run_queued(callbacks)

    assert len(notices()) == services.MAX_NOTICES == 3
    assert Signature.objects.get().notices_sent == 3


def test_repeats_before_the_dispatch_send_one_notice(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    sign(action)
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(4):
            sign(action)
    run_queued(callbacks)
    assert len(notices()) == 1


def test_the_same_person_can_sign_different_cases():
    sign(UrgentActionFactory())
    sign(UrgentActionFactory())
    assert Signature.objects.count() == 2
    assert Supporter.objects.count() == 1


@pytest.mark.parametrize("status", [UrgentAction.Status.CLOSED, UrgentAction.Status.DRAFT])
def test_closed_and_draft_cases_refuse_signatures(status):
    action = UrgentActionFactory(status=status, closed_at=timezone.now())
    with pytest.raises(services.SigningClosed):
        sign(action)
    assert not Signature.objects.exists()


def test_a_case_closed_after_the_page_read_it_refuses_and_writes_nothing():
    """The signing view works from a copy of the case up to seconds old
    (campaigns/public.py); the write itself checks the case is still open."""
    action = UrgentActionFactory()
    UrgentAction.objects.filter(pk=action.pk).update(
        status=UrgentAction.Status.CLOSED, closed_at=timezone.now()
    )
    assert action.is_open  # the stale copy
    with pytest.raises(services.SigningClosed):
        sign(action, consent_text="Yes, email me updates about this case.")
    assert not Signature.objects.exists()
    assert not Supporter.objects.exists()
    assert not Consent.objects.exists()


def test_both_consents_are_stored_word_for_word_with_a_new_signature():
    action = UrgentActionFactory()
    result = sign(
        action,
        consent_text="Updates, please.",
        share_name_text="Share my name.",
        page_revision_id=7,
    )
    consents = {c.kind: c for c in Consent.objects.filter(supporter=result.signature.supporter)}
    assert consents[Consent.Kind.CASE_UPDATES].text == "Updates, please."
    assert consents[Consent.Kind.SHARE_NAME].text == "Share my name."
    assert {c.page_revision_id for c in consents.values()} == {7}
    assert {c.action_id for c in consents.values()} == {action.pk}


def test_a_repeated_sign_up_adds_no_consent_and_changes_no_name():
    action = UrgentActionFactory()
    first = sign(action, name="Ana López", consent_text="Updates, please.")
    again = sign(action, name="Someone Else", consent_text="Updates, please.")
    assert again.signature_id == first.signature.pk and not again.is_new
    assert Consent.objects.count() == 1
    assert Signature.objects.get().name == "Ana López"
    # Nobody confirmed anything: the supporter row carries no one's name yet.
    assert Supporter.objects.get().name == ""


def test_confirming_a_signature_makes_its_details_the_supporters(
    django_capture_on_commit_callbacks,
):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        sign(action, name="Ana López", country="MX")
    run_queued(callbacks)
    services.confirm_signature(token=last_token())
    supporter = Supporter.objects.get()
    assert (supporter.name, supporter.country.code) == ("Ana López", "MX")


def test_confirming_counts_the_signature_once(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        sign(action)
    run_queued(callbacks)
    token = last_token()

    signature = services.confirm_signature(token=token)

    assert signature.status == Signature.Status.CONFIRMED
    assert signature.confirmed_at is not None
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 1
    with pytest.raises(tokens.LinkUsed):
        services.confirm_signature(token=token)
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 1


def test_confirming_acts_only_from_pending():
    signature = SignatureFactory(status=Signature.Status.CONFIRMED, confirmed_at=timezone.now())
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    with pytest.raises(tokens.LinkUsed):
        services.confirm_signature(token=token)


def test_a_link_with_another_nonce_does_not_confirm():
    signature = SignatureFactory()
    token = tokens.make_token(signature_id=signature.pk, nonce="guessed")
    with pytest.raises(tokens.LinkUsed):
        services.confirm_signature(token=token)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_expired_links_do_not_confirm(settings):
    signature = SignatureFactory()
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    settings.PLUMA_CONFIRM_LINK_MAX_AGE = -1
    with pytest.raises(tokens.LinkExpired):
        services.confirm_signature(token=token)
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_tampered_links_are_invalid():
    signature = SignatureFactory()
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    with pytest.raises(tokens.LinkInvalid):
        services.confirm_signature(token=token[:-2] + "xx")


def test_flagged_signatures_are_never_confirmed_and_never_count():
    action = UrgentActionFactory()
    result = sign(action, flag_reason="rate limit")
    token = tokens.make_token(signature_id=result.signature.pk, nonce=result.signature.nonce)
    with pytest.raises(LinkNotCounted):
        services.confirm_signature(token=token)
    assert (
        services.confirm_pending_signature(
            action_id=action.pk, supporter_id=result.signature.supporter_id
        )
        is None
    )
    assert Signature.objects.get().status == Signature.Status.PENDING
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 0


def test_resending_queues_a_new_link_only_for_a_pending_signature(
    django_capture_on_commit_callbacks,
):
    action = UrgentActionFactory()
    pending = sign(action, email="ana@example.org").signature
    # The request itself looks nothing up: the same row for any address.
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.resend_confirmation(action=action, email="ANA@example.org") is None
        assert services.resend_confirmation(action=action, email="nobody@example.org") is None
    assert queued(callbacks) == []
    assert EmailRequest.objects.count() == 2
    with django_capture_on_commit_callbacks() as callbacks:
        answer_email_requests()
    assert queued(callbacks) == [("petitions.tasks.send_confirmation", (pending.pk,))]


def test_resending_is_capped(django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    sign(action)
    for _ in range(10):
        services.resend_confirmation(action=action, email="ana@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        answer_email_requests()
    # The first link was sent on signing.
    assert len(queued(callbacks)) == services.MAX_LINKS - 1


def test_no_confirmation_email_once_confirmed():
    signature = SignatureFactory(status=Signature.Status.CONFIRMED, confirmed_at=timezone.now())
    assert services.send_confirmation(signature_id=signature.pk) is False
    assert mail.outbox == []


# --- the confirmation emails' outbox ------------------------------------------------------


@pytest.fixture
def handed_out(monkeypatch):
    """The batches dispatch_confirmations hands to workers, instead of the broker."""
    from petitions import tasks

    batches = []
    monkeypatch.setattr(tasks.send_confirmations, "delay", batches.append)
    return batches


def test_a_burst_of_sign_ups_is_sent_by_one_dispatch(handed_out):
    action = UrgentActionFactory()
    signatures = [sign(action, email=f"ana{n}@example.org").signature for n in range(3)]

    assert services.dispatch_confirmations() == 3
    assert handed_out == [[s.pk for s in signatures]]
    assert services.dispatch_confirmations() == 0  # a worker is on them

    assert services.send_due_confirmations(signature_ids=handed_out[0]) == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"ana{n}@example.org" for n in range(3)]
    assert not Signature.objects.filter(link_due_at__isnull=False).exists()


def test_a_retried_batch_sends_nothing_twice(handed_out):
    signature = sign(UrgentActionFactory()).signature
    services.dispatch_confirmations()
    services.send_due_confirmations(signature_ids=[signature.pk])
    services.send_due_confirmations(signature_ids=[signature.pk])
    assert len(mail.outbox) == 1


def test_a_confirmation_handed_out_but_never_sent_goes_again_after_the_lease(handed_out):
    signature = sign(UrgentActionFactory()).signature
    services.dispatch_confirmations()
    later = timezone.now() + services.CONFIRMATION_LEASE + datetime.timedelta(seconds=1)
    assert services.dispatch_confirmations(now=later) == 1
    assert handed_out == [[signature.pk], [signature.pk]]


def test_flagged_sign_ups_and_sign_ups_with_a_letter_wait_for_no_email(handed_out):
    action = UrgentActionFactory()
    sign(action, email="bot@example.org", flag_reason="honeypot")
    sign(action, email="writer@example.org", confirm_by_email=False)
    assert services.dispatch_confirmations() == 0


def test_confirming_before_the_email_went_cancels_it(handed_out):
    signature = sign(UrgentActionFactory()).signature
    Signature.objects.filter(pk=signature.pk).update(
        status=Signature.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    assert services.dispatch_confirmations() == 0
