"""Receivers for anymail's signals; connected in LettersConfig.ready."""

from anymail.signals import AnymailTrackingEvent

from . import services


def on_tracking(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: object
) -> None:
    # An exception here becomes a 500 and the ESP posts the event again later.
    services.record_delivery_event(event=event, esp_name=esp_name)
