"""Every write of webhooks, by what it does: endpoints (made, edited, secrets rotated, the
kinds wanted), sending (fan-out, dispatch, delivery, retries, switching off, the log),
payloads (what a receiver sees), notices (telling organizers an endpoint is off)."""

from .endpoints import (
    check_url,
    create_endpoint,
    forget_wanted_kinds,
    may_send_texts,
    rotate_secret,
    update_endpoint,
    wanted_kinds,
)
from .notices import tell_organizers_endpoint_off
from .payloads import build_payload
from .sending import (
    WEBHOOK_OUTBOX,
    Outcome,
    deliver_webhook,
    deliver_webhooks,
    dispatch_webhooks,
    fan_out_events,
    prune_webhook_log,
    take_back_lost,
)

__all__ = [
    "WEBHOOK_OUTBOX",
    "Outcome",
    "build_payload",
    "check_url",
    "create_endpoint",
    "deliver_webhook",
    "deliver_webhooks",
    "dispatch_webhooks",
    "fan_out_events",
    "forget_wanted_kinds",
    "may_send_texts",
    "prune_webhook_log",
    "rotate_secret",
    "take_back_lost",
    "tell_organizers_endpoint_off",
    "update_endpoint",
    "wanted_kinds",
]
