"""The tasks handovers' services enqueue, by name: services never import tasks."""

from campaigns.enqueue import task


def build_pack(pack_id: int) -> None:
    task("handovers.tasks.build_pack").delay_on_commit(pack_id)
