"""Celery entry points for petitions: ids in, one service call each."""

import smtplib

from anymail.exceptions import AnymailAPIError
from celery import shared_task

from . import services

# Network trouble and ESP hiccups are worth retrying; anything else is a bug to see.
RETRY = {
    "autoretry_for": (OSError, smtplib.SMTPException, AnymailAPIError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


@shared_task(name="petitions.tasks.send_confirmation", **RETRY)
def send_confirmation(signature_id: int) -> bool:
    return services.send_confirmation(signature_id=signature_id)


@shared_task(name="petitions.tasks.dispatch_confirmations", acks_late=True)
def dispatch_confirmations() -> int:
    return services.dispatch_confirmations()


@shared_task(name="petitions.tasks.send_confirmations", **RETRY)
def send_confirmations(signature_ids: list[int]) -> int:
    return services.send_due_confirmations(signature_ids=signature_ids)


@shared_task(name="petitions.tasks.send_already_signed", **RETRY)
def send_already_signed(signature_id: int) -> bool:
    return services.send_already_signed(signature_id=signature_id)
