import re

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from campaigns.models import ActionTarget, Consent, Supporter
from letters.models import Delivery, Letter
from tests.factories import (
    ActionTargetFactory,
    EmbassyFactory,
    LetterTemplateFactory,
    PetitionFactory,
    TargetFactory,
    UrgentActionFactory,
)
from tests.forms import started
from tests.letters.test_composing import queued, run_queued

pytestmark = pytest.mark.django_db

CONFIRM_PATH = re.compile(r"https?://[^/\s]+(?P<path>/\S*letter/confirm/[^/\s]+/)")


@pytest.fixture
def samples(case):
    LetterTemplateFactory(case=case, language="es")
    LetterTemplateFactory(
        case=case,
        language="en",
        subject="UA {ua_number}: protect the defender",
        body="{salutation},\n\nI am writing to ask you to protect the defender.\n\n{supporter_name}",
    )


@pytest.fixture
def copy_official(case):
    target = TargetFactory(name="Secretaría de Gobernación", salutation="Señora Secretaria")
    ActionTargetFactory(action=case, target=target, tier=ActionTarget.Tier.COPY)
    return target


@pytest.fixture
def embassy(case):
    case.writes_to_embassy = True
    case.save()
    return EmbassyFactory(accredited_to_country="CA", name="Embassy of Mexico in Canada")


def write_url(case) -> str:
    return reverse("actions:write_letter", kwargs={"slug": case.slug})


def post_data(case, official, **changes) -> dict:
    data = {
        "started": started(),
        "name": "Ana López",
        "email": "ana@example.net",
        "city": "Ottawa",
        "country": "CA",
        "targets": [official.pk],
        "subject_es": "UA 58/20: proteja al defensor",
        "body_es": "{salutation}:\n\nLe escribo desde Canadá para pedirle que proteja al defensor.",
    }
    data.update(changes)
    return data


def test_the_case_page_box_preselects_primary_targets_and_is_the_same_for_everyone(
    case, official, copy_official
):
    first = render_to_string("actions/letters/_write_form.html", {"action": case})
    assert first == render_to_string("actions/letters/_write_form.html", {"action": case})
    assert "csrfmiddlewaretoken" not in first
    assert re.search(rf'value="{official.pk}"[^>]*checked', first)
    assert not re.search(rf'value="{copy_official.pk}"[^>]*checked', first)
    assert 'method="get"' in first


