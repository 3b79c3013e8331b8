import email
import email.policy
import re
import time
from urllib.parse import urlsplit

import pytest
from celery import current_app
from django.core.management import call_command
from playwright.sync_api import expect

from campaigns import defences

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://\S+/petition/confirm/[^/\s]+/")


@pytest.fixture
def real_mail(settings):
    """Mail goes to .eml files in the outbox folder, and queued tasks run at once."""
    settings.EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
    # The count the page script reads is otherwise cached for two seconds.
    settings.PLUMA_COUNT_CACHE_SECONDS = 0
    # Tasks are enqueued on commit to the in-memory broker, where no worker listens.
    was_eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield settings.EMAIL_OUTBOX_DIR
    current_app.conf.task_always_eager = was_eager


def _confirmation_link(outbox) -> str:
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 1, files
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "ana.lopez@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = CONFIRM_LINK.search(body)
    assert match, body
    return match.group(0)


def test_a_supporter_signs_confirms_by_email_and_sees_the_count_go_up(live_server, page, real_mail):
    call_command("load_demo", verbosity=0)
    case_url = f"{live_server.url}/actions/114-26/"

    page.goto(case_url)
    petition = page.locator("[data-petition]")
    count = petition.locator("[data-count-total]").first
    expect(count).to_have_text("0")
    form = page.locator("form[data-sign-form]")
    # The page is the same for everyone and carries no token: a post's origin is checked.
    expect(form.locator("input[name=csrfmiddlewaretoken]")).to_have_count(0)
    expect(form.locator("input[name=started]")).not_to_have_value("")
    opened_at = time.monotonic()

    form.get_by_label("Your name").fill("Ana López")
    form.get_by_label("Your email").fill("ana.lopez@example.org")
    form.get_by_label("Your country").select_option("CA")
    # People take a few seconds to fill a form in; faster ones are flagged as scripts.
    page.wait_for_timeout(
        max(0, (defences.MIN_FILL_SECONDS + 0.5 - (time.monotonic() - opened_at)) * 1000)
    )
    form.get_by_role("button", name="Sign the petition").click()

    expect(page).to_have_url(re.compile(r"/petition/114-26/check-your-email/$"))
    link = _confirmation_link(real_mail)

    # The link leads to a page with a button; only pressing it confirms.
    page.goto(live_server.url + urlsplit(link).path)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page).to_have_url(re.compile(r"/petition/114-26/thank-you/$"))

    page.goto(case_url)
    expect(page.locator("[data-petition] [data-count-total]").first).to_have_text("1")
