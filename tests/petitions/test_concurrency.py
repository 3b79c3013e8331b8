"""Races on the real database: what the unique constraint and the shards promise."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from petitions import counts, services, tokens
from petitions.models import Signature
from tests.factories import UrgentActionFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def _sign(action, email: str):
    return services.sign(action=action, name="Ana López", email=email, country="CA", language="en")


@pytest.mark.parametrize("attempt", range(20))
def test_fifty_simultaneous_identical_sign_ups_leave_one_signature(attempt):
    action = UrgentActionFactory()
    barrier = threading.Barrier(50)

    @_in_thread
    def sign_once(_):
        barrier.wait()
        return _sign(action, "Ana+race@Example.org").is_new

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(sign_once, range(50)))

    assert Signature.objects.filter(action=action).count() == 1
    assert results.count(True) == 1
    # Every repeat, the losers of the race included, left the one notice due.
    assert Signature.objects.get(action=action).notice_due_at is not None


def test_a_thousand_concurrent_signers_confirmed_count_exactly_a_thousand():
    action = UrgentActionFactory()

    @_in_thread
    def sign_and_confirm(batch: int):
        for i in range(batch * 1000 // 16, (batch + 1) * 1000 // 16):
            signature = _sign(action, f"signer{i}@example.org").signature
            services.confirm_signature(
                token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
            )

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(sign_and_confirm, range(16)))

    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 1000
    assert Signature.objects.filter(action=action, status="confirmed").count() == 1000


def test_the_sign_up_statement_is_planned_once_per_connection():
    action = UrgentActionFactory()

    for i in range(8):
        _sign(action, f"prepared{i}@example.org")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["WITH open_case AS %"],
        )
        assert cursor.fetchone()[0] == 1
    assert Signature.objects.filter(action=action).count() == 8
