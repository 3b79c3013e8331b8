"""Webhooks through a real Celery worker that is SIGKILLed mid-run: every event reaches
the receiver, in order per supporter, and none twice but for the one allowed exception.

Real PostgreSQL (the test database), a redis-server of the test's own (broker and cache),
real Celery workers as subprocesses, a loop doing the beat's dispatch, and the receiver
in this process. The exception, as for letters: a worker killed after the receiver
acknowledged an event and before the worker recorded it. That row's lease runs out, the
dispatch takes it back and it is sent again, with the same webhook-id (receivers drop
repeats by it). Such repeats are counted, printed and bounded by the sends in flight.
"""

import collections
import shutil
import time

import pytest
from standardwebhooks import Webhook

from campaigns import events
from campaigns.models import Event
from tests.factories import EndpointFactory, SupporterFactory, UrgentActionFactory
from tests.letters.test_crash import Stack, wait_for
from webhooks.models import WebhookDelivery

from .receiver import Receiver

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

SUPPORTERS = 40
KINDS = [Event.Kind.SIGNATURE_CONFIRMED, Event.Kind.LETTER_SENT, Event.Kind.LETTER_DELIVERED]
CONCURRENCY = 4
KILL_WORKER_AT = 40
DEADLINE_SECONDS = 150

# What the beat does every minute, every 0.3 s.
DISPATCH = """
import logging, time, django
django.setup()
from webhooks.services import dispatch_webhooks
while True:
    try:
        dispatch_webhooks()
    except Exception as exc:
        logging.getLogger("dispatch").warning("dispatch failed: %r", exc)
    time.sleep(0.3)
"""


@pytest.fixture
def receiver():
    # Slow enough that the SIGKILL lands mid-run, not after it.
    server = Receiver(delay=0.05).start()
    yield server
    server.stop()


@pytest.fixture
def stack(transactional_db, tmp_path, receiver):
    processes = Stack(tmp_path, "http://127.0.0.1:9/")
    processes.env["REDIS_URL"] = f"redis://127.0.0.1:{processes.redis_port}/1"
    # A lease of 4 × 1 + 5 seconds: a row the killed worker held comes back quickly.
    processes.env["PLUMA_WEBHOOK_TIMEOUT"] = "1"
    try:
        yield processes
    finally:
        processes.stop()


def delivered() -> int:
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count()


def test_every_event_arrives_in_order_through_a_killed_worker(stack, receiver):
    endpoint = EndpointFactory(url=receiver.url)
    case = UrgentActionFactory()
    supporters = SupporterFactory.create_batch(SUPPORTERS)
    for kind in KINDS:
        for supporter in supporters:
            events.record(kind=kind, case_id=case.pk, supporter_id=supporter.pk, object_id=1)
    total = SUPPORTERS * len(KINDS)
    assert Event.objects.count() == total

    started = time.monotonic()
    deadline = started + DEADLINE_SECONDS
    stack.start_redis()
    stack.start_worker()
    stack.run_python(DISPATCH, "dispatch.log")

    assert wait_for(lambda: len(receiver.acknowledged()) >= KILL_WORKER_AT, until=deadline), (
        stack.logs()
    )
    stack.kill(stack.worker)
    killed_at = len(receiver.acknowledged())
    stack.start_worker()

    everything = wait_for(lambda: delivered() == total, until=deadline, step=0.2)
    took = time.monotonic() - started
    stack.stop()
    time.sleep(0.2)

    acknowledged = receiver.acknowledged()
    times = collections.Counter(r.webhook_id for r in acknowledged)
    repeated = {webhook_id: n for webhook_id, n in times.items() if n > 1}
    print(
        f"\n{total} events in {took:.0f} s; worker SIGKILLed after {killed_at} acknowledged; "
        f"{len(receiver.received)} requests, {len(acknowledged)} acknowledged, "
        f"{len(repeated)} sent again (acknowledged, worker killed before recording it)"
    )
    assert everything, stack.logs()
    assert killed_at < total, "the kill came after the work"
    ids = {f"msg_{uuid.hex}" for uuid in Event.objects.values_list("uuid", flat=True)}
    assert set(times) == ids, "every event acknowledged, and nothing else"
    assert len(repeated) <= CONCURRENCY, repeated

    verifier = Webhook(endpoint.secret)
    by_supporter = collections.defaultdict(list)
    for received in receiver.received:
        payload = verifier.verify(received.body, received.headers)
        if received.is_acknowledged:
            by_supporter[payload["data"]["supporter"]["id"]].append(payload["type"])
    for supporter in supporters:
        first_times = list(dict.fromkeys(by_supporter[str(supporter.public_id)]))
        assert first_times == KINDS, (supporter.pk, by_supporter[str(supporter.public_id)])
