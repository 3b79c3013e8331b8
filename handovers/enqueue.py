"""The tasks handovers' services enqueue, by name: services never import tasks."""

import importlib

from celery import current_app


def _task(name: str):
    importlib.import_module(name.rpartition(".")[0])  # registers it in a web process
    return current_app.tasks[name]


def build_pack(pack_id: int) -> None:
    _task("handovers.tasks.build_pack").delay_on_commit(pack_id)
