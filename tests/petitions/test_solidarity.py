import shutil
import subprocess

import pytest

from petitions.models import SolidarityMessage
from petitions.services import solidarity
from tests.factories import (
    PetitionFactory,
    SolidarityMessageFactory,
    UrgentActionFactory,
    UserFactory,
)
from tests.forms import started

pytestmark = pytest.mark.django_db

FORM = {
    "started": started(),
    "name": "Marta Ruiz",
    "email": "marta@example.org",
    "country": "ES",
    "message": "¡Ánimo!",
}


@pytest.fixture
def case():
    return PetitionFactory(
        action=UrgentActionFactory(number="58/20"), allows_solidarity_messages=True
    ).action


def test_a_message_waits_for_moderation(client, case):
    response = client.post("/petition/58-20/message/", FORM)
    assert response.status_code == 302 and response["Location"] == "/petition/58-20/message/sent/"
    message = SolidarityMessage.objects.get()
    assert message.status == SolidarityMessage.Status.PENDING and message.message == "¡Ánimo!"
    assert not solidarity.approved_messages(case).exists()


def test_a_case_that_does_not_take_messages_refuses_them(client):
    PetitionFactory(action=UrgentActionFactory(number="58/20"))
    assert client.post("/petition/58-20/message/", FORM).status_code == 409
    assert client.get("/petition/58-20/message/").status_code == 409
    assert not SolidarityMessage.objects.exists()


@pytest.mark.parametrize(
    "change", [{"message": ""}, {"message": "x" * 501}, {"name": "=cmd"}, {"country": "XX"}]
)
def test_bad_messages_get_a_400(client, case, change):
    response = client.post("/petition/58-20/message/", {**FORM, **change})
    assert response.status_code == 400 and not SolidarityMessage.objects.exists()


def test_moderation_acts_only_from_pending(case):
    organizer = UserFactory()
    message = SolidarityMessageFactory(action=case)
    assert solidarity.moderate_message(message=message, approve=True, moderated_by=organizer)
    assert not solidarity.moderate_message(message=message, approve=False, moderated_by=organizer)
    message.refresh_from_db()
    assert message.status == "approved" and message.moderated_by == organizer


def test_organizers_moderate_in_the_admin(client, case):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    pending = SolidarityMessageFactory(action=case)
    rejected = SolidarityMessageFactory(action=case)
    listing = client.get("/admin/solidarity_messages/")
    assert listing.status_code == 200 and "csrfmiddlewaretoken" in listing.content.decode()
    assert client.post(f"/admin/solidarity_messages/{pending.pk}/approve/").status_code == 302
    assert client.post(f"/admin/solidarity_messages/{rejected.pk}/reject/").status_code == 302
    assert client.get(f"/admin/solidarity_messages/{pending.pk}/approve/").status_code == 405
    pending.refresh_from_db()
    rejected.refresh_from_db()
    assert (pending.status, rejected.status) == ("approved", "rejected")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_only_approved_messages_are_printed(client, case, tmp_path):
    SolidarityMessageFactory(action=case, message="Approved words", status="approved")
    SolidarityMessageFactory(action=case, message="Pending words")
    SolidarityMessageFactory(action=case, message="Rejected words", status="rejected")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(f"/admin/solidarity_messages/export/{case.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "messages.pdf"
    path.write_bytes(response.content)
    pdftotext = shutil.which("pdftotext")
    text = subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True).stdout  # noqa: S603
    assert "Approved words" in text
    assert "Pending words" not in text and "Rejected words" not in text
