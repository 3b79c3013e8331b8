import os
import subprocess
import sys
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


def production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANYMAIL_", "DJANGO_", "PLUMA_"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="pluma.example.org",
        SITE_URL="https://pluma.example.org",
        ANYMAIL_ESP="postmark",
        ANYMAIL_POSTMARK_SERVER_TOKEN="token",
        LETTERS_FROM_EMAIL="letters@pluma.example.org",
        REPLY_DOMAIN="reply.pluma.example.org",
        **extra,
    )
    return env


def load_settings(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_webhook_secret():
    result = load_settings(production_env())
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET" in result.stderr


def test_production_starts_with_a_webhook_secret():
    result = load_settings(production_env(ANYMAIL_WEBHOOK_SECRET="user:pass"))
    assert result.returncode == 0, result.stderr


def test_a_lease_shorter_than_a_send_is_refused():
    env = production_env(ANYMAIL_WEBHOOK_SECRET="u:p", PLUMA_DELIVERY_LEASE_SECONDS="30")
    result = load_settings(env)
    assert "PLUMA_DELIVERY_LEASE_SECONDS" in result.stderr
