"""Celery entry points for handovers: ids in, one service call each."""

from celery import shared_task

from . import services


# A pack of a million names takes minutes: longer than the default limits. Celery refuses
# to even queue a task whose soft limit is above its hard limit, so both are set.
@shared_task(name="handovers.tasks.build_pack", acks_late=True, soft_time_limit=600, time_limit=660)
def build_pack(pack_id: int) -> bool:
    return services.build_pack(pack_id=pack_id)


# Messages queued before an upgrade still carry the old name; drop after the next release.
@shared_task(name="petitions.tasks.build_pack", acks_late=True, soft_time_limit=600, time_limit=660)
def build_pack_by_old_name(pack_id: int) -> bool:
    return build_pack(pack_id)
