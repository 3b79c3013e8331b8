"""/healthz says the process answers and touches nothing; /readyz says whether the
database, Redis and the broker answer within a second, and which did not. Both are
answered above every other middleware, never cached, never logged."""

import json
import threading
import time

import pytest
from celery import current_app
from django.db import OperationalError

from config import health

# Nothing listens on port 1 of the loopback: connecting is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def readyz_checks():
    """The checks' threads keep a database connection: close it when the test is done."""
    yield
    health.DATABASE.close_connection()


def answer(response):
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: a query would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert answer(response) == {"status": "ok"}


def test_the_endpoints_are_answered_before_sessions_security_and_hosts(client, settings):
    # A balancer probes a node by its address over plain HTTP: no HTTPS redirect, no
    # DisallowedHost, no cookie, no language prefix.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["pluma.example.org"]
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert not response.cookies
    assert "Vary" not in response


def test_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_checks_each_service(client, settings, readyz_checks):
    # A first probe also opens the connections: on a machine this busy (two cores, the
    # whole suite on them) that can take longer than the second a check is given. A
    # check that runs late goes on, and the next probe takes its outcome.
    for _ in range(3):
        response = client.get("/readyz")
        if response.status_code == 200:
            break
    body = answer(response)
    assert response.status_code == 200, body
    expected = {"database", "broker"} | ({"redis"} if settings.REDIS_URL else set())
    assert body == {"status": "ok", "checks": dict.fromkeys(expected, "ok")}


@pytest.mark.django_db
def test_readyz_is_503_and_names_a_redis_that_does_not_answer(
    client, settings, readyz_checks, caplog
):
    settings.REDIS_URL = DEAD_REDIS
    response = client.get("/readyz")
    body = answer(response)
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis"]
    assert body["checks"]["redis"] == "failed: ConnectionError"
    assert body["checks"]["database"] == "ok"
    # Not one log line per probe (Django logs every 5xx it returns, unless told).
    assert not [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.django_db
def test_readyz_names_a_broker_that_does_not_answer(client, readyz_checks):
    conf = current_app.conf
    was = conf.broker_url
    conf.broker_url = DEAD_REDIS
    try:
        response = client.get("/readyz")
    finally:
        conf.broker_url = was
    assert response.status_code == 503
    assert answer(response)["failed"] == ["broker"]


def test_readyz_names_a_database_that_does_not_answer(client, monkeypatch):
    def refused() -> None:
        raise OperationalError("connection to server at 10.0.0.7 failed")

    monkeypatch.setattr(health, "DATABASE", health.Check("database", refused))
    response = client.get("/readyz")
    body = answer(response)
    assert response.status_code == 503
    assert body["failed"] == ["database"]
    # The class only: the message may name internal hosts, and anyone may ask.
    assert body["checks"]["database"] == "failed: OperationalError"
    assert "10.0.0.7" not in response.content.decode()


def test_a_check_that_hangs_costs_a_probe_one_second_and_runs_once(client, monkeypatch):
    release = threading.Event()
    calls = []

    def hangs() -> None:
        calls.append(1)
        release.wait(10)

    monkeypatch.setattr(health, "DATABASE", health.Check("database", hangs))
    try:
        for _ in range(2):
            started = time.monotonic()
            response = client.get("/readyz")
            assert time.monotonic() - started < 2.5
            assert response.status_code == 503
            assert answer(response)["checks"]["database"] == "timed out after 1 s"
        # The second probe waited on the first one's check instead of starting another.
        assert calls == [1]
    finally:
        release.set()


def test_without_redis_there_is_no_redis_to_check(settings):
    settings.REDIS_URL = ""
    assert [check.name for check in health.checks()] == ["database", "broker"]
