"""Receivers for anymail's signals; connected in RepliesConfig.ready."""

from . import services


def _raw_bytes(event) -> bytes:
    """The message as the ESP received it when the payload carries it, else rebuilt."""
    esp_event = event.esp_event
    raw = None
    if isinstance(esp_event, dict):
        raw = esp_event.get("RawEmail")  # Postmark, with "include raw email content"
    elif hasattr(esp_event, "POST"):
        raw = esp_event.POST.get("body-mime")  # Mailgun, forwarding to a .../mime URL
    if raw:
        return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    return event.message.as_bytes()


def on_inbound(sender, event, esp_name, **kwargs) -> None:
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
