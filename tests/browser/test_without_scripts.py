"""The whole journey of a supporter in a browser that runs no script at all, as Tor Browser
at its safest level: read a case, sign, confirm from the email, write to the officials,
confirm that too, and see the letters reach the officials' outbox."""

import email
import re
import time
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery import current_app
from django.core.management import call_command
from playwright.sync_api import expect

from campaigns import defences
from campaigns.models import UrgentAction
from letters.models import Delivery, Letter
from petitions.models import Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "ana.safest@example.net"
SIGNATURE_LINK = re.compile(r"https?://\S+/petition/confirm/[^/\s]+/")
LETTER_LINK = re.compile(r"https?://\S+/letter/confirm/[^/\s]+/")
ARTIFACTS = Path("test-artifacts") / "without-scripts"


@pytest.fixture
def outbox(settings):
    """Mail lands in .eml files, as on the embedded default, and tasks run at once."""
    settings.EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PLUMA_COUNT_CACHE_SECONDS = 0
    was_eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield Path(settings.EMAIL_OUTBOX_DIR)
    current_app.conf.task_always_eager = was_eager


@pytest.fixture
def page(browser):
    """A browser with scripts switched off."""
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def messages(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def to_supporter(folder: Path) -> list[email.message.EmailMessage]:
    return [m for m in messages(folder) if m["To"] == ADDRESS]


def link_in(message: email.message.EmailMessage, pattern: re.Pattern[str]) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = pattern.search(text)
    assert match, text
    return urlsplit(match.group(0)).path


def shoot(page, step: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{step}.png"), full_page=True)


def wait_like_a_person(page, opened_at: float) -> None:
    """Forms sent faster than a person could fill them in are sent back to check."""
    left = defences.MIN_FILL_SECONDS + 0.5 - (time.monotonic() - opened_at)
    page.wait_for_timeout(max(0, left * 1000))


def test_a_supporter_signs_and_writes_with_scripts_off(live_server, page, outbox):
    call_command("load_demo", verbosity=0)
    action = UrgentAction.objects.get(number="114/26")
    case_url = f"{live_server.url}{action.pages.get(locale__language_code='en').get_url()}"

    # 1. The case page, as anyone gets it: no script runs, the count is in the HTML.
    page.goto(case_url)
    petition = page.locator("[data-petition]")
    expect(petition.locator("[data-count-total]").first).to_have_text("0")
    form = page.locator("form[data-sign-form]")
    expect(form.locator("input[name=started]")).not_to_have_value("")
    opened_at = time.monotonic()
    shoot(page, "1-case-page")

    # 2. Signing: the post's origin is checked, not a token a script would fetch.
    form.get_by_label("Your name").fill("Ana López")
    form.get_by_label("Your email").fill(ADDRESS)
    form.get_by_label("Your country").select_option("CA")
    wait_like_a_person(page, opened_at)
    shoot(page, "2-sign-form-filled")
    form.get_by_role("button", name="Sign the petition").click()
    expect(page).to_have_url(re.compile(r"/petition/114-26/check-your-email/$"))
    expect(page.locator("h1")).to_have_text("Check your email")
    shoot(page, "3-sign-check-your-email")

    # 3. The link in the email opens a page with a button; the button's post confirms.
    [confirmation] = to_supporter(outbox)
    page.goto(live_server.url + link_in(confirmation, SIGNATURE_LINK))
    shoot(page, "4-sign-confirm-page")
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page).to_have_url(re.compile(r"/petition/114-26/thank-you/$"))
    expect(page.locator("h1")).to_have_text("Thank you: your signature counts")
    shoot(page, "5-sign-thanks")
    assert Signature.objects.get(action=action).status == Signature.Status.CONFIRMED

    page.goto(case_url)
    expect(page.locator("[data-petition] [data-count-total]").first).to_have_text("1")
    expect(page.locator(".impact")).to_contain_text("1 action taken")
    shoot(page, "6-case-page-counts-one")

    # 4. Writing: the case page asks for the officials and the country with a GET.
    box = page.locator("#write-letter")
    targets = box.locator("input[name=targets]")
    expect(targets).to_have_count(2)
    for index in range(2):
        targets.nth(index).check()
    box.locator("select[name=country]").select_option("CA")
    box.get_by_role("button", name="Write my letter").click()
    expect(page).to_have_url(re.compile(r"/letter/114-26/write/\?"))
    expect(page.locator("h1")).to_have_text(action.title)
    opened_at = time.monotonic()
    page.get_by_label("Your name").fill("Ana López")
    page.get_by_label("Your email").fill(ADDRESS)
    page.get_by_label("Your city (optional)").fill("Ottawa")
    spanish = page.locator("textarea[name=body_es]")
    spanish.fill(spanish.input_value() + "\n\nEscribo desde Ottawa, donde sigo este caso.")
    wait_like_a_person(page, opened_at)
    shoot(page, "7-letter-filled")
    page.get_by_role("button", name="Send my letter").click()
    expect(page).to_have_url(re.compile(r"/letter/114-26/check-your-email/$"))
    expect(page.locator("h1")).to_have_text("Check your email")
    shoot(page, "8-letter-check-your-email")

    # 5. Confirming the letter from its email.
    _signature_email, letter_email = to_supporter(outbox)
    page.goto(live_server.url + link_in(letter_email, LETTER_LINK))
    expect(page.locator("main")).to_contain_text("Comisionado del Instituto Nacional de Migración")
    expect(page.locator("main")).to_contain_text("Titular de la Secretaría de Gobernación")
    shoot(page, "9-letter-confirm-page")
    page.get_by_role("button", name="Send my letter").click()
    expect(page).to_have_url(re.compile(r"/letter/114-26/thank-you/$"))
    expect(page.locator("h1")).to_have_text("Thank you: your letter is on its way")
    shoot(page, "10-letter-thanks")

    # 6. The letters reached the officials' outbox. (The case's count of actions adds a
    # letter once the email service reports it delivered: the outbox folder never does.)
    letter = Letter.objects.get(case=action)
    assert letter.status == Letter.Status.CONFIRMED
    deliveries = Delivery.objects.filter(letter__case=action)
    assert deliveries.count() == 2
    assert set(deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    sent = [m for m in messages(outbox) if m["To"] and ADDRESS not in str(m["To"])]
    assert {m["To"].addresses[0].addr_spec for m in sent} == {
        "comisionado.inm@example.org",
        "segob@example.org",
    }
    for message in sent:
        assert message["From"].addresses[0].display_name.startswith("Ana López via ")
        assert ADDRESS not in message.as_string()
    page.goto(case_url)
    expect(page.locator("[data-petition] [data-count-total]").first).to_have_text("1")
    shoot(page, "11-case-page-after-letter")
