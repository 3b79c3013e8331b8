import re
import time
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.utils import timezone

from campaigns import defences
from campaigns.models import Consent, UrgentAction
from petitions import counts, tokens
from petitions.models import Signature
from tests.factories import (
    ActionTargetFactory,
    PetitionFactory,
    SignatureFactory,
    UrgentActionFactory,
)
from tests.forms import answer_email_requests, filled

from .helpers import dispatch_requested, last_token, queued, run_queued

pytestmark = pytest.mark.django_db

# A form issued a minute ago, as a browser would post it (see campaigns/defences.py).
VALID = {
    "name": "Ana López",
    "email": "ana@example.org",
    "country": "CA",
    "started": defences.form_started_token(issued_at=time.time() - 60),
}


def sign_url(action, prefix=""):
    return f"{prefix}/petition/{action.slug}/sign/"


def test_signing_redirects_to_check_your_email_and_queues_the_link(
    client, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(sign_url(action), {**VALID, "source": "twitter"})

    assert response.status_code == 302
    assert response["Location"] == f"/petition/{action.slug}/check-your-email/"
    signature = Signature.objects.get()
    assert signature.source == "twitter"
    assert signature.language == "en"
    assert dispatch_requested(callbacks) and signature.link_due_at is not None
    assert client.get(response["Location"]).status_code == 200


def test_signing_in_spanish_records_the_language(client):
    action = UrgentActionFactory()
    response = client.post(sign_url(action, "/es"), VALID)
    assert response["Location"] == f"/es/petition/{action.slug}/check-your-email/"
    assert Signature.objects.get().language == "es"


def _without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def test_a_repeated_sign_up_looks_exactly_like_a_first_one(client):
    action = UrgentActionFactory()
    first = client.post(sign_url(action), VALID)
    repeat = client.post(sign_url(action), {**VALID, "email": "Ana+x@Example.org"})

    assert Signature.objects.count() == 1
    assert (first.status_code, first.content) == (repeat.status_code, repeat.content)
    assert _timeless(first.headers) == _timeless(repeat.headers)
    assert first.cookies.output() == repeat.cookies.output()
    first_page = client.get(first["Location"])
    repeat_page = client.get(repeat["Location"])
    assert _without_csrf(first_page.content) == _without_csrf(repeat_page.content)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Ana\x00López", "control characters"),
        ("name", "Ana\u202eLópez", "control characters"),
        ("name", "Visit https://spam.example", "web address"),
        ("name", "cheap-pills.com", "web address"),
        ("name", "=HYPERLINK(1)", "cannot start with"),
        ("name", "a" * 121, "shorten your name"),
        ("email", "not-an-email", "Enter an email address"),
        ("email", "a" * 250 + "@example.org", "Ensure this value has at most"),
        ("country", "XX", "Choose your country"),
        ("country", "", "Please fill in this field"),
    ],
)
def test_bad_input_gets_a_400_with_a_clear_message(client, field, value, message):
    action = UrgentActionFactory()
    response = client.post(sign_url(action), {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signature.objects.exists()


def test_required_case_fields_are_asked_and_checked(client):
    petition = PetitionFactory(postal_code_field="required", comment_field="optional")
    page = client.get(sign_url(petition.action)).content.decode()
    assert 'name="postal_code"' in page and 'name="comment"' in page
    assert 'name="city"' not in page

    response = client.post(sign_url(petition.action), VALID)
    assert response.status_code == 400
    response = client.post(sign_url(petition.action), {**VALID, "postal_code": "H2X 1Y4"})
    assert response.status_code == 302
    assert Signature.objects.get().postal_code == "H2X 1Y4"


@pytest.mark.parametrize("field", ["postal_code", "city"])
@pytest.mark.parametrize("value", ["H2X\r\nBcc: victim@example.org", "H2X\n1Y4", "H2X\u20281Y4"])
def test_a_line_break_in_the_postal_code_or_city_is_refused(client, field, value):
    petition = PetitionFactory(postal_code_field="optional", city_field="optional")
    response = client.post(sign_url(petition.action), {**VALID, field: value})
    assert response.status_code == 400
    assert "must be one line" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_persian_name_with_its_zero_width_non_joiner_signs(client):
    action = UrgentActionFactory()
    response = client.post(sign_url(action), {**VALID, "name": "علی\u200cرضا"})
    assert response.status_code == 302
    assert Signature.objects.get().name == "علی\u200cرضا"


@pytest.mark.parametrize("slug", ["%00", "58-20%00", "Ana%00", "5" * 300, "%E2%80%AE58-20"])
@pytest.mark.parametrize("page", ["sign", "thank-you", "message"])
def test_a_case_number_that_cannot_be_one_is_not_found(client, slug, page):
    UrgentActionFactory(number="58/20")
    assert client.get(f"/petition/{slug}/{page}/").status_code == 404
    if page != "thank-you":  # a page that takes no posts says so first (405)
        assert client.post(f"/petition/{slug}/{page}/", VALID).status_code == 404
    assert not Signature.objects.exists()


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
def test_a_form_not_in_utf_8_is_a_400_that_says_nothing_was_saved(client, charset):
    action = UrgentActionFactory()
    body = urlencode(VALID).encode(charset)
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    response = client.generic("POST", sign_url(action), body, content_type=content_type)
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_page_revision_the_browser_names_is_ignored_however_large(client):
    petition = PetitionFactory()
    data = {**VALID, "consent": "on", "page_revision": "9223372036854775808"}
    assert client.post(sign_url(petition.action), data).status_code == 302
    assert Consent.objects.get().page_revision_id is None


def test_closed_case_says_so_and_takes_no_signature(client):
    action = UrgentActionFactory(status=UrgentAction.Status.CLOSED, closed_at=timezone.now())
    response = client.post(sign_url(action), VALID)
    assert response.status_code == 409
    assert "no longer takes signatures" in response.content.decode()
    assert not Signature.objects.exists()


def test_draft_case_is_not_found(client):
    action = UrgentActionFactory(status=UrgentAction.Status.DRAFT)
    assert client.post(sign_url(action), VALID).status_code == 404


def _signed_token(client, django_capture_on_commit_callbacks, action) -> str:
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(sign_url(action), VALID)
    run_queued(callbacks)
    return last_token()


def test_opening_the_link_changes_nothing_and_the_button_confirms(
    client, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    token = _signed_token(client, django_capture_on_commit_callbacks, action)
    url = f"/petition/confirm/{token}/"

    page = client.get(url)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    assert Signature.objects.get().status == Signature.Status.PENDING

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/petition/{action.slug}/thank-you/"
    assert Signature.objects.get().status == Signature.Status.CONFIRMED
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 1


def test_a_used_link_offers_a_new_one(client, django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    token = _signed_token(client, django_capture_on_commit_callbacks, action)
    client.post(f"/petition/confirm/{token}/")

    for response in (
        client.get(f"/petition/confirm/{token}/"),
        client.post(f"/petition/confirm/{token}/"),
    ):
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 1


def test_an_expired_link_offers_a_new_one(client, settings):
    signature = SignatureFactory()
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    settings.PLUMA_CONFIRM_LINK_MAX_AGE = -1
    response = client.post(f"/petition/confirm/{token}/")
    assert response.status_code == 410
    page = response.content.decode()
    assert "expired" in page
    assert f"/petition/{signature.action.slug}/new-link/" in page
    signature.refresh_from_db()
    assert signature.status == Signature.Status.PENDING


def test_a_broken_link_is_a_400(client):
    response = client.get("/petition/confirm/garbage/")
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_asking_for_a_new_link_answers_the_same_for_anyone(
    client, django_capture_on_commit_callbacks
):
    signature = SignatureFactory()
    url = f"/petition/{signature.action.slug}/new-link/"
    with django_capture_on_commit_callbacks() as callbacks:
        known = client.post(url, filled(email=signature.supporter.email))
        unknown = client.post(url, filled(email="nobody@example.org"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert queued(callbacks) == []  # the same request written for both
    with django_capture_on_commit_callbacks() as callbacks:
        answer_email_requests()
    assert queued(callbacks) == [("petitions.tasks.send_confirmation", (signature.pk,))]
    run_queued(callbacks)
    assert mail.outbox[-1].to == [signature.supporter.email]


def test_asking_for_a_new_link_with_a_bad_address_is_a_400(client):
    action = UrgentActionFactory()
    response = client.post(f"/petition/{action.slug}/new-link/", {"email": "nope"})
    assert response.status_code == 400
    assert "Enter an email address" in response.content.decode()


def test_thank_you_page_mentions_letters_only_when_the_case_has_targets(client):
    bare = UrgentActionFactory()
    assert (
        "write to the officials"
        not in client.get(f"/petition/{bare.slug}/thank-you/").content.decode()
    )
    with_targets = ActionTargetFactory().action
    page = client.get(f"/petition/{with_targets.slug}/thank-you/").content.decode()
    assert "write to the officials" in page


def test_the_signing_box_is_the_same_html_for_every_visitor(rf):
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string

    action = PetitionFactory().action
    pages = []
    for secret in ("a" * 32, "b" * 32):
        request = rf.get("/")
        request.COOKIES["csrftoken"] = secret
        get_token(request)
        pages.append(render_to_string("petitions/_sign_form.html", {"action": action}, request))
    assert pages[0] == pages[1]
    assert "csrfmiddlewaretoken" not in pages[0]
    assert f"/api/v1/actions/{action.slug}/session/" in pages[0]
    assert "Sign the petition" in pages[0]


def _timeless(headers) -> dict:
    """Headers without Expires/Date, which carry the clock second, not who signed."""
    return {key: value for key, value in headers.items() if key not in ("Expires", "Date")}
