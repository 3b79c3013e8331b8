"""Organizers' endpoints: made, edited, their secret rotated, switched on and off; and the
set of event kinds anybody wants, which every event's recording reads first."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Event

from .. import enqueue, signing
from ..models import Endpoint

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

SEND_TEXTS = "webhooks.send_texts_endpoint"
# After a rotation the old secret still signs for this long, so receivers can switch over.
ROTATION_GRACE = datetime.timedelta(hours=24)
# Each process asks the database which kinds are wanted at most this often; an endpoint
# hears of events from this long after it is saved at the latest.
WANTED_SECONDS = 5
_WANTED_KEY = "webhooks:wanted-kinds"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


# --- which kinds are wanted ----------------------------------------------------------------


def wanted_kinds() -> frozenset[str]:
    """The kinds of event some active endpoint wants. Read by every event's recording
    (campaigns.events), so from this process's copy, a few seconds old at most: no query
    on a warm cache."""
    local = caches["local"]
    kinds: frozenset[str] | None = local.get(_WANTED_KEY)
    if kinds is None:
        kinds = frozenset(
            kind
            for chosen in Endpoint.objects.filter(is_active=True).values_list("events", flat=True)
            for kind in chosen
        )
        local.set(_WANTED_KEY, kinds, WANTED_SECONDS)
    return kinds


def forget_wanted_kinds() -> None:
    """After a change: at once in this process, within WANTED_SECONDS in the others."""
    caches["local"].delete(_WANTED_KEY)


class EventListener:
    """What campaigns.events asks of webhooks (registered in WebhooksConfig.ready)."""

    def wanted(self) -> frozenset[str]:
        return wanted_kinds()

    def recorded(self) -> None:
        enqueue.request_dispatch()


# --- the URL -------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """Raise ValidationError unless ``url`` may receive events: https; plain http only to
    this machine outside production (development and tests); in production never to
    this machine or a private address written as an IP (the site's own network)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise ValidationError(_("Enter an https:// address."))
    is_local = host in LOCAL_HOSTS
    if settings.IS_PRODUCTION:
        if parts.scheme != "https":
            raise ValidationError(_("Events are sent over https only."))
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if is_local or (address is not None and not address.is_global):
            raise ValidationError(_("Events cannot be sent to this machine or a private address."))
    elif parts.scheme != "https" and not is_local:
        raise ValidationError(
            _("Events are sent over https only (plain http only to localhost, in development).")
        )


def _check_events(kinds: Iterable[str]) -> list[str]:
    chosen = [kind for kind in Event.Kind.values if kind in set(kinds)]
    if not chosen:
        raise ValidationError(_("Choose at least one event."))
    return chosen


def _may_send_texts(user: User | AnonymousUser | None) -> bool:
    return user is not None and user.is_active and user.has_perm(SEND_TEXTS)


# --- writes --------------------------------------------------------------------------------


def create_endpoint(
    *,
    name: str,
    url: str,
    events: Iterable[str],
    by: User | None,
    is_active: bool = True,
    has_texts: bool = False,
) -> tuple[Endpoint, str]:
    """Make an endpoint with a fresh secret; returns it and the secret, to show once.

    Raises ValidationError for a URL events may not go to or no events; PermissionDenied
    for texts asked by someone not allowed to send them.
    """
    check_url(url)
    if has_texts and not _may_send_texts(by):
        raise PermissionDenied(_("You may not send letter and reply texts to an endpoint."))
    secret = signing.new_secret()
    endpoint = Endpoint.objects.create(
        name=name,
        url=url,
        events=_check_events(events),
        is_active=is_active,
        has_texts=has_texts,
        texts_allowed_by=by if has_texts else None,
        secret=secret,
        created_by=by,
    )
    transaction.on_commit(forget_wanted_kinds)
    return endpoint, secret


def update_endpoint(
    *,
    endpoint: Endpoint,
    name: str,
    url: str,
    events: Iterable[str],
    is_active: bool,
    has_texts: bool,
    by: User | None,
) -> Endpoint:
    """Save an edit. Turning texts on needs the permission (PermissionDenied) and records
    who did; switching an endpoint back on clears why it was off and lets what waits go,
    in order."""
    check_url(url)
    # As stored: an admin form has already written its values onto the instance it was given.
    endpoint = Endpoint.objects.get(pk=endpoint.pk)
    if has_texts and not endpoint.has_texts and not _may_send_texts(by):
        raise PermissionDenied(_("You may not send letter and reply texts to an endpoint."))
    switched_on = is_active and not endpoint.is_active
    endpoint.name, endpoint.url, endpoint.events = name, url, _check_events(events)
    if has_texts != endpoint.has_texts:
        endpoint.has_texts = has_texts
        endpoint.texts_allowed_by = by if has_texts else None
    endpoint.is_active = is_active
    if switched_on:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    elif not is_active and endpoint.disabled_at is None:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = _("Switched off by %(user)s") % {"user": by or "?"}
    endpoint.save()
    transaction.on_commit(forget_wanted_kinds)
    if switched_on:
        transaction.on_commit(enqueue.request_dispatch)
    return endpoint


def rotate_secret(*, endpoint: Endpoint) -> str:
    """Give the endpoint a new secret, to show once; the old one signs as well for
    ROTATION_GRACE, so the receiver can switch without losing an event."""
    secret = signing.new_secret()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        secret=secret,
        previous_secret=endpoint.secret,
        previous_secret_expires_at=timezone.now() + ROTATION_GRACE,
        updated_at=timezone.now(),
    )
    endpoint.refresh_from_db()
    return secret


def signing_secrets(endpoint: Endpoint, *, now: datetime.datetime) -> list[str]:
    """The secrets an event is signed with now: the current one, and the previous one
    while its grace lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(endpoint.previous_secret)
    return found


def may_send_texts(endpoint: Endpoint) -> bool:
    """Texts go only to an endpoint that asks for them, set up by someone who may still
    send them (a permission withdrawn later stops them)."""
    return endpoint.has_texts and _may_send_texts(endpoint.texts_allowed_by)
