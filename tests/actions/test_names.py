"""What a supporter typed on a form is what that action carries: a post nobody confirmed,
made with someone else's address, never changes the name their letter goes out with."""

import re

import pytest
from django.core import mail

from letters import services
from letters.models import Delivery
from tests.factories import LetterTemplateFactory, PetitionFactory
from tests.forms import filled
from tests.letters.test_composing import run_queued

pytestmark = pytest.mark.django_db

VICTIM = "maria@example.net"
CONFIRM_PATH = re.compile(r"https?://[^/\s]+(?P<path>/\S*letter/confirm/[^/\s]+/)")


@pytest.fixture
def sample(case):
    return LetterTemplateFactory(
        case=case,
        language="es",
        subject="AU {ua_number}",
        body="{salutation}:\n\nLe pido que proteja al defensor.\n\nAtentamente,\n{supporter_name}",
    )


def write_and_confirm(client, case, official, callbacks_fixture) -> Delivery:
    with callbacks_fixture() as callbacks:
        response = client.post(
            f"/letter/{case.slug}/write/",
            filled(name="Maria Real", email=VICTIM, country="CA", targets=[official.pk]),
        )
    assert response.status_code == 302
    run_queued(callbacks)
    confirmation = mail.outbox[-1]
    assert confirmation.to == [VICTIM]
    assert confirmation.body.startswith("Hello Maria Real,")
    path = CONFIRM_PATH.search(confirmation.body)["path"]
    assert client.post(path).status_code == 302
    return Delivery.objects.get(letter__supporter__email=VICTIM)


def delivered_message(delivery: Delivery):
    mail.outbox.clear()
    services.deliver_many(delivery_ids=[delivery.pk])
    (message,) = mail.outbox
    return message


def test_a_report_made_first_with_the_address_and_no_name_leaves_the_letter_its_name(
    client, case, official, sample, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert client.post(f"/petition/{case.slug}/report/", filled(kind="called", email=VICTIM))
    delivery = write_and_confirm(client, case, official, django_capture_on_commit_callbacks)
    message = delivered_message(delivery)
    assert message.from_email.startswith('"Maria Real via ')
    assert message.body.rstrip().endswith("Atentamente,\nMaria Real")


def test_a_message_signed_by_someone_else_with_the_address_changes_nothing(
    client, case, official, sample, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    PetitionFactory(action=case, allows_solidarity_messages=True)
    response = client.post(
        f"/petition/{case.slug}/message/",
        filled(name="Chosen By Attacker", email=VICTIM, country="ES", message="Hola"),
    )
    assert response.status_code == 302
    delivery = write_and_confirm(client, case, official, django_capture_on_commit_callbacks)
    message = delivered_message(delivery)
    assert "Chosen By Attacker" not in message.from_email + message.body
    assert message.from_email.startswith('"Maria Real via ')
    # Confirming made the letter's details the supporter's own.
    assert delivery.letter.supporter.name == "Maria Real"
