"""An organizer finds a trending network on a case, invalidates it and reverses it, in the
admin, with chromium; screenshots of the pages in test-artifacts/."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.models import Invalidation
from petitions import counts
from petitions.models import Signature
from tests.factories import (
    ConfirmedSignatureFactory,
    LetterFactory,
    SignatureFactory,
    SupporterFactory,
    UrgentActionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOTNET = "203.0.113.0/24"


def artifact(name: str) -> Path:
    folder = Path("test-artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name


def test_an_organizer_invalidates_a_trending_network_and_reverses_it(live_server, page, settings):
    settings.PLUMA_TRENDING_THRESHOLD = 20
    case = UrgentActionFactory(number="58/20", title="Protect the staff of Indignación")
    for i in range(60):
        factory = ConfirmedSignatureFactory if i % 3 else SignatureFactory
        factory(
            action=case,
            supporter=SupporterFactory(email=f"bot{i}@mail{i % 4}.example"),
            network=BOTNET,
            email_domain=f"mail{i % 4}.example",
        )
    for i in range(40):
        ConfirmedSignatureFactory(
            action=case,
            supporter=SupporterFactory(email=f"person{i}@gmail.com"),
            network=f"10.{i % 7}.{i}.0/24" if i % 2 else f"2001:db8:{i}:1::/64",
            email_domain="gmail.com" if i % 3 else "riseup.net",
        )
    for i in range(25):
        LetterFactory(case=case, network=BOTNET, email_domain=f"mail{i % 4}.example")
    counts.reconcile(action_id=case.pk)
    # What the Organizers group is given (a transactional test cannot count on the groups
    # the migrations made: an earlier one may have emptied the tables).
    organizer = UserFactory(username="organizer")
    codenames = ["access_admin", "view_urgentaction", "view_invalidation", "invalidate_source"]
    organizer.user_permissions.add(*Permission.objects.filter(codename__in=codenames))

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_server.url}{reverse('wagtailadmin_login')}")
    page.locator("input[name=username]").fill("organizer")
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("button[type=submit]").click()

    page.goto(f"{live_server.url}{reverse('case_dashboard:sources', args=[case.pk])}")
    networks = page.locator("section", has=page.get_by_role("heading", name="Networks"))
    row = networks.locator("tr", has_text=BOTNET)
    expect(row).to_contain_text("trending")
    expect(row).to_contain_text("60")
    page.screenshot(path=str(artifact("sources.png")), full_page=True)

    row.get_by_role("link", name="Invalidate…").click()
    expect(page.locator("main")).to_contain_text(
        "This matches 60 signatures (40 confirmed) and 25 letters (0 already sent)."
    )
    page.get_by_label("Why").fill("Sixty sign-ups in ten minutes from one hosting network.")
    page.screenshot(path=str(artifact("invalidate.png")), full_page=True)
    page.get_by_role("button", name="Invalidate", exact=True).click()

    expect(page.locator("body")).to_contain_text(
        "Invalidated 60 signatures (40 confirmed) and 25 letters (0 already sent)"
    )
    page.screenshot(path=str(artifact("sources-after-invalidation.png")), full_page=True)
    log = page.locator("section", has=page.get_by_role("heading", name="Invalidations"))
    expect(log).to_contain_text("Sixty sign-ups in ten minutes from one hosting network.")
    log.screenshot(path=str(artifact("invalidation-log.png")))
    assert counts.confirmed_count(case.pk) == 40  # the people's, not the bots'
    assert Signature.objects.filter(network=BOTNET, is_flagged=True).count() == 60

    page.get_by_role("button", name="Reverse").click()
    expect(page.locator("body")).to_contain_text("Reversed:")
    assert Invalidation.objects.get().is_reversed
    assert counts.confirmed_count(case.pk) == 80
