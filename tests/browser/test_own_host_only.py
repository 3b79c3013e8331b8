"""No page, public or admin, asks another host for anything, and none breaks its own
Content-Security-Policy (DESIGN §6): every request the browser makes is recorded, and every
policy violation it reports.

The pages are found rather than listed where that can be done: every live page in every
language, every public form of every case, and every item of the admin's menu as the
sidebar renders it, so a page or menu item added later is covered without a change here.
"""

import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from campaigns.models import UrgentAction
from cms.models import ActionPage
from petitions.models import Petition
from petitions.tokens import make_token
from tests.factories import SignatureFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reported to the test from every document the browser opens (frames included).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__plumaViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


class Recorder:
    """Every request a browser context makes, and every policy it saw broken."""

    def __init__(self, context, site_url: str):
        self.site = urlsplit(site_url).netloc
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.violations: list[str] = []
        self.pages = 0
        context.expose_function("__plumaViolation", self._violation)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("request", self._request)
        # Nothing leaves this machine, whatever a page asks for: it is recorded and refused.
        context.route(lambda url: not self._is_own(url), lambda route: route.abort())

    def _is_own(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.netloc == self.site

    def _violation(self, text: str) -> None:
        self.violations.append(text)

    def _request(self, request) -> None:
        self.requests.append(request.url)
        if not self._is_own(request.url):
            self.foreign.append(request.url)

    def watch(self, page) -> None:
        # Some reports reach only the console: a refused frame, a policy the browser
        # could not read (an unknown Permissions-Policy feature).
        def console(message) -> None:
            text = message.text
            if "Content Security Policy" in text or "Permissions-Policy" in text:
                self.violations.append(f"{page.url}: {text[:300]}")

        page.on("console", console)

    def visit(self, page, url: str) -> None:
        response = page.goto(url)
        assert response is not None, url
        assert response.status < 500, f"{url} answered {response.status}"
        page.wait_for_load_state("networkidle")
        self.pages += 1

    def report(self, what: str) -> None:
        print(
            f"\n{what}: {self.pages} pages loaded, {len(self.requests)} requests, "
            f"{len(self.foreign)} to another host, {len(self.violations)} policy violations"
        )


def public_paths() -> list[str]:
    """Every live page in every language, and each public form of every case, with the
    pages those forms lead to."""
    signature = SignatureFactory(action=UrgentAction.objects.get(number="114/26"))
    token = make_token(signature_id=signature.pk, nonce=signature.nonce)
    paths = [page.get_url() for page in Page.objects.live().exclude(depth=1).specific()]
    per_case = [
        "petitions:sign",
        "petitions:check_email",
        "petitions:new_link",
        "petitions:thanks",
        "petitions:action_reported",
        "petitions:write_message",
        "petitions:message_sent",
        "actions:write_letter",
        "letters:check_email",
        "letters:thanks",
    ]
    once = [
        "campaigns:subscribe",
        "campaigns:subscribe_sent",
        "campaigns:my_data",
        "replies:responsiveness",
        "handovers:verify",
    ]
    for language in ("en", "es"):
        with translation.override(language):
            # Every case in English; in Spanish the open case's forms show the same templates.
            cases = UrgentAction.objects.order_by("pk")
            if language != "en":
                cases = cases.filter(number="114/26")
            for action in cases:
                paths += [reverse(name, args=[action.slug]) for name in per_case]
            paths += [reverse(name) for name in once]
            # A confirmation link, and one that does not work (an old one, mistyped).
            paths.append(reverse("petitions:confirm", args=[token]))
            paths.append(reverse("petitions:confirm", args=["not-a-token"]))
            paths.append("/no-such-page/")
    paths.append(reverse("actions_api:openapi"))
    return paths


def admin_paths(page) -> list[str]:
    """Every item of the admin's menu, read from the sidebar of the page the browser shows
    (Wagtail renders it from this JSON); then the page explorer, the editor of each case
    page and each case's dashboard."""
    props = json.loads(page.locator("#wagtail-sidebar-props").text_content())
    menu: list[str] = []

    def collect(node) -> None:
        if isinstance(node, dict):
            url = node.get("url")
            if isinstance(url, str) and url.startswith("/admin/") and "logout" not in url:
                menu.append(url)
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(props)
    assert len(menu) > 20, menu  # the sidebar's shape changed: read it anew
    pages = [reverse("wagtailadmin_explore_root")]
    pages += [reverse("wagtailadmin_pages:edit", args=[p.pk]) for p in ActionPage.objects.all()]
    pages += [
        reverse("case_dashboard:case", args=[pk])
        for pk in UrgentAction.objects.values_list("pk", flat=True)
    ]
    return pages + list(dict.fromkeys(menu))


def test_no_public_page_asks_another_host_or_breaks_its_policy(live_server, browser):
    call_command("load_demo", verbosity=0)
    # The anti-spam challenge's script runs on one case's sign-up form too.
    Petition.objects.filter(action__number="114/26").update(requires_challenge=True)
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    recorder = Recorder(context, live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    recorder.watch(page)

    for path in public_paths():
        recorder.visit(page, live_server.url + path)
    case = ActionPage.objects.get(action__number="114/26", locale__language_code="en")
    recorder.visit(page, live_server.url + case.get_url())
    page.screenshot(path=str(_artifact("csp-case-page.png")), full_page=True)
    context.close()

    recorder.report("public site")
    assert recorder.pages >= 50
    assert recorder.foreign == []
    assert recorder.violations == []


def test_no_admin_page_asks_another_host_or_breaks_its_policy(live_server, browser):
    call_command("load_demo", verbosity=0)
    # With an address, Wagtail would show the editor's picture from Gravatar.
    user = UserFactory(username="editor", email="editor@example.org", is_superuser=True)
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    recorder = Recorder(context, live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    recorder.watch(page)

    recorder.visit(page, live_server.url + reverse("wagtailadmin_home"))
    for path in admin_paths(page):
        recorder.visit(page, live_server.url + path)
        assert "/login/" not in page.url, path
        if "/dashboard/" in path and path[-2].isdigit():
            page.screenshot(path=str(_artifact("csp-case-dashboard.png")), full_page=True)
    # The editor with its live preview beside it: a frame of the page being edited.
    case_page = ActionPage.objects.filter(locale__language_code="en").first()
    recorder.visit(page, live_server.url + reverse("wagtailadmin_pages:edit", args=[case_page.pk]))
    page.locator("[data-side-panel-toggle=preview]").click()
    page.frame_locator("iframe").first.get_by_text(case_page.action.number).first.wait_for()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(_artifact("csp-admin-editor.png")))
    context.close()

    recorder.report("admin")
    assert recorder.pages >= 40
    assert recorder.foreign == []
    assert recorder.violations == []


def _artifact(name: str):
    from pathlib import Path

    folder = Path("test-artifacts")
    folder.mkdir(exist_ok=True)
    return folder / name
