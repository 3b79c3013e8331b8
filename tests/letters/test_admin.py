import pytest
from django.urls import reverse

from letters import services
from letters.models import Delivery, LetterTemplate
from tests.factories import LetterTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_the_sample_letter_preview_shows_it_for_the_first_primary_target(admin, case, official):
    template = LetterTemplateFactory(case=case)
    response = admin.get(reverse("letter_templates:inspect", args=[template.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Señor Gobernador:" in html
    assert "UA 58/20: proteja al defensor" in html
    assert "Ana López" in html


def test_a_preview_without_targets_says_what_is_missing(admin, case):
    template = LetterTemplateFactory(case=case)
    response = admin.get(reverse("letter_templates:inspect", args=[template.pk]))
    assert "Add a primary target" in response.content.decode()


def test_an_editor_adds_a_sample_letter_and_a_second_in_the_same_language_is_refused(admin, case):
    data = {"case": case.pk, "language": "es", "subject": "UA {ua_number}", "body": "{ oops"}
    assert admin.post(reverse("letter_templates:add"), data).status_code == 302
    response = admin.post(reverse("letter_templates:add"), data)
    assert response.status_code == 200
    assert "already has a sample letter in this language" in response.content.decode()
    assert LetterTemplate.objects.count() == 1


def test_the_outbox_lists_deliveries_by_status_and_cannot_be_edited(admin, letter, official):
    services.queue_letter(letter=letter)
    delivery = Delivery.objects.get()
    response = admin.get(reverse("deliveries:index"), {"status": "queued"})
    assert response.status_code == 200
    assert str(official.name) in response.content.decode()
    assert admin.get(reverse("deliveries:edit", args=[delivery.pk])).status_code in (302, 403)
    assert admin.get(reverse("deliveries:add")).status_code in (302, 403)
    assert admin.get(reverse("deliveries:inspect", args=[delivery.pk])).status_code == 200


def test_the_counts_show_letters_per_case_and_target(admin, letter, official):
    services.queue_letter(letter=letter)
    services.deliver(delivery_id=Delivery.objects.get().pk)
    response = admin.get(reverse("letter_counts:index"), {"case": letter.case.pk})
    assert response.status_code == 200
    row = response.context["rows"][0]
    assert (row["letter__case__number"], row["total"], row["sent"]) == ("58/20", 1, 1)


def test_the_counts_ignore_a_malformed_case_filter(admin, letter):
    assert admin.get(reverse("letter_counts:index"), {"case": "x'"}).status_code == 200


def test_the_counts_are_for_organisers_only(client, letter):
    client.force_login(UserFactory(is_staff=False))
    assert admin_status(client) in (302, 403)


def admin_status(client) -> int:
    return client.get(reverse("letter_counts:index")).status_code
