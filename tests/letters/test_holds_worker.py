"""The stop button with a real worker: letters queued, and even handed to the broker, before
an organizer holds their case never reach the ESP; after the resume every one arrives,
exactly once.

Real PostgreSQL (the test database), a redis-server of the test's own (broker and cache,
so no other run's dispatch mark gets in the way), a real Celery worker and the real
anymail Postmark backend talking to the ESP stub, as in test_crash.py.
"""

import shutil
import time

import pytest
import redis

from campaigns import holds
from campaigns.models import ActionTarget
from letters.models import Delivery, DeliveryPolicy
from letters.services import queue_letter
from tests.factories import (
    ActionTargetFactory,
    LetterFactory,
    TargetFactory,
    UrgentActionFactory,
    UserFactory,
)

from .esp_stub import PostmarkStub
from .test_crash import SWEEP, Stack, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

LETTERS = 60
TARGETS = 3
DEADLINE_SECONDS = 90
# Long enough for the worker to have taken every task off the broker and refused it, and
# for the sweeper (every two seconds) to have tried handing the rows out again.
HELD_SECONDS = 6

# What a dispatch does on the web's side: hand the due rows to the broker.
DISPATCH = """
import django
django.setup()
from letters.services import dispatch_deliveries
print(dispatch_deliveries())
"""

# The organizer's Resume, in a process with the real broker: the dispatch it asks for
# must reach the worker by itself (no sweeper runs any more).
RESUME = """
import django
django.setup()
from django.contrib.auth.models import User
from campaigns import holds
from campaigns.models import UrgentAction
holds.resume_case(action=UrgentAction.objects.get(number="58/20"), by=User.objects.get(username="ines"))
"""


@pytest.fixture
def stub():
    server = PostmarkStub(hang_seconds=5).start()
    yield server
    server.stop()


@pytest.fixture
def stack(transactional_db, tmp_path, stub):
    processes = Stack(tmp_path, stub.url)
    processes.env["REDIS_URL"] = f"redis://127.0.0.1:{processes.redis_port}/1"
    try:
        yield processes
    finally:
        processes.stop()


def run(stack: Stack, code: str, log_name: str) -> None:
    process = stack.run_python(code, log_name)
    assert process.wait(timeout=60) == 0, stack.logs()


def test_letters_held_before_the_worker_claims_them_go_exactly_once_after_the_resume(stack, stub):
    organizer = UserFactory(username="ines")
    case = UrgentActionFactory(number="58/20")
    targets = TargetFactory.create_batch(TARGETS)
    for target in targets:
        ActionTargetFactory(action=case, target=target, tier=ActionTarget.Tier.PRIMARY)
        DeliveryPolicy.objects.create(target=target, max_per_hour=10_000_000)
    for number in range(LETTERS):
        queue_letter(letter=LetterFactory(case=case, targets=[targets[number % TARGETS]]))

    stack.start_redis()
    broker = redis.Redis(port=stack.redis_port, db=0)
    # Their tasks are on the broker, the instant before the organizer presses Hold.
    run(stack, DISPATCH, "dispatch.log")
    assert not Delivery.objects.filter(enqueued_at__isnull=True).exists()
    assert broker.llen("celery") > 0
    assert holds.hold_case(action=case, by=organizer, reason="Wrong official")

    deadline = time.monotonic() + DEADLINE_SECONDS
    stack.start_worker()
    sweeper = stack.run_python(SWEEP, "sweeper.log")
    assert wait_for(lambda: broker.llen("celery") == 0, until=deadline), stack.logs()
    time.sleep(HELD_SECONDS)

    assert stub.messages == [], stack.logs()
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.QUEUED}

    stack.kill(sweeper)
    run(stack, RESUME, "resume.log")

    def all_sent() -> bool:
        return Delivery.objects.filter(status=Delivery.Status.SENT).count() == LETTERS

    assert wait_for(all_sent, until=deadline, step=0.2), stack.logs()
    time.sleep(1)  # any duplicate would have arrived by now
    counts = stub.metadata_counts()
    assert sorted(counts) == sorted(str(pk) for pk in Delivery.objects.values_list("pk", flat=True))
    assert set(counts.values()) == {1}
