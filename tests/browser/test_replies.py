"""An official's reply travels back: delivered letter → reply .eml → inbox → case page."""

import email
from email import policy
from pathlib import Path

import pytest
from celery import current_app
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.models import ActionTarget, UrgentAction
from letters import services
from letters.models import Delivery, Letter
from replies.models import Reply
from tests.factories import SupporterFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY_TEMPLATE = """\
From: Oficina del Gobernador <oficina@gobierno.example>
To: {reply_to}
Subject: RE: {subject}
Date: Tue, 12 May 2026 15:42:07 +0000
Message-ID: <browser-test-reply@gobierno.example>
In-Reply-To: {message_id}
References: {message_id}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Acusamos recibo de su carta. Hemos ordenado medidas de protección.

-----Original Message-----
{body}
"""


@pytest.fixture
def embedded(settings):
    """The embedded default: mail to .eml files, tasks run as they are enqueued."""
    settings.EMAIL_BACKEND = "config.outbox.OutboxEmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.REPLY_DOMAIN = "reply.pluma.example.org"
    was_eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield Path(settings.EMAIL_OUTBOX_DIR)
    current_app.conf.task_always_eager = was_eager


def organizer():
    user = UserFactory(username="organizer")
    codenames = ["access_admin", "view_reply", "change_reply", "view_urgentaction"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_a_reply_fed_on_the_embedded_default_is_published_by_an_organizer(
    live_server, page, embedded, tmp_path
):
    call_command("load_demo", verbosity=0)
    action = UrgentAction.objects.get(number="121/26")
    official = action.targets_in_tier(ActionTarget.Tier.PRIMARY).exclude(email="").first()
    letter = Letter.objects.create(
        case=action,
        supporter=SupporterFactory(name="Ana López"),
        language=official.language,
        subject="AU {ua_number}: busquen a las personas desaparecidas",
        body="{salutation}:\n\nLe pido que busque a las personas desaparecidas.\n\n{supporter_name}",
    )
    letter.targets.set([official])
    (delivery,) = services.queue_letter(letter=letter)  # eager: delivered at once
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT

    (sent_file,) = embedded.glob("*.eml")
    sent = email.message_from_bytes(sent_file.read_bytes(), policy=policy.default)
    assert sent["Reply-To"].endswith("@reply.pluma.example.org")
    reply_file = tmp_path / "reply.eml"
    reply_file.write_text(
        REPLY_TEMPLATE.format(
            reply_to=sent["Reply-To"],
            subject=sent["Subject"],
            message_id=sent["Message-ID"],
            body=sent.get_content(),
        )
    )
    call_command("receive_email", str(reply_file), verbosity=0)
    reply = Reply.objects.get()
    assert (reply.kind, reply.delivery_id) == (Reply.Kind.REPLY, delivery.pk)

    organizer()
    page.goto(f"{live_server.url}{reverse('wagtailadmin_login')}")
    page.locator("input[name=username]").fill("organizer")
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}{reverse('reply_inbox:index')}?kind=reply")
    page.get_by_role("link", name=reply.subject).click()
    expect(page.locator("main")).to_contain_text("Hemos ordenado medidas de protección")
    page.get_by_label("Summary for the case page").fill(
        "The Governor's office answered on 12 May and ordered protection."
    )
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("body")).to_contain_text("Published on the case page")

    case_url = action.pages.get(locale__language_code="en").get_url()
    page.goto(f"{live_server.url}{case_url}")
    timeline = page.locator("#replies-heading").locator("xpath=..")
    expect(timeline).to_contain_text("ordered protection")
    expect(timeline).to_contain_text(official.name)
    expect(page.locator(".responsiveness")).to_contain_text("100%")
