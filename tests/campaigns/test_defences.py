"""The defences of every public form (campaigns/defences.py), seen through the signing
form, the one that takes the most posts; tests/campaigns/test_public_forms.py holds the
other forms to the same answers."""

import base64
import hashlib
import json
import time

import pytest
from django.test import RequestFactory

from campaigns import defences
from campaigns.links import LinkNotCounted
from campaigns.models import BlockedEmailDomain
from petitions import counts, services, tokens
from petitions.models import Signature
from tests.factories import PetitionFactory, UrgentActionFactory
from tests.petitions.helpers import dispatch_requested, queued

pytestmark = pytest.mark.django_db


def started(seconds_ago: float = 60) -> str:
    return defences.form_started_token(issued_at=time.time() - seconds_ago)


def form(**overrides) -> dict:
    return {
        "name": "Ana López",
        "email": "ana@example.org",
        "country": "CA",
        "started": started(),
        **overrides,
    }


def sign(client, action, data, **headers):
    return client.post(f"/petition/{action.slug}/sign/", data, **headers)


def assert_accepted_but_flagged(response, action, callbacks, reason: str) -> None:
    """The user sees the normal result; the signature is kept, flagged, unsent, uncounted."""
    assert response.status_code == 302
    assert response["Location"] == f"/petition/{action.slug}/check-your-email/"
    signature = Signature.objects.get(action=action)
    assert signature.is_flagged
    assert signature.flag_reason == reason
    assert queued(callbacks) == []
    # Even a link that reached the owner of the address somehow confirms nothing.
    with pytest.raises(LinkNotCounted):
        services.confirm_signature(
            token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
        )
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 0


def test_a_clean_sign_up_is_not_flagged(client, django_capture_on_commit_callbacks):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        sign(client, action, form())
    signature = Signature.objects.get()
    assert not signature.is_flagged
    assert dispatch_requested(callbacks) and signature.link_due_at is not None


def test_a_filled_honeypot_is_accepted_silently_but_flagged(
    client, django_capture_on_commit_callbacks
):
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        response = sign(client, action, form(website="http://spam.example"))
    assert_accepted_but_flagged(response, action, callbacks, defences.Flag.HONEYPOT)


