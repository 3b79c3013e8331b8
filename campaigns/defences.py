"""The defences of every public form, in one place.

Every public POST (signing, writing, reporting an action, a message of solidarity,
subscribing, asking for a new link or for one's data) is screened the same way
(`screen`):

- **where it comes from**: a browser says so in `Sec-Fetch-Site` (OWASP's Fetch Metadata
  defence) or, older ones, in `Origin`. A post another site made is refused, so a forged
  cross-site post cannot sign, confirm or change anything. This replaces a per-visitor
  CSRF token, so the forms work with scripts off and the case page stays the same HTML
  for everyone (README, "Forms without scripts"). A post with neither header (an old
  browser, a script) carries no victim's cookies and is let through to the other checks;
- **how fast it was filled in**: a signed start time in the form; faster than a person
  can read and type is sent back once, with what was typed, to send again;
- **how many from one network**: per client address (IPv6 by /64), per form and case;
  over the limit, the person is told honestly to try later, and nothing is stored;
- **a honeypot** field people never see, and **the domain blocklist**: accepted without
  a word (a bot learns nothing), stored flagged, never counted, never emailed;
- the **proof-of-work challenge** (ALTCHA) when a case asks for it (petitions' form).

Besides, no address gets more than PLUMA_EMAILS_PER_ADDRESS_DAY emails a day that a form
asked for (campaigns.mail.send_template's `capped`), whichever forms asked.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import time
from urllib.parse import urlsplit

import altcha
from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import is_ratelimited

from .links import Link
from .models import BlockedEmailDomain

# A form can hardly be read and filled in faster than this; scripts post at once.
MIN_FILL_SECONDS = 3
# A start time older than this is a replay of an old form.
MAX_FILL_SECONDS = 24 * 3600
# The challenge: SHA-256(salt + n) for an n below this. About half a second in a browser.
CHALLENGE_MAX_NUMBER = 50_000
CHALLENGE_MINUTES = 30
BLOCKLIST_CACHE_SECONDS = 60
# Each process's own copy on top of the shared one: edits reach every process this fast.
BLOCKLIST_LOCAL_SECONDS = 5

# Field names the forms and the page script share.
HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
CHALLENGE_FIELD = "altcha"


class Flag:
    """Reasons stored on what a silent defence accepted but will never count."""

    HONEYPOT = "honeypot"
    BLOCKED_DOMAIN = "blocked email domain"
    # Kept for rows flagged before over-the-limit posts were refused outright.
    RATE_LIMIT = "rate limit"
    # An organizer invalidated the source it came from (actions.services.sources); the
    # invalidation can be reversed, which clears the flag again.
    INVALIDATED = "invalidated"


# --- client address -------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The address of the client, as seen by the outermost proxy we trust.

    Each proxy appends the address it received the request from to X-Forwarded-For, so
    with N trusted proxies the client is the Nth entry from the right; anything further
    left was written by the client and could be anything.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
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


# One subscriber usually holds a whole IPv6 /64 and could post from any address in it.
IPV6_CLIENT_PREFIX = 64
# Where a sign-up or a letter came from, as kept on the row (trending sources, bulk
# invalidation): never the address itself, only its network. An IPv4 /24 is what a
# hosting provider, a company or a campus hands out together; an IPv6 /64 is one
# subscriber's.
IPV4_NETWORK_PREFIX = 24


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, with an IPv4-mapped IPv6 one (::ffff:192.0.2.1) as the IPv4 it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_key(request: HttpRequest) -> str:
    """Who a limit counts: an IPv4 address, or the /64 of an IPv6 one."""
    ip = client_ip(request)
    address = _address(ip)
    if address is None:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


def network_of(ip: str) -> str:
    """The network an address belongs to, as stored on a sign-up or a letter:
    "203.0.113.0/24", "2001:db8:1:2::/64"; '' for what is not an address."""
    address = _address(ip.strip())
    if address is None:
        return ""
    prefix = IPV4_NETWORK_PREFIX if address.version == 4 else IPV6_CLIENT_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def client_network(request: HttpRequest) -> str:
    """The network of the client (network_of), for the row a public form writes."""
    return network_of(client_ip(request))


def is_over_rate(request: HttpRequest, *, scope: str, rate: str) -> bool:
    """Count this post against its client's budget in ``scope``; True once over ``rate``
    (django-ratelimit's "N/s|m|h|d"), counted in the shared cache (Redis)."""
    return bool(
        is_ratelimited(
            request,
            group=f"pluma.form:{scope}",
            key=lambda _group, req: client_key(req),
            rate=rate,
            method="POST",
            increment=True,
        )
    )


# --- where a post comes from ----------------------------------------------------------


def _site_origins(request: HttpRequest) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}"}
    for url in (settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS):
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


