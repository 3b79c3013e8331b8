import re

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from campaigns.models import ActionTarget, Supporter
from letters import services
from letters.models import Delivery, Letter
from letters.services import composing
from letters.services.composing import LetterText
from tests.factories import (
    ActionTargetFactory,
    EmbassyFactory,
    LetterTemplateFactory,
    TargetFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db

CONFIRM_URL = re.compile(r"https?://\S+/letter/confirm/(?P<token>[^/\s]+)/")
SPANISH_BODY = LetterTemplateFactory._meta.declarations["body"]


def queued(callbacks) -> list[tuple[str, tuple]]:
    return [(cb.func.__self__.name, cb.args) for cb in callbacks if hasattr(cb, "func")]


def run_queued(callbacks) -> None:
    from celery import current_app

    for name, args in queued(callbacks):
        current_app.tasks[name](*args)


@pytest.fixture
def samples(case):
    return {
        "es": LetterTemplateFactory(case=case, language="es"),
        "en": LetterTemplateFactory(
            case=case,
            language="en",
            subject="UA {ua_number}: protect the defender",
            body="{salutation},\n\nI am writing to ask you to protect the defender.\n\n"
            "Yours sincerely,\n{supporter_name}",
        ),
    }


@pytest.fixture
def copy_official(case):
    target = TargetFactory(name="Secretaría de Gobernación", salutation="Señora Secretaria")
    ActionTargetFactory(action=case, target=target, tier=ActionTarget.Tier.COPY)
    return target


@pytest.fixture
def embassy_case(case):
    case.writes_to_embassy = True
    case.save()
    return case


def write(action, **changes) -> list[Letter]:
    arguments = {
        "action": action,
        "name": "Ana López",
        "email": "Ana.Lopez+ua@example.net",
        "country": "CA",
        "city": "Ottawa",
        "language": "en",
        "target_ids": [link.target_id for link in action.action_targets.all()],
        "texts": {},
    }
    arguments.update(changes)
    return composing.write_letter(**arguments)


def test_a_letter_like_the_sample_has_no_own_words():
    assert composing.personal_share(body=SPANISH_BODY, sample=SPANISH_BODY) == 0


def test_own_words_are_the_share_of_words_not_in_the_sample():
    sample = "please protect the defender"
    assert composing.personal_share(body=sample + " and her family now", sample=sample) == 50
    assert composing.personal_share(body="completely different words", sample=sample) == 100
    # Each sample word covers one occurrence only: repeating the sample is not copying it.
    assert composing.personal_share(body=f"{sample} {sample}", sample=sample) == 50


def test_own_words_round_half_up_and_ignore_case_and_punctuation():
    # 1 of 8 words is new: 12.5 % rounds to 13, as the browser's Math.floor(x + 0.5) does.
    sample = "Señor Gobernador, proteja a la defensora ya"
    assert (
        composing.personal_share(
            body="señor gobernador: PROTEJA a la defensora ya hoy", sample=sample
        )
        == 13
    )


def test_writing_records_a_pending_letter_and_queues_one_confirmation_on_commit(
    case, official, samples, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        [letter] = write(case)
    assert letter.status == Letter.Status.PENDING_CONFIRMATION
    assert list(letter.targets.all()) == [official]
    assert letter.supporter.email_canonical == "ana.lopez@example.net"
    assert letter.is_identical_to_sample and letter.personal_share == 0
    assert queued(callbacks) == [("letters.tasks.send_letter_confirmation", ([letter.pk],))]
    assert not Delivery.objects.exists()


def test_primary_targets_are_chosen_and_copies_are_optional(case, official, copy_official):
    [letter] = write(case, target_ids=[official.pk])
    assert list(letter.targets.all()) == [official]
    form_targets = composing.choosable_targets(case)
    assert form_targets == [(official, "primary"), (copy_official, "copy")]


def test_the_embassy_accredited_to_the_supporters_country_is_added(embassy_case, official, samples):
    in_canada = EmbassyFactory(accredited_to_country="CA")
    EmbassyFactory(accredited_to_country="GB", country="GB")
    letters = write(embassy_case, country="CA")
    assert {t.pk for letter in letters for t in letter.targets.all()} == {official.pk, in_canada.pk}


def test_no_embassy_when_the_case_does_not_copy_it(case, official, samples):
    EmbassyFactory(accredited_to_country="CA")
    [letter] = write(case, country="CA")
    assert list(letter.targets.all()) == [official]


def test_the_letters_language_follows_the_target(embassy_case, official, samples):
    embassy = EmbassyFactory(accredited_to_country="CA", language="en")
    letters = {letter.language: letter for letter in write(embassy_case, language="es")}
    assert set(letters) == {"es", "en"}
    assert list(letters["es"].targets.all()) == [official]
    assert list(letters["en"].targets.all()) == [embassy]
    assert letters["en"].body == samples["en"].body
    assert letters["es"].body == samples["es"].body


def test_a_target_without_a_sample_in_its_language_gets_the_supporters_language(
    embassy_case, official, samples
):
    german = EmbassyFactory(accredited_to_country="DE", country="DE", language="de")
    letters = {
        letter.language: letter for letter in write(embassy_case, country="DE", language="en")
    }
    assert list(letters["en"].targets.all()) == [german]


def test_an_editors_german_sample_goes_to_the_german_embassy_in_german(
    embassy_case, official, samples
):
    german_sample = LetterTemplateFactory(
        case=embassy_case,
        language="de",
        subject="UA {ua_number}: Schützen Sie die Verteidigerin",
        body="{salutation},\n\nich bitte Sie, die Verteidigerin zu schützen.\n\n{supporter_name}",
    )
    german_sample.full_clean()  # "de" is a language editors can choose
    german = EmbassyFactory(accredited_to_country="DE", country="DE", language="de")
    letters = {
        letter.language: letter for letter in write(embassy_case, country="DE", language="en")
    }
    assert list(letters["de"].targets.all()) == [german]
    assert letters["de"].body == german_sample.body


def test_edited_text_is_stored_with_its_share_of_own_words(case, official, samples):
    body = samples["es"].body + "\n\nMi familia y yo seguimos este caso con atención."
    [letter] = write(case, texts={"es": LetterText(subject="Proteja a Clemencia", body=body)})
    assert letter.body == body
    assert not letter.is_identical_to_sample
    assert letter.personal_share == composing.personal_share(body=body, sample=samples["es"].body)
    assert 0 < letter.personal_share < 100


@pytest.mark.parametrize("target_ids", [[], "other case"])
def test_a_bad_choice_of_targets_writes_nothing(case, official, target_ids):
    if target_ids == "other case":
        target_ids = [ActionTargetFactory(action=UrgentActionFactory()).target_id]
    with pytest.raises(ValidationError):
        write(case, target_ids=target_ids)
    assert not Letter.objects.exists() and not Supporter.objects.exists()


def test_a_closed_case_takes_no_letters(case, official):
    case.status = case.Status.CLOSED
    case.closed_at = case.opened_at
    case.save()
    with pytest.raises(composing.WritingClosed):
        write(case)
    assert not Letter.objects.exists()


def test_the_same_person_is_one_supporter(case, official, samples):
    write(case, email="ana.lopez@example.net")
    write(case, email="ANA.LOPEZ+again@example.net")
    assert Supporter.objects.count() == 1


def _confirmation_token(letters, callbacks) -> str:
    run_queued(callbacks)
    match = CONFIRM_URL.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match["token"]


def test_the_confirmation_email_is_in_the_supporters_language(
    embassy_case, official, samples, django_capture_on_commit_callbacks
):
    EmbassyFactory(accredited_to_country="CA")
    with django_capture_on_commit_callbacks() as callbacks:
        letters = write(embassy_case, language="es")
    _confirmation_token(letters, callbacks)
    message = mail.outbox[-1]
    assert message.to == ["Ana.Lopez+ua@example.net"]
    assert message.body.startswith("Hola, Ana López:")
    assert "/es/letter/confirm/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'lang="es"' in html and "/es/letter/confirm/" in html


def test_confirming_writes_one_delivery_per_target_and_the_link_works_once(
    embassy_case, official, copy_official, samples, django_capture_on_commit_callbacks
):
    embassy = EmbassyFactory(accredited_to_country="CA")
    with django_capture_on_commit_callbacks() as callbacks:
        letters = write(embassy_case)
    token = _confirmation_token(letters, callbacks)
    with django_capture_on_commit_callbacks() as callbacks:
        confirmed = composing.confirm_letters(token=token)
    assert {letter.status for letter in confirmed} == {Letter.Status.CONFIRMED}
    assert sorted(Delivery.objects.values_list("target_id", flat=True)) == sorted(
        [official.pk, copy_official.pk, embassy.pk]
    )
    # One dispatch request for the letters confirmed at once; it hands all three rows out.
    assert callbacks.count(services.request_dispatch) == 1
    assert services.dispatch_deliveries() == 3
    with pytest.raises(composing.LinkUsed):
        composing.confirm_letters(token=token)
    assert Delivery.objects.count() == 3


def test_an_expired_or_forged_link_confirms_nothing(case, official, samples, settings):
    [letter] = write(case)
    settings.PLUMA_CONFIRM_LINK_MAX_AGE = -1
    with pytest.raises(composing.LinkExpired):
        composing.confirm_letters(token=composing.make_token([letter.pk]))
    forged = signing.dumps({"l": [letter.pk]}, salt="someone else", compress=True)
    with pytest.raises(composing.LinkInvalid):
        composing.confirm_letters(token=forged)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PENDING_CONFIRMATION
