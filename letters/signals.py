"""Receivers for anymail's signals; connected in LettersConfig.ready."""

from django.dispatch import Signal

from . import services


def on_tracking(sender, event, esp_name, **kwargs) -> None:
    # An exception here becomes a 500 and the ESP posts the event again later.
    services.record_delivery_event(event=event, esp_name=esp_name)


# Sent by letters.composing; petitions listens, so a supporter who writes and signs at
# once confirms once, and letters never imports petitions (DESIGN §3).
# letter_written(sender=Letter, letter, name, country, city, language): a pending letter
#   whose writer asked to sign the petition too; sent inside the writing transaction.
letter_written = Signal()
# letter_confirmed(sender=Letter, letter): sent inside the confirming transaction, once
#   per letter that moved from pending to confirmed.
letter_confirmed = Signal()