@pytest.mark.parametrize(
    "token",
    [
        lambda: started(seconds_ago=0),
        lambda: "",
        lambda: started()[:-2] + "xx",
        lambda: started(seconds_ago=2 * 24 * 3600),
    ],
    ids=["too-fast", "missing", "forged", "stale"],
)
def test_a_form_sent_too_fast_or_without_a_start_time_comes_back_filled_in_to_send_again(
    client, token
):
    # Browser autofill is this fast too: the person is asked to check and send again, and
    # nothing is stored that would never count.
    action = UrgentActionFactory()
    response = sign(client, action, form(started=token(), name="Ana Quej"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was sent yet: please check what you typed and send the form again." in page
    assert 'value="Ana Quej"' in page
    assert not Signature.objects.exists()
    fresh = response.context["form"].data["started"]
    assert defences.STARTED.read(fresh) >= time.time() - 5
    # Sent again a moment later, it counts.
    assert sign(client, action, form(started=started(), name="Ana Quej")).status_code == 302
    assert not Signature.objects.get().is_flagged


def test_the_session_endpoint_hands_out_a_fresh_start_time(client):
    action = UrgentActionFactory()
    data = client.get(f"/api/v1/actions/{action.slug}/session/").json()
    assert not defences.is_filled_in_plausibly(data["started"])  # just made
    assert defences.is_filled_in_plausibly(started())
    assert "csrf" not in data


def test_the_standalone_form_page_carries_its_own_timestamp(client):
    action = UrgentActionFactory()
    page = client.get(f"/petition/{action.slug}/sign/").content.decode()
    assert 'name="started" value="' in page
    assert 'name="website"' in page


def test_sign_ups_over_the_rate_are_told_honestly_that_they_do_not_count_now(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PLUMA_SIGN_RATE = "2/h"
    action, other = UrgentActionFactory(), UrgentActionFactory()
    for n in range(2):
        assert sign(client, action, form(email=f"ana{n}@example.org")).status_code == 302
    with django_capture_on_commit_callbacks() as callbacks:
        response = sign(client, action, form(email="third@example.org"))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "was not recorded and will not count" in response.content.decode()
    assert not Signature.objects.filter(supporter__email="third@example.org").exists()
    assert queued(callbacks) == []
    assert Signature.objects.filter(action=action, is_flagged=False).count() == 2
    # The budget is per case.
    assert sign(client, other, form(email="fourth@example.org")).status_code == 302


def test_the_rate_limit_counts_the_real_client_behind_the_proxy(client, settings):
    settings.PLUMA_SIGN_RATE = "1/h"
    settings.PLUMA_TRUSTED_PROXIES = 1
    action = UrgentActionFactory()
    sign(client, action, form(email="a@example.org"), HTTP_X_FORWARDED_FOR="203.0.113.1")
    sign(client, action, form(email="b@example.org"), HTTP_X_FORWARDED_FOR="203.0.113.2")
    # A client cannot escape its budget by writing its own X-Forwarded-For entry.
    response = sign(
        client,
        action,
        form(email="c@example.org"),
        HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.1",
    )
    assert response.status_code == 429
    signed = set(Signature.objects.values_list("supporter__email", flat=True))
    assert signed == {"a@example.org", "b@example.org"}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),
        (1, "", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_is_read_from_the_right_of_x_forwarded_for(
    settings, proxies, forwarded, expected
):
    settings.PLUMA_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert defences.client_ip(request) == expected


@pytest.mark.parametrize(
    "email", ["someone@mailinator.com", "someone@eu.Mailinator.com", "x@spam-domain.example"]
)
def test_blocked_email_domains_are_accepted_silently_but_flagged(
    client, django_capture_on_commit_callbacks, email
):
    BlockedEmailDomain.objects.create(domain="Spam-Domain.example")
    action = UrgentActionFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        response = sign(client, action, form(email=email))
    assert_accepted_but_flagged(response, action, callbacks, defences.Flag.BLOCKED_DOMAIN)


def test_a_domain_only_resembling_a_blocked_one_is_not_blocked():
    assert defences.is_blocked_email("ana@mailinator.com")
    assert not defences.is_blocked_email("ana@notmailinator.com")
    assert not defences.is_blocked_email("ana@mailinator.com.example.org")


# --- proof of work ----------------------------------------------------------------------


def solve(challenge: dict, *, wrong: bool = False) -> str:
    for number in range(challenge["maxNumber"] + 1):
        digest = hashlib.sha256(f"{challenge['salt']}{number}".encode()).hexdigest()
        if digest == challenge["challenge"]:
            break
    else:
        raise AssertionError("unsolvable challenge")
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": number + 1 if wrong else number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def test_a_case_under_attack_requires_a_solved_challenge(client):
    petition = PetitionFactory(requires_challenge=True)
    action = petition.action
    challenge = client.get(f"/api/v1/actions/{action.slug}/challenge/").json()
    assert challenge["algorithm"] == "SHA-256"

    response = sign(client, action, form(altcha=solve(challenge)))
    assert response.status_code == 302
    assert not Signature.objects.get().is_flagged


@pytest.mark.parametrize("payload", ["", "bm90IGpzb24=", "wrong"], ids=["missing", "junk", "bad"])
def test_a_missing_or_wrong_solution_is_a_400(client, payload):
    petition = PetitionFactory(requires_challenge=True)
    action = petition.action
    if payload == "wrong":
        challenge = client.get(f"/api/v1/actions/{action.slug}/challenge/").json()
        payload = solve(challenge, wrong=True)
    response = sign(client, action, form(altcha=payload))
    assert response.status_code == 400
    assert "anti-spam check did not finish" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_solution_works_only_once(client):
    petition = PetitionFactory(requires_challenge=True)
    action = petition.action
    payload = solve(client.get(f"/api/v1/actions/{action.slug}/challenge/").json())
    assert sign(client, action, form(altcha=payload)).status_code == 302
    response = sign(client, action, form(altcha=payload, email="other@example.org"))
    assert response.status_code == 400


def test_cases_without_the_challenge_do_not_ask_for_one(client):
    action = PetitionFactory(requires_challenge=False).action
    assert sign(client, action, form()).status_code == 302
    page = client.get(f"/petition/{action.slug}/sign/").content.decode()
    assert "altcha.js" not in page and "data-challenge-url" not in page
    action = PetitionFactory(requires_challenge=True).action
    page = client.get(f"/petition/{action.slug}/sign/").content.decode()
    assert "altcha.js" in page and "data-challenge-url" in page


def test_an_ipv6_client_cannot_escape_its_limit_by_changing_address_within_its_64(client, settings):
    settings.PLUMA_SIGN_RATE = "1/h"
    action = UrgentActionFactory()
    first = sign(client, action, form(email="a@example.org"), REMOTE_ADDR="2001:db8:1:2::1")
    again = sign(client, action, form(email="b@example.org"), REMOTE_ADDR="2001:db8:1:2::ff")
    other = sign(client, action, form(email="c@example.org"), REMOTE_ADDR="2001:db8:1:3::1")
    assert (first.status_code, again.status_code, other.status_code) == (302, 429, 302)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        (" 10.1.2.3 ", "10.1.2.0/24"),
        ("not-an-address", ""),
        ("", ""),
    ],
)
def test_a_row_keeps_the_network_of_an_address_never_the_address(address, network):
    assert defences.network_of(address) == network


def test_an_ipv4_mapped_client_is_limited_as_the_ipv4_client_it_is():
    # Not as the /64 every mapped address shares (::ffff:0:0/64), which would put all of
    # them in one budget.
    request = RequestFactory().post("/", REMOTE_ADDR="::ffff:198.51.100.9")
    assert defences.client_key(request) == "198.51.100.9"


def test_a_sign_up_keeps_its_network_and_email_domain_but_not_the_address(client, settings):
    settings.PLUMA_TRUSTED_PROXIES = 1
    action = UrgentActionFactory()
    response = sign(
        client,
        action,
        form(email="Ana.Lopez@GoogleMail.com"),
        HTTP_X_FORWARDED_FOR="2001:db8:5:6:7:8:9:10",
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.network, signature.email_domain) == ("2001:db8:5:6::/64", "gmail.com")
    stored = [str(value) for value in Signature.objects.values().get().values()]
    assert not any("7:8:9:10" in value for value in stored)


# --- where a post comes from ------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
    ],
    ids=["cross-site", "same-site", "other-origin", "null-origin"],
)
def test_a_post_another_site_made_comes_back_filled_in_and_changes_nothing(client, headers):
    action = UrgentActionFactory()
    response = sign(client, action, form(name="Ana Quej"), **headers)
    assert response.status_code == 400
    page = response.content.decode()
    assert "did not say that this form came from this site" in page
    assert 'value="Ana Quej"' in page
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://testserver"},
        {},
    ],
    ids=["fetch-metadata", "origin-only", "an-old-browser"],
)
def test_a_post_from_this_site_is_taken_without_any_token_or_cookie(client, headers):
    action = UrgentActionFactory()
    assert sign(client, action, form(), **headers).status_code == 302
    assert Signature.objects.exists()
