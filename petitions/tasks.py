"""Celery entry points for petitions: ids in, one service call each."""

from celery import shared_task

from campaigns.retry import SEND_RETRY

from . import services


@shared_task(name="petitions.tasks.send_confirmation", **SEND_RETRY)
def send_confirmation(signature_id: int) -> bool:
    return services.send_confirmation(signature_id=signature_id)


@shared_task(name="petitions.tasks.dispatch_confirmations", acks_late=True)
def dispatch_confirmations() -> int:
    return services.dispatch_confirmations()


@shared_task(name="petitions.tasks.send_confirmations", **SEND_RETRY)
def send_confirmations(signature_ids: list[int]) -> int:
    return services.send_due_confirmations(signature_ids=signature_ids)


@shared_task(name="petitions.tasks.send_notices", **SEND_RETRY)
def send_notices(signature_ids: list[int]) -> int:
    return services.send_due_notices(signature_ids=signature_ids)


# One notice at a time: how repeated sign-ups before 0.2 queued theirs.
@shared_task(name="petitions.tasks.send_already_signed", **SEND_RETRY)
def send_already_signed(signature_id: int) -> bool:
    return services.send_already_signed(signature_id=signature_id)
