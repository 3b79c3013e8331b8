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
from letters.models import LetterTemplate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPPORTER_EMAIL = "ana.writer@example.net"


@pytest.fixture
def outbox(settings):
    """Tasks run at once and mail lands in .eml files, as on the embedded default."""
    settings.EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REPLY_DOMAIN = "reply.pluma.example.org"
    # The Celery app read its configuration at start-up: tell it too.
    was_eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield Path(settings.EMAIL_OUTBOX_DIR)
    current_app.conf.task_always_eager = was_eager


def messages(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


def ensure_samples(action: UrgentAction) -> None:
    # The demo may not carry sample letters yet; the writing page needs one per language.
    LetterTemplate.objects.get_or_create(
        case=action,
        language="es",
        defaults={
            "subject": "AU {ua_number}: busquen a las personas desaparecidas",
            "body": "{salutation}:\n\nLe pido que busque a todas las personas desaparecidas "
            "y que proteja a sus familias.\n\nAtentamente,\n{supporter_name}",
        },
    )
    LetterTemplate.objects.get_or_create(
        case=action,
        language="en",
        defaults={
            "subject": "UA {ua_number}: search for the disappeared",
            "body": "{salutation},\n\nI ask you to search for every disappeared person and "
            "to protect their families.\n\nYours sincerely,\n{supporter_name}",
        },
    )


def test_supporter_writes_a_letter_that_reaches_the_officials_outbox(live_server, page, outbox):
    call_command("load_demo", verbosity=0)
    action = UrgentAction.objects.get(number="121/26")
    assert action.is_open and action.writes_to_embassy
    ensure_samples(action)
    case_url = action.pages.get(locale__language_code="en").get_url()

    page.goto(f"{live_server.url}{case_url}")
    box = page.locator("#write-letter")
    expect(box).to_contain_text("Write to the officials")
    box.locator("select[name=country]").select_option("CA")
    box.get_by_role("button", name="Write my letter").click()

    expect(page.locator("h1")).to_contain_text(action.title)
    expect(page.locator("body")).to_contain_text("Embassy of Mexico in Canada")
    opened_at = time.monotonic()
    page.get_by_label("Your name").fill("Ana López")
    page.get_by_label("Your email").fill(SUPPORTER_EMAIL)
    page.get_by_label("Your city (optional)").fill("Ottawa")
    spanish = page.locator("textarea[name=body_es]")
    meter = page.locator("[data-letter-group]", has=spanish).locator("[data-meter-value]")
    expect(meter).to_have_text("0")
    spanish.fill(
        spanish.input_value()
        + "\n\nEscribo desde Ottawa, donde muchas madres me contaron su historia."
    )
    expect(meter).not_to_have_text("0")
    page.screenshot(path=str(artifact("write-letter.png")), full_page=True)
    # People take a few seconds to write; faster posts are sent back to check.
    page.wait_for_timeout(
        max(0, (defences.MIN_FILL_SECONDS + 0.5 - (time.monotonic() - opened_at)) * 1000)
    )
    page.get_by_role("button", name="Send my letter").click()
    expect(page.locator("h1")).to_have_text("Check your email")

    [confirmation] = messages(outbox)
    assert confirmation["To"] == SUPPORTER_EMAIL
    text = confirmation.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/letter/confirm/\S+/", text)[0]
    page.goto(f"{live_server.url}{urlsplit(link).path}")
    page.get_by_role("button", name="Send my letter").click()
    expect(page.locator("h1")).to_contain_text("Thank you")

    letters = [m for m in messages(outbox) if m["To"] and SUPPORTER_EMAIL not in m["To"]]
    recipients = {m["To"].addresses[0].addr_spec for m in letters}
    assert recipients == {
        "fiscal.general@example.org",
        "busqueda@example.org",
        "embajada-ca@example.org",
    }
    for letter in letters:
        assert letter["From"].addresses[0].display_name.startswith("Ana López via ")
        assert re.fullmatch(r"r-[a-z2-7]+@reply\.pluma\.example\.org", str(letter["Reply-To"]))
        assert SUPPORTER_EMAIL not in letter.as_string()
    english = next(m for m in letters if "embajada-ca" in m["To"])
    assert english.get_body(("plain",)).get_content().startswith("Your Excellency,")


def artifact(name: str) -> Path:
    folder = Path("test-artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name