def test_the_letter_is_shown_in_the_targets_language_beside_the_sample_in_mine(
    client, case, official, samples, embassy
):
    response = client.get(write_url(case), {"country": "CA", "targets": [official.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    # Spanish for the governor, English for the embassy in Canada, which is added for them.
    assert 'name="body_es"' in html and 'name="body_en"' in html
    assert "Embassy of Mexico in Canada" in html
    # The preview addresses the governor by his own salutation; the English sample is beside.
    assert "Señor Gobernador:" in html
    assert "I am writing to ask you to protect the defender." in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_without_a_choice_the_page_asks_for_one(client, case, official):
    response = client.get(write_url(case))
    assert response.status_code == 200
    assert 'name="country"' in response.content.decode()


def test_a_target_of_another_case_in_the_choice_is_a_400(client, case, official):
    other = ActionTargetFactory(action=UrgentActionFactory()).target
    response = client.get(write_url(case), {"country": "CA", "targets": [other.pk]})
    assert response.status_code == 400
    assert "not on this case" in response.content.decode()


def test_writing_redirects_to_check_your_email_and_queues_the_confirmation(
    client, case, official, samples, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(write_url(case), post_data(case, official))
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:check_email", kwargs={"slug": case.slug})
    letter = Letter.objects.get()
    assert letter.language == "es" and letter.status == Letter.Status.PENDING_CONFIRMATION
    assert letter.personal_share > 0 and not letter.is_identical_to_sample
    assert queued(callbacks) == [("letters.tasks.send_letter_confirmation", ([letter.pk],))]


def test_a_group_the_page_did_not_show_starts_from_the_sample(
    client, case, official, samples, embassy
):
    # The page showed only Spanish; the embassy's English letter is the sample, unchanged.
    response = client.post(write_url(case), post_data(case, official))
    assert response.status_code == 302
    english = Letter.objects.get(language="en")
    assert english.is_identical_to_sample and list(english.targets.all()) == [embassy]


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "Ana http://spam.example"},
        {"name": "Ana\x07López"},
        {"name": "=HYPERLINK(1)"},
        {"name": ""},
        {"email": "not an email"},
        {"country": "XX"},
        {"targets": []},
        {"targets": ["other case"]},
        {"targets": ["abc"]},
        {"subject_es": "Hello\r\nBcc: victim@example.org"},
        {"subject_es": "x" * 201},
        {"body_es": "too short"},
        {"body_es": "x" * 6001},
        {"body_es": "Señor\x00 Gobernador, proteja al defensor por favor."},
        {"city": "Ottawa\r\nBcc: victim@example.org"},
        {"city": "Ottawa\u2028Ontario"},
    ],
)
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(
    client, case, official, samples, changes
):
    if changes.get("targets") == ["other case"]:
        changes["targets"] = [ActionTargetFactory(action=UrgentActionFactory()).target_id]
    response = client.post(write_url(case), post_data(case, official, **changes))
    assert response.status_code == 400
    assert "Please correct the fields marked below." in response.content.decode()
    assert not Letter.objects.exists() and not Supporter.objects.exists()


def test_a_closed_case_refuses_letters_with_a_409(client, case, official):
    case.status = case.Status.CLOSED
    case.closed_at = case.opened_at
    case.save()
    response = client.post(write_url(case), post_data(case, official))
    assert response.status_code == 409
    assert not Letter.objects.exists()


def test_a_draft_case_does_not_exist(client):
    draft = UrgentActionFactory(status="draft")
    assert client.get(write_url(draft)).status_code == 404


@pytest.mark.parametrize("slug", ["%00", "58-20%00", "5" * 300])
def test_a_case_number_that_cannot_be_one_is_not_found(client, case, official, slug):
    assert client.get(f"/letter/{slug}/write/").status_code == 404
    assert client.post(f"/letter/{slug}/write/", post_data(case, official)).status_code == 404
    for page in ("check-your-email", "thank-you"):
        assert client.get(f"/letter/{slug}/{page}/").status_code == 404
    assert not Letter.objects.exists()


def _confirm_path(client, case, data, callbacks_fixture, url: str = "") -> str:
    with callbacks_fixture() as callbacks:
        assert client.post(url or write_url(case), data).status_code == 302
    run_queued(callbacks)
    match = CONFIRM_PATH.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match["path"]


def test_opening_the_link_changes_nothing_and_the_button_confirms_once(
    client, case, official, copy_official, samples, embassy, django_capture_on_commit_callbacks
):
    data = post_data(case, official, targets=[official.pk, copy_official.pk])
    path = _confirm_path(client, case, data, django_capture_on_commit_callbacks)

    response = client.get(path)
    assert response.status_code == 200
    assert '<form method="post"' in response.content.decode()
    assert not Delivery.objects.exists()
    assert set(Letter.objects.values_list("status", flat=True)) == {"pending_confirmation"}

    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("letters:thanks", kwargs={"slug": case.slug})
    assert sorted(Delivery.objects.values_list("target_id", flat=True)) == sorted(
        [official.pk, copy_official.pk, embassy.pk]
    )

    assert client.post(path).status_code == 410
    assert client.get(path).status_code == 410
    assert Delivery.objects.count() == 3


def test_a_mangled_link_is_a_400(client):
    response = client.get(reverse("letters:confirm", kwargs={"token": "not-a-token"}))
    assert response.status_code == 400
    assert client.post(reverse("letters:confirm", kwargs={"token": "x"})).status_code == 400


def test_the_spanish_page_writes_in_spanish_and_the_email_follows(
    client, case, official, samples, django_capture_on_commit_callbacks
):
    with translation.override("es"):
        url = write_url(case)
    assert url.startswith("/es/")
    data = post_data(case, official)
    path = _confirm_path(client, case, data, django_capture_on_commit_callbacks, url)
    assert path.startswith("/es/")
    assert Supporter.objects.get().language == "es"


def test_signing_and_writing_at_once_confirms_both_with_one_click(
    client, case, official, samples, django_capture_on_commit_callbacks
):
    from petitions.models import Signature

    PetitionFactory(action=case)
    page = client.get(write_url(case), {"country": "CA", "targets": [official.pk]})
    assert re.search(r'name="also_sign"[^>]*checked', page.content.decode())
    data = post_data(case, official, also_sign="on")
    path = _confirm_path(client, case, data, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert Signature.objects.get().status == Signature.Status.PENDING
    client.post(path)
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    assert Delivery.objects.count() == 1


def test_a_letter_and_its_signature_keep_the_network_and_email_domain_they_came_from(
    client, case, official, samples
):
    from petitions.models import Signature

    PetitionFactory(action=case)
    data = post_data(case, official, also_sign="on", email="Ana@Example.NET")
    response = client.post(write_url(case), data, REMOTE_ADDR="198.51.100.23")
    assert response.status_code == 302
    letter, signature = Letter.objects.get(), Signature.objects.get()
    assert (letter.network, letter.email_domain) == ("198.51.100.0/24", "example.net")
    assert (signature.network, signature.email_domain) == ("198.51.100.0/24", "example.net")


def test_no_signing_box_without_a_petition(client, case, official, samples):
    page = client.get(write_url(case), {"country": "CA", "targets": [official.pk]})
    assert 'name="also_sign"' not in page.content.decode()


def test_the_updates_box_is_separate_and_unticked(client, case, official, samples):
    response = client.get(write_url(case), {"country": "CA", "targets": [official.pk]})
    html = response.content.decode()
    box = re.search(r'<input[^>]*name="consent"[^>]*>', html)
    assert box and "checked" not in box.group(0)
    assert "Yes, email me updates about this case." in html


def test_writing_without_ticking_the_box_stores_no_consent(client, case, official, samples):
    client.post(write_url(case), post_data(case, official))

    assert Letter.objects.exists()
    assert not Consent.objects.exists()


def test_ticking_the_box_stores_the_exact_text_and_no_revision_the_browser_names(
    client, case, official, samples
):
    client.post(write_url(case), post_data(case, official, consent="on", page_revision="41"))

    consent = Consent.objects.get()
    assert consent.supporter == Supporter.objects.get(email="ana@example.net")
    assert (consent.action, consent.kind) == (case, Consent.Kind.CASE_UPDATES)
    assert consent.text == "Yes, email me updates about this case."
    # This case has no page: the site showed no revision, whatever the post said.
    assert consent.page_revision_id is None and consent.withdrawn_at is None


# --- one letter per official ----------------------------------------------------------


def _write(client, case, data, callbacks_fixture):
    """Post the form; the answer and the path of the link its email carries."""
    with callbacks_fixture() as callbacks:
        response = client.post(write_url(case), data)
    run_queued(callbacks)
    match = CONFIRM_PATH.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return response, match["path"]


def test_writing_again_to_the_same_official_is_answered_alike_and_delivers_nothing_new(
    client, case, official, samples, django_capture_on_commit_callbacks
):
    first_answer, first_link = _write(
        client, case, post_data(case, official), django_capture_on_commit_callbacks
    )
    first_page = client.get(first_link)
    first_confirm = client.post(first_link)
    again = post_data(case, official, body_es="{salutation}:\n\nOtra carta, y otra más.")
    again_answer, again_link = _write(client, case, again, django_capture_on_commit_callbacks)
    again_page = client.get(again_link)
    again_confirm = client.post(again_link)

    # The same answers, to the form and to the link: nobody learns that they wrote before.
    assert (again_answer.status_code, again_answer["Location"]) == (
        first_answer.status_code,
        first_answer["Location"],
    )
    assert again_page.status_code == first_page.status_code == 200
    assert (again_confirm.status_code, again_confirm["Location"]) == (
        first_confirm.status_code,
        first_confirm["Location"],
    )
    assert client.get(again_confirm["Location"]).status_code == 200
    # One letter reached the official: the first.
    [delivery] = Delivery.objects.all()
    assert "Otra carta" not in delivery.letter.body
    assert sorted(Letter.objects.values_list("status", flat=True)) == [
        Letter.Status.CANCELLED,
        Letter.Status.CONFIRMED,
    ]


def test_any_number_of_letters_to_one_official_deliver_one(
    client, case, official, samples, django_capture_on_commit_callbacks
):
    links = [
        _write(
            client,
            case,
            post_data(case, official, body_es=f"{{salutation}}:\n\nCarta número {n}."),
            django_capture_on_commit_callbacks,
        )[1]
        for n in range(4)
    ]
    for link in reversed(links):
        assert client.post(link).status_code == 302
    assert Delivery.objects.filter(target=official).count() == 1
    assert "Carta número 3." in Delivery.objects.get().letter.body
