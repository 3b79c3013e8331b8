"""The Content-Security-Policy of every response (the policy itself is in settings).

Public pages need nothing per request: they carry no inline script or style, so the
shared page cache can keep them with their header. The Wagtail admin does: a few of
Wagtail's widgets and panels set themselves up with an inline `<script>` whose text
depends on the form (a date field's id, a chooser's options, an inline panel's prefix),
written from Python or from templates that never see the request. Rather than copy those
templates, the admin's HTML is scanned on its way out and the scripts that are nothing but
one of those set-up calls with JSON arguments get the request's nonce. Anything else
inline, such as markup injected through a field that escaped its escaping, gets none, and
the browser refuses to run it.
"""

from __future__ import annotations

import json
import re
from functools import cache

from csp.constants import HEADER, SELF, UNSAFE_HASHES, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

# What Wagtail writes: `<script>initDateChooser("id_deadline", {…});</script>`,
# `<script>new PageChooser("id_page", {…});</script>` and, for inline panels,
# `<script>(function() { var panel = new InlinePanel(JSON.parse("…")); })();</script>`.
INLINE_SCRIPT = re.compile(rb"<script>(?P<body>.*?)</script>", re.DOTALL)
# A call of one of Wagtail's set-up functions; the arguments are checked as JSON below.
# (initDateChooser, initDateTimeChooser, createTaskChooser, new PageChooser, new Chooser…)
SETUP_CALL = re.compile(r"(?:new\s+)?(?:[A-Za-z]\w*)?Chooser\((?P<args>.*)\);?", re.DOTALL)
PANEL_SETUP = re.compile(
    r"\(function\(\)\s*\{\s*var panel = new (?:InlinePanel|MultipleChooserPanel)"
    r"\(JSON\.parse\((?P<options>\"(?:[^\"\\]|\\.)*\")\)\);\s*\}\)\(\);",
    re.DOTALL,
)


# What Wagtail's admin needs beyond the site's policy, on /admin/ only:
ADMIN_RELAXATIONS = {
    # The rich-text editor (Draftail) writes <style> elements for its placeholders and
    # list counters, and Wagtail's scripts set style attributes in markup they build; a
    # style can restyle the page but runs no code.
    "style-src": [SELF, UNSAFE_INLINE],
    # The image editor's cropper (Jcrop) probes for touch support by setting
    # ontouchstart="return;" on a detached element: that one handler, and nothing else.
    "script-src-attr": [UNSAFE_HASHES, "'sha256-i+qr4lq34KgNHiW62lWi9aInEBwiEOrfCzaNPCvkqD8='"],
}


@cache
def _admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def is_wagtail_setup(body: str) -> bool:
    """Whether an inline script is only a Wagtail widget's set-up: a known function called
    with JSON arguments (so it can carry no code of anyone else's)."""
    body = body.strip()
    if match := PANEL_SETUP.fullmatch(body):
        options = json.loads(match["options"])
        return isinstance(options, str) and _is_json(options)
    if match := SETUP_CALL.fullmatch(body):
        return _is_json(f"[{match['args']}]")
    return False


def add_nonce(html: bytes, nonce: str) -> bytes:
    """The page with the request's nonce on each of Wagtail's set-up scripts."""

    def sign(match: re.Match[bytes]) -> bytes:
        if not is_wagtail_setup(match["body"].decode("utf-8", "replace")):
            return match[0]
        return b'<script nonce="' + nonce.encode() + b'">' + match["body"] + b"</script>"

    return INLINE_SCRIPT.sub(sign, html)


def _is_html(response: HttpResponseBase) -> bool:
    return not response.streaming and response.get("Content-Type", "").startswith("text/html")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the nonces the admin needs and frame-ancestors kept
    in step with X-Frame-Options (a browser that reads CSP ignores X-Frame-Options)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not request.path.startswith(_admin_prefix()):
            return super().process_response(request, response)
        # Wagtail's preview renders the page through the whole middleware stack for a
        # request of the page's own (public) address: the policy that pass wrote is for
        # the public page, not for this admin response, which Wagtail lets its own origin
        # frame.
        if HEADER in response:
            del response[HEADER]
        if _is_html(response):
            content = response.content  # type: ignore[attr-defined]  # not streaming
            if b"<script>" in content:
                # Set by django-csp on the way in; reading it puts the nonce in the header.
                content = add_nonce(content, str(request.csp_nonce))  # type: ignore[attr-defined]
                response.content = content  # type: ignore[attr-defined]
                if "Content-Length" in response:  # set by CommonMiddleware, below
                    response["Content-Length"] = str(len(content))
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(_admin_prefix()):
            parts.replace = {**(parts.replace or {}), **ADMIN_RELAXATIONS}
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            # Wagtail's preview frames the page being edited: its own origin only.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": [SELF]}
        return parts
