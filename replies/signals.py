"""Receivers for anymail's signals; connected in RepliesConfig.ready."""

from email.message import EmailMessage

from anymail.signals import AnymailInboundEvent

from . import services


def _raw_bytes(event: AnymailInboundEvent) -> bytes:
    """The message as the ESP received it when the payload carries it, else rebuilt."""
    esp_event = event.esp_event
    raw: str | bytes | None = None
    if isinstance(esp_event, dict):
        raw = esp_event.get("RawEmail")  # Postmark, with "include raw email content"
    elif hasattr(esp_event, "POST"):
        raw = esp_event.POST.get("body-mime")  # Mailgun, forwarding to a .../mime URL
    if raw:
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    message: EmailMessage = event.message  # an AnymailInboundMessage, which is one
    return message.as_bytes()


def on_inbound(sender: object, event: AnymailInboundEvent, esp_name: str, **kwargs: object) -> None:
    # Raising here makes the webhook answer 500 and the ESP post the message again later.
    message = event.message
    services.receive_message(
        raw=_raw_bytes(event),
        envelope_recipient=message.envelope_recipient or "",
        envelope_sender=message.envelope_sender or "",
        esp_name=esp_name,
        esp_event_id=str(event.event_id or ""),
        is_spam=bool(message.spam_detected),
    )
