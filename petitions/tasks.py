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


@shared_task(name="petitions.tasks.send_already_signed", **SEND_RETRY)
def send_already_signed(signature_id: int) -> bool:
    return services.send_already_signed(signature_id=signature_id)


# --- handovers (petitions/handovers.py, petitions/packs.py) ---------------------------


# A pack of a million names takes minutes: longer than the default limits. Celery refuses
# to even queue a task whose soft limit is above its hard limit, so both are set.
@shared_task(name="petitions.tasks.build_pack", acks_late=True, soft_time_limit=600, time_limit=660)
def build_pack(pack_id: int) -> bool:
    from . import packs

    return packs.build_pack(pack_id=pack_id)
