"""Writing a letter and signing with it, and confirming both with one link."""

import pytest
from django.core import mail

from actions import services
from letters.models import Letter
from petitions.models import Signature
from tests.factories import (
    LetterTemplateFactory,
    PetitionFactory,
    SignatureFactory,
    SupporterFactory,
)
from tests.letters.test_composing import CONFIRM_URL, queued, run_queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def samples(case):
    return LetterTemplateFactory(case=case, language="es")


def write(action, **changes) -> list[Letter]:
    arguments = {
        "action": action,
        "name": "Ana López",
        "email": "ana@example.net",
        "country": "CA",
        "city": "Ottawa",
        "language": "en",
        "target_ids": [link.target_id for link in action.action_targets.all()],
        "texts": {},
    }
    arguments.update(changes)
    return services.write_letter(**arguments)


def confirmation_token(callbacks) -> str:
    run_queued(callbacks)
    return CONFIRM_URL.search(mail.outbox[-1].body)["token"]


def test_writing_and_signing_at_once_confirms_both_with_one_link(
    case, official, samples, django_capture_on_commit_callbacks
):
    PetitionFactory(action=case)
    with django_capture_on_commit_callbacks() as callbacks:
        write(case, also_sign=True)
    # One email: the signature waits for the letter's link, it sends none of its own.
    assert [name for name, _ in queued(callbacks)] == ["letters.tasks.send_letter_confirmation"]
    signature = Signature.objects.get(action=case)
    assert (signature.status, signature.name, signature.source) == (
        "pending",
        "Ana López",
        "letter",
    )

    services.confirm_letters(token=confirmation_token(callbacks))

    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED
    assert Letter.objects.get().status == Letter.Status.CONFIRMED


def test_without_a_petition_the_box_signs_nothing(
    case, official, samples, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        (letter,) = write(case, also_sign=True)
    assert not letter.is_also_signing
    assert not Signature.objects.exists()


def test_writing_without_the_box_leaves_a_pending_signature_alone(
    case, official, samples, django_capture_on_commit_callbacks
):
    PetitionFactory(action=case)
    supporter = SupporterFactory(email="ana@example.net", email_canonical="ana@example.net")
    signature = SignatureFactory(action=case, supporter=supporter)
    with django_capture_on_commit_callbacks() as callbacks:
        write(case, also_sign=False)
    services.confirm_letters(token=confirmation_token(callbacks))
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING
