import datetime
import re
import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Revision, Site

from campaigns.models import (
    ActionTarget,
    Category,
    DeadlineExtension,
    FollowUp,
    Target,
    UrgentAction,
)
from campaigns.services import close_expired_actions
from cms import demo
from cms.models import ActionIndexPage, ActionPage, HomePage, StandardPage
from letters.models import PLACEHOLDERS, LetterTemplate
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "cases": UrgentAction.objects.count(),
        "targets": Target.objects.count(),
        "case targets": ActionTarget.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "images": get_image_model().objects.count(),
        "sites": Site.objects.count(),
        "locales": Locale.objects.count(),
        "sample letters": LetterTemplate.objects.count(),
    }


def test_loading_twice_creates_and_changes_nothing_the_second_time():
    load_demo()
    first = counts()
    output = load_demo()

    assert counts() == first
    assert "created now: 0 cases, 0 targets, 0 pages, 0 images" in output
    assert first["cases"] == 3
    assert first["targets"] == 12  # five officials and seven embassies
    assert first["images"] == 3


def test_demo_cases_have_their_statuses_and_outcomes():
    load_demo()
    today = timezone.localdate()

    defender = UrgentAction.objects.get(number="58/20")
    assert defender.status == UrgentAction.Status.CLOSED
    assert defender.outcome_kind == UrgentAction.OutcomeKind.GOOD_NEWS
    assert defender.closed_at.date() == datetime.date(2020, 5, 29)
    assert defender.follow_ups.get().text_in("es").title.endswith("AU 58/20")

    detention = UrgentAction.objects.get(category=Category.DETENTION)
    assert detention.status == UrgentAction.Status.OPEN
    assert detention.issued_on < today < detention.deadline
    assert [t.organisation for t in detention.targets_in_tier(ActionTarget.Tier.PRIMARY)] == [
        "Instituto Nacional de Migración (INM)"
    ]
    assert detention.targets_in_tier(ActionTarget.Tier.COPY).get().organisation == (
        "Secretaría de Gobernación (SEGOB)"
    )

    disappeared = UrgentAction.objects.get(category=Category.DISAPPEARED)
    assert disappeared.status == UrgentAction.Status.OPEN
    assert disappeared.targets_in_tier(ActionTarget.Tier.PRIMARY).count() == 2


def test_disappeared_case_copies_the_embassy_in_the_host_countrys_language():
    load_demo()
    disappeared = UrgentAction.objects.get(category=Category.DISAPPEARED)

    in_germany = disappeared.embassy_for("DE")
    in_spain = disappeared.embassy_for("ES")

    assert (in_germany.language, in_germany.salutation) == ("de", "Exzellenz")
    assert (in_spain.language, in_spain.salutation) == ("es", "Excelentísimo Señor Embajador")
    assert disappeared.embassy_for("JP") is None


def test_every_contact_in_the_demo_is_fictional():
    load_demo()

    emails = list(Target.objects.values_list("email", flat=True))

    assert emails and all(email.endswith("@example.org") for email in emails)


def test_every_demo_page_has_a_live_spanish_translation():
    load_demo()
    spanish = Locale.objects.get(language_code="es")

    for model in (HomePage, ActionIndexPage, ActionPage, StandardPage):
        for page in model.objects.filter(locale__language_code="en"):
            translation = page.get_translation_or_none(spanish)
            assert translation is not None, page
            assert translation.live
            assert translation.title != page.title


def test_spanish_case_pages_share_the_english_pages_case():
    load_demo()

    for page in ActionPage.objects.filter(locale__language_code="en"):
        spanish = page.get_translation(Locale.objects.get(language_code="es"))
        assert spanish.specific.action_id == page.action_id
    assert ActionPage.objects.count() == 6


def test_demo_home_replaces_wagtails_welcome_page():
    load_demo()

    site = Site.objects.get(is_default_site=True)

    assert (site.hostname, site.port) == ("localhost", 80)
    assert isinstance(site.root_page.specific, HomePage)
    assert not Page.get_first_root_node().get_children().exact_type(Page).exists()


def test_home_page_is_served_in_english_and_spanish(client):
    load_demo()

    english = client.get("/")
    spanish = client.get("/es/")

    assert english.status_code == 200
    assert "Write for their rights" in english.content.decode()
    assert spanish.status_code == 200
    assert "Escribe por sus derechos" in spanish.content.decode()


def test_case_page_shows_its_ua_number(client):
    load_demo()
    page = ActionPage.objects.get(locale__language_code="en", action__number="114/26")

    response = client.get(page.url)

    assert response.status_code == 200
    assert "114/26" in response.content.decode()


def test_reloading_after_the_deadline_passed_reopens_the_open_cases():
    load_demo()
    today = timezone.localdate()
    UrgentAction.objects.filter(number="114/26").update(
        issued_on=today - datetime.timedelta(days=100), deadline=today - datetime.timedelta(days=1)
    )
    close_expired_actions()

    output = load_demo()

    detention = UrgentAction.objects.get(number="114/26")
    assert detention.status == UrgentAction.Status.OPEN
    assert detention.deadline > today
    assert DeadlineExtension.objects.filter(action=detention).count() == 1
    assert "UA 114/26 is open until" in output
    assert UrgentAction.objects.get(number="58/20").status == UrgentAction.Status.CLOSED


def test_loading_twice_keeps_one_sample_letter_per_case_and_language():
    load_demo()
    output = load_demo()

    pairs = list(LetterTemplate.objects.values_list("case__number", "language"))
    assert len(pairs) == len(set(pairs)) == 6
    assert "0 sample letters" in output


def test_reloading_leaves_an_edited_sample_letter_as_the_editor_left_it():
    load_demo()
    edited = LetterTemplate.objects.get(case__number="114/26", language="es")
    edited.subject = "Asunto revisado por el equipo"
    edited.save()

    load_demo()

    assert LetterTemplate.objects.get(pk=edited.pk).subject == "Asunto revisado por el equipo"


def test_every_open_case_has_a_spanish_and_an_english_sample_letter():
    load_demo()

    for case in UrgentAction.objects.open():
        assert set(case.letter_templates.values_list("language", flat=True)) >= {"es", "en"}, case


def test_sample_letters_open_with_the_salutation_and_are_signed_by_the_supporter():
    load_demo()
    opening = {"es": "{salutation}:\n\n", "en": "{salutation},\n\n"}

    for template in LetterTemplate.objects.all():
        assert template.body.startswith(opening[template.language]), template
        assert "{supporter_name}\n{supporter_city}\n{supporter_country}" in template.body
        used = set(re.findall(r"\{(\w+)\}", template.subject + template.body))
        assert used <= set(PLACEHOLDERS), template


def test_a_demo_sample_letter_reads_in_full_to_its_official():
    load_demo()
    case = UrgentAction.objects.get(number="121/26")
    template = case.letter_templates.get(language="es")
    attorney = case.targets_in_tier(ActionTarget.Tier.PRIMARY).get(
        organisation__startswith="Fiscalía"
    )
    supporter = SupporterFactory(name="Ana López", city="Toronto", country="CA")

    subject, body = template.render(target=attorney, writer=supporter)

    assert subject.endswith("(AU 121/26)")
    assert body.startswith("Señor Fiscal General:\n\n")
    assert body.endswith("Atentamente,\n\nAna López\nToronto\nCanada")
    assert "{" not in subject + body


def test_the_three_cases_load_with_their_english_and_spanish_pages_and_sample_letters():
    load_demo()
    content = demo.read(today=timezone.localdate())

    assert [case["number"] for case in content.cases] == ["58/20", "114/26", "121/26"]
    for case in content.cases:
        action = UrgentAction.objects.get(number=case["number"])
        for language in ("en", "es"):
            page = ActionPage.objects.get(action=action, locale__language_code=language)
            written = case["page"][language]
            assert page.live
            assert (page.title, page.summary) == (written["title"], written["summary"])
            assert [(block["type"], block["value"]) for block in page.body.raw_data] == [
                (block["type"], block["value"]) for block in written["body"]
            ]
        letters = {t.language: (t.subject, t.body) for t in action.letter_templates.all()}
        assert letters == {
            language: (letter["subject"], letter["body"])
            for language, letter in case["letters"].items()
        }
        assert set(letters) == {"es", "en"}
    assert LetterTemplate.objects.get(case__number="58/20", language="es").body.startswith(
        "{salutation}:\n\nMe dirijo a usted con honda preocupación por la seguridad de "
        "Clemencia Adelaida Salas Salazar, defensora"
    )


def test_open_cases_are_dated_from_the_day_of_loading_and_a_closed_one_keeps_its_dates():
    today = datetime.date(2031, 1, 10)
    now = {case["number"]: case for case in demo.read(today=today).cases}
    later = {
        case["number"]: case for case in demo.read(today=today + datetime.timedelta(days=30)).cases
    }

    for number in ("114/26", "121/26"):
        assert now[number]["issued_on"] < today < now[number]["deadline"]
        assert later[number]["deadline"] - now[number]["deadline"] == datetime.timedelta(days=30)
    assert now["58/20"]["issued_on"] == later["58/20"]["issued_on"] == datetime.date(2020, 4, 20)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the demo data files, and a way to change one and write it back."""
    shutil.copytree(
        demo.loader.DIRECTORY,
        tmp_path / "demo",
        ignore=shutil.ignore_patterns("*.py", "__pycache__"),
    )

    def change(name, edit):
        path = tmp_path / "demo" / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return tmp_path / "demo"

    return change


def test_a_data_file_missing_a_key_names_the_file_and_the_key(data_copy):
    directory = data_copy("cases/114-26.yaml", lambda case: case["page"]["en"].pop("title"))

    with pytest.raises(demo.DemoDataError) as error:
        demo.read(today=timezone.localdate(), directory=directory)

    assert str(error.value).endswith("demo/cases/114-26.yaml: page.en: missing key 'title'")


def test_load_demo_stops_on_a_broken_data_file_and_writes_nothing(data_copy, monkeypatch):
    directory = data_copy("cases/121-26.yaml", lambda case: case["letters"]["es"].pop("subject"))
    monkeypatch.setattr(demo.loader, "DIRECTORY", directory)

    with pytest.raises(
        CommandError, match=r"cases/121-26\.yaml: letters\.es: missing key 'subject'"
    ):
        load_demo()

    assert not UrgentAction.objects.exists()
    assert not Target.objects.exists()


def set_key(path, value):
    def edit(data):
        *parents, last = path
        for key in parents:
            data = data[key]
        data[last] = value

    return edit


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "cases/114-26.yaml",
            set_key(["targets", 1, "target"], "segob"),
            "cases/114-26.yaml: targets[1].target: no target 'segob' in targets.yaml",
        ),
        (
            "cases/114-26.yaml",
            set_key(["issued_on"], datetime.date(2026, 1, 1)),
            "cases/114-26.yaml: give either 'issued_on' (a date) or 'issued_days_ago'",
        ),
        (
            "cases/58-20.yaml",
            set_key(["page", "es", "body", 0], {"imagen": "x"}),
            "cases/58-20.yaml: page.es.body[0].imagen: unknown block",
        ),
        # What YAML makes of a bare NO (Norway).
        (
            "embassies.yaml",
            set_key(["embassies", 2, "accredited_to_country"], False),
            "embassies.yaml: embassies[2].accredited_to_country: expected text, got False",
        ),
        (
            "targets.yaml",
            set_key(["inm-commissioner", "email"], "comisionado@inm.gob.mx"),
            "targets.yaml: inm-commissioner.email: demo contacts are fictional",
        ),
        (
            "pages.yaml",
            set_key(["privacy", "en", "title"], ""),
            "pages.yaml: privacy.en.title: expected text",
        ),
    ],
)
def test_a_data_file_that_does_not_fit_says_where_and_why(data_copy, name, edit, message):
    directory = data_copy(name, edit)

    with pytest.raises(demo.DemoDataError, match=re.escape(message)):
        demo.read(today=timezone.localdate(), directory=directory)