def is_cross_site(request: HttpRequest) -> bool:
    """Whether the browser says another site made this request (OWASP Fetch Metadata).

    `Sec-Fetch-Site` decides when present: only "same-origin" passes ("same-site" would let
    any subdomain post). Else `Origin` must be this site's. A request with neither comes
    from an old browser or a script: it carries no victim's session, so it is not a
    forgery and the other defences deal with it.
    """
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site:
        return fetch_site != "same-origin"
    origin = request.META.get("HTTP_ORIGIN")
    if origin:
        return origin not in _site_origins(request)
    return False


# --- fill time ------------------------------------------------------------------------

# When this copy of the form was made: at render time for a cached page (so the start is
# at most the cache's lifetime early), or per visitor by the page's script.
STARTED: Link[int] = Link("petitions.abuse.started", max_age=MAX_FILL_SECONDS, parse=int)


def form_started_token(*, issued_at: float | None = None) -> str:
    return STARTED.make(int(time.time() if issued_at is None else issued_at))


def is_filled_in_plausibly(token: str) -> bool:
    """Whether the form was made long enough ago for a person to fill it in, and not so
    long ago that it is a replay."""
    started = STARTED.read_or_none(token)
    if started is None:
        return False
    return MIN_FILL_SECONDS <= time.time() - started <= MAX_FILL_SECONDS


# --- blocked email domains ------------------------------------------------------------

_BLOCKLIST_KEY = "petitions:blocked-domains"


def blocked_domains() -> frozenset[str]:
    """The blocklist, read on every sign-up: from this process's copy (a few seconds old at
    most), else the shared cache, else the database."""
    local = caches["local"]
    domains: frozenset[str] | None = local.get(_BLOCKLIST_KEY)
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


# --- all of them ----------------------------------------------------------------------


class Refusal:
    """Why a post is sent back with what was typed: the person can simply send it again."""

    CROSS_SITE = "cross-site"
    TOO_FAST = "too fast"


@dataclasses.dataclass(frozen=True)
class Screening:
    """What the defences say of one post. ``refusal``: show the form again, filled in,
    with one line saying why. ``over_rate``: tell the person honestly to try later, store
    nothing. ``flag``: accept it like any other, but store it flagged, never counted and
    never emailed."""

    refusal: str = ""
    over_rate: bool = False
    flag: str = ""

    @property
    def is_clear(self) -> bool:
        return not (self.refusal or self.over_rate or self.flag)


def screen(
    request: HttpRequest,
    *,
    scope: str,
    rate: str | None = None,
    honeypot: str = "",
    started: str | None = None,
    email: str = "",
) -> Screening:
    """Screen a public POST (see the module's docstring). ``scope`` names the form and,
    where it matters, the case ("sign:12"); ``rate`` defaults to PLUMA_FORM_RATE;
    ``started`` is the form's start time, None for a form without one. The post is
    counted against the client's budget first, so posts refused for another reason
    still use it up."""
    over_rate = is_over_rate(request, scope=scope, rate=rate or settings.PLUMA_FORM_RATE)
    if is_cross_site(request):
        return Screening(refusal=Refusal.CROSS_SITE)
    if honeypot:
        return Screening(flag=Flag.HONEYPOT)
    if started is not None and not is_filled_in_plausibly(started):
        return Screening(refusal=Refusal.TOO_FAST)
    if over_rate:
        return Screening(over_rate=True)
    if email and is_blocked_email(email):
        return Screening(flag=Flag.BLOCKED_DOMAIN)
    return Screening()


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
    return bool(cache.add(f"petitions:altcha-used:{signature}", 1, CHALLENGE_MINUTES * 60 + 60))
