from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from letters import services, tasks
from letters.models import Delivery

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_the_deliver_task_sends_by_id(letter):
    services.queue_letter(letter=letter)
    delivery = Delivery.objects.get()
    assert tasks.deliver(delivery.pk) == "sent"
    assert tasks.deliver(delivery.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_sweep_task_reports_what_it_did():
    assert tasks.sweep_deliveries() == {"requeued": 0, "enqueued": 0, "failed": 0}


def test_delivery_tasks_ack_late_and_survive_a_lost_worker():
    for task in (
        tasks.deliver,
        tasks.deliver_many,
        tasks.dispatch_deliveries,
        tasks.sweep_deliveries,
        tasks.tell_supporter_of_failure,
    ):
        assert task.acks_late and task.reject_on_worker_lost


def test_the_sweeper_runs_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-deliveries"]
    assert entry == {"task": "letters.tasks.sweep_deliveries", "schedule": 60.0}
