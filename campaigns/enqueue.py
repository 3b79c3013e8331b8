"""Tasks enqueued by name, and the ones campaigns' services enqueue.

Tasks import services; services never import tasks (DESIGN §3). A service that queues
work names the task instead: `task()` finds it in Celery's registry, importing the module
named after it first, because a web process never runs Celery's autodiscovery. Every app
has a small `enqueue` module like this one, so what a service queues reads as a call.
"""

import importlib
from typing import cast

from celery import current_app
from celery.contrib.django.task import DjangoTask

# A task found by name: its arguments are known only to its module.
NamedTask = DjangoTask[..., object]


def task(name: str) -> NamedTask:
    """The Celery task registered as ``name`` (``app.tasks.function``)."""
    importlib.import_module(name.rpartition(".")[0])
    # Celery's Django fixup makes DjangoTask every task's class; the registry's stub says Task.
    return cast(NamedTask, current_app.tasks[name])


def fan_out_announcement(announcement_id: int) -> None:
    task("campaigns.tasks.fan_out_announcement").delay_on_commit(announcement_id)


def send_subscription_confirmation(subscription_id: int) -> None:
    task("campaigns.tasks.send_subscription_confirmation").delay_on_commit(subscription_id)


def send_weekly_digest(subscription_id: int) -> None:
    task("campaigns.tasks.send_weekly_digest").delay(subscription_id)


def send_data_link(supporter_id: int) -> None:
    task("campaigns.tasks.send_data_link").delay_on_commit(supporter_id)


def dispatch_announcements() -> None:
    task("campaigns.tasks.dispatch_announcements").delay_on_commit()
