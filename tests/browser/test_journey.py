import email
import email.policy
import re
import time
from urllib.parse import urlsplit

import pytest
from celery import current_app
from django.core.management import call_command
from playwright.sync_api import expect

from campaigns import defences, services
from campaigns.models import FollowUp, FollowUpText, UrgentAction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONFIRM_LINK = re.compile(r"https?://\S+/petition/confirm/[^/\s]+/")
UNSUBSCRIBE_LINK = re.compile(r"https?://\S+/unsubscribe/[^/\s]+/")
ADDRESS = "ana.lopez@example.org"


@pytest.fixture
def real_mail(settings):
    """Mail goes to .eml files in the outbox folder, and queued tasks run at once."""
    settings.EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The page script reads the count and this visitor's CSRF token from a document that
    # is otherwise cached for two seconds.
    settings.PLUMA_COUNT_CACHE_SECONDS = 0
    was_eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield settings.EMAIL_OUTBOX_DIR
    current_app.conf.task_always_eager = was_eager


def messages_to(outbox, address):
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == address:
            found.append(message)
    return found


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def publish_follow_up(action, title):
    text = FollowUpText(language="en", title=title, body="The authorities answered.")
    services.publish_follow_up(follow_up=FollowUp(action=action, texts=[text]))


def test_a_supporter_hears_back_then_unsubscribes_with_one_click(live_server, page, real_mail):
    call_command("load_demo", verbosity=0)
    action = UrgentAction.objects.get(number="114/26")

    page.goto(f"{live_server.url}/actions/114-26/")
    form = page.locator("form[data-sign-form]")
    expect(form.locator("input[name=started]")).not_to_have_value("")
    opened_at = time.monotonic()
    form.get_by_label("Your name").fill("Ana López")
    form.get_by_label("Your email").fill(ADDRESS)
    form.get_by_label("Your country").select_option("CA")
    form.get_by_label("Yes, email me updates about this case.").check()
    page.wait_for_timeout(
        max(0, (defences.MIN_FILL_SECONDS + 0.5 - (time.monotonic() - opened_at)) * 1000)
    )
    form.get_by_role("button", name="Sign the petition").click()
    expect(page).to_have_url(re.compile(r"/petition/114-26/check-your-email/$"))

    (confirmation,) = messages_to(real_mail, ADDRESS)
    link = CONFIRM_LINK.search(body_of(confirmation)).group(0)
    page.goto(live_server.url + urlsplit(link).path)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page).to_have_url(re.compile(r"/petition/114-26/thank-you/$"))

    publish_follow_up(action, "The threats have stopped")
    news = [m for m in messages_to(real_mail, ADDRESS) if "Further information" in m["Subject"]]
    assert len(news) == 1
    assert "The threats have stopped" in body_of(news[0])
    assert "List-Unsubscribe=One-Click" in news[0]["List-Unsubscribe-Post"]

    unsubscribe = UNSUBSCRIBE_LINK.search(body_of(news[0])).group(0)
    assert unsubscribe in news[0]["List-Unsubscribe"]
    page.goto(live_server.url + urlsplit(unsubscribe).path)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()

    publish_follow_up(action, "A second piece of news")
    subjects = [m["Subject"] for m in messages_to(real_mail, ADDRESS)]
    assert sum("Further information" in subject for subject in subjects) == 1
