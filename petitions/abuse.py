"""Defences against automated and abusive sign-ups.

Most defences do not refuse anything: a sign-up that trips one is accepted like any
other (the supporter, or the bot, sees the same page) but stored flagged with the reason,
never counted and never emailed. Refusing would tell a bot which check it failed. The
exception is the proof-of-work challenge: an honest browser always sends a solution, so
a missing or wrong one is a form error.
"""

import datetime
import ipaddress
import time

import altcha
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import is_ratelimited

from campaigns.links import Link
from campaigns.models import UrgentAction

from .models import BlockedEmailDomain

# A form can hardly be read and filled in faster than this; scripts post at once.
MIN_FILL_SECONDS = 3
# The fill-time token is issued with the CSRF token; one older than this is a replay.
MAX_FILL_SECONDS = 24 * 3600
# The challenge: SHA-256(salt + n) for an n below this. About half a second in a browser.
CHALLENGE_MAX_NUMBER = 50_000
CHALLENGE_MINUTES = 30
BLOCKLIST_CACHE_SECONDS = 60
# Each process's own copy on top of the shared one: edits reach every process this fast.
BLOCKLIST_LOCAL_SECONDS = 5

# Field names the form and the page script share.
HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
CHALLENGE_FIELD = "altcha"


class Flag:
    """Reasons stored in Signature.flag_reason."""

    HONEYPOT = "honeypot"
    TOO_FAST = "filled in too fast"
    NO_START = "no or bad form timestamp"
    RATE_LIMIT = "rate limit"
    BLOCKED_DOMAIN = "blocked email domain"


# --- client address -------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The address of the client, as seen by the outermost proxy we trust.

    Each proxy appends the address it received the request from to X-Forwarded-For, so
    with N trusted proxies the client is the Nth entry from the right; anything further
    left was written by the client and could be anything.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PLUMA_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _rate_key(group: str, request: HttpRequest) -> str:
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        # One IPv6 subscriber usually holds a whole /64.
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return ip


def is_over_rate(request: HttpRequest, *, action: UrgentAction) -> bool:
    """Count this sign-up against its address's budget on this case; True once over."""
    return is_ratelimited(
        request,
        group=f"petitions.sign:{action.pk}",
        key=_rate_key,
        rate=settings.PLUMA_SIGN_RATE,
        method="POST",
        increment=True,
    )


# --- fill time ------------------------------------------------------------------------


# The fill-time token: when this visitor's copy of the form was issued.
STARTED: Link[int] = Link("petitions.abuse.started", max_age=MAX_FILL_SECONDS, parse=int)


def form_started_token(*, issued_at: float | None = None) -> str:
    """A signed timestamp for the signing form; served per visitor with the CSRF token."""
    return STARTED.make(int(time.time() if issued_at is None else issued_at))


def fill_time_flag(token: str) -> str:
    """'' if the form was issued a plausible while ago, else the reason to flag."""
    started = STARTED.read_or_none(token)
    if started is None:
        return Flag.NO_START
    elapsed = time.time() - started
    if elapsed > MAX_FILL_SECONDS:
        return Flag.NO_START
    if elapsed < MIN_FILL_SECONDS:
        return Flag.TOO_FAST
    return ""


# --- blocked email domains ------------------------------------------------------------

_BLOCKLIST_KEY = "petitions:blocked-domains"


def blocked_domains() -> frozenset[str]:
    """The blocklist, read on every sign-up: from this process's copy (a few seconds old at
    most), else the shared cache, else the database."""
    local = caches["local"]
    domains = local.get(_BLOCKLIST_KEY)
    if domains is None:
        domains = cache.get(_BLOCKLIST_KEY)
        if domains is None:
            domains = frozenset(BlockedEmailDomain.objects.values_list("domain", flat=True))
            cache.set(_BLOCKLIST_KEY, domains, BLOCKLIST_CACHE_SECONDS)
        local.set(_BLOCKLIST_KEY, domains, BLOCKLIST_LOCAL_SECONDS)
    return domains


def forget_blocked_domains() -> None:
    """After an edit: at once here and in the shared cache, within seconds elsewhere."""
    cache.delete(_BLOCKLIST_KEY)
    caches["local"].delete(_BLOCKLIST_KEY)


def is_blocked_email(email: str) -> bool:
    """Whether the address's domain, or a domain it is under, is on the blocklist."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    if not domain:
        return False
    blocked = blocked_domains()
    labels = domain.split(".")
    return any(".".join(labels[i:]) in blocked for i in range(len(labels) - 1))


# --- all the silent checks together ---------------------------------------------------


def flag_reason(request: HttpRequest, *, action: UrgentAction, honeypot: str, started: str) -> str:
    """Why this sign-up should be flagged, or ''. Counts the sign-up against the rate limit."""
    # The rate is counted first, so posts that fail other checks still use up the budget.
    over_rate = is_over_rate(request, action=action)
    if honeypot:
        return Flag.HONEYPOT
    if reason := fill_time_flag(started):
        return reason
    if over_rate:
        return Flag.RATE_LIMIT
    return ""


# --- proof of work (ALTCHA) -----------------------------------------------------------


def _hmac_key() -> str:
    return salted_hmac("petitions.abuse.altcha", "challenge").hexdigest()


def create_challenge() -> dict[str, str | int]:
    """A fresh challenge in the JSON shape ALTCHA's widget and our solver read."""
    # Through ChallengeOptions, as create_challenge_v1 does with keywords: its keyword
    # overload declares every argument required, though each has a default.
    challenge = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            hmac_key=_hmac_key(),
            max_number=CHALLENGE_MAX_NUMBER,
            expires=datetime.datetime.now(datetime.UTC)
            + datetime.timedelta(minutes=CHALLENGE_MINUTES),
        )
    )
    return challenge.to_dict()


def is_valid_solution(payload: str) -> bool:
    """Check a solution (base64 JSON) and spend it: each challenge is accepted once."""
    if not payload or len(payload) > 2000:
        return False
    try:
        ok, _error = altcha.verify_solution_v1(payload, _hmac_key(), check_expires=True)
    except (ValueError, TypeError, KeyError, AttributeError):
        return False
    if not ok:
        return False
    # The challenge's signature is unique per challenge; remember it until it expires.
    signature = altcha.PayloadV1.from_base64(payload).signature
    return cache.add(f"petitions:altcha-used:{signature}", 1, CHALLENGE_MINUTES * 60 + 60)
