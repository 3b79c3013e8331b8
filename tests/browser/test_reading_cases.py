import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_a_case_and_its_spanish_translation(live_server, page):
    call_command("load_demo", verbosity=0)

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=re.compile("Urgent Actions", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/actions/$"))

    page.locator("a[href*='/actions/']", has_text=re.compile("detention", re.I)).first.click()
    expect(page.locator("body")).to_contain_text("UA 114/26")
    expect(page.locator("body")).to_contain_text("Act before")

    page.locator("a[hreflang='es']").first.click()
    expect(page).to_have_url(re.compile(r"/es/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("body")).to_contain_text("UA 114/26")
    page.screenshot(path=str(live_server_artifact("case-es.png")), full_page=True)


def live_server_artifact(name: str):
    from pathlib import Path

    folder = Path("test-artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name
