"""No log line carries a link's token or a raw control character (config/logs.py): not
the web server's access log, not Django's request log."""

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import signing
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from config.logs import MASK, SafeLogFilter, clean

ROOT = Path(__file__).resolve().parent.parent
# What Pluma's links carry: Django's signed, timestamped, compressed values.
TOKEN = signing.dumps({"s": 123456, "n": "Zq8sT1mRk0V2pL9xWc4NbA"}, salt="test", compress=True)


def token_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple]:
    """Every URL whose pattern has a <token>, however deep it is included: its name and
    the names of its other parts."""
    routes = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            routes += token_routes(pattern, namespace)
        elif isinstance(pattern, URLPattern):
            parts = pattern.pattern.converters or pattern.pattern.regex.groupindex
            if "token" in parts:
                routes.append((prefix + pattern.name, [part for part in parts if part != "token"]))
    return routes


def test_every_link_with_a_token_is_masked_in_an_access_log_line():
    routes = token_routes()
    # Pluma's seven, and the admin's password reset.
    assert len(routes) >= 8, routes
    for name, others in routes:
        path = reverse(name, kwargs={"token": TOKEN, **dict.fromkeys(others, "MQ")})
        line = clean(f'127.0.0.1 - "GET {path}?utm_source=email HTTP/1.1" 200 3.2')
        assert TOKEN not in line
        # Nor any piece of it long enough to matter.
        assert not any(part in line for part in TOKEN.split(":") if len(part) > 8), line
        assert MASK in line and "utm_source=email" in line


@pytest.mark.parametrize(
    "text",
    [
        "/petition/confirm/not-a-token-at-all/",  # a damaged token is most of a key
        f"/letter/confirm/{TOKEN.replace(':', '%3A')}/",
        "/api/v1/things/?key=Zq8sT1mRk0V2pL9xWc4NbA",
        f"Link used: {TOKEN}",
    ],
)
def test_tokens_anywhere_are_masked(text):
    assert MASK in clean(text)
    assert "Zq8sT1mRk0V2pL9xWc4NbA" not in clean(text)
    assert "not-a-token-at-all" not in clean(text)


@pytest.mark.parametrize(
    "text",
    [
        '"GET /petition/114-26-stop-the-threats-in-guerrero/sign/ HTTP/1.1" 302 12.1',
        '"GET /admin/pages/11/edit/ HTTP/1.1" 200 80.3',
        '"GET /static/css/pluma.3f2a1b9c8d7e.css HTTP/1.1" 200 0.4',
        "Task letters.tasks.deliver_many[6f1c2f0e-8b1a-4e54-9c9e-2b5b1d0e7a11] succeeded",
        "2026-12-06 15:17:18,615 ERROR django.request Internal Server Error: /es/verify/",
    ],
)
def test_what_is_not_a_token_stays_readable(text):
    assert clean(text) == text


def test_control_characters_are_written_as_escapes():
    line = clean("GET /x\r\n127.0.0.1 - FORGED\x1b[31m\x00\u2028 HTTP/1.1")

    assert line == "GET /x\\r\\n127.0.0.1 - FORGED\\x1b[31m\\x00\\u2028 HTTP/1.1"


def _record(msg, args=None, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_filter_cleans_granians_access_record_and_keeps_it():
    # granian logs its format with a dict of fields; the path comes decoded.
    record = _record(
        '%(addr)s - "%(method)s %(path)s %(protocol)s" %(status)d',
        {
            "addr": "127.0.0.1",
            "method": "GET",
            "path": f"/unsubscribe/{TOKEN}\r\nFORGED",
            "protocol": "HTTP/1.1",
            "status": 200,
        },
    )
    record.args = record.args  # LogRecord unwraps a one-dict tuple; granian passes the dict

    assert SafeLogFilter().filter(record) is True
    assert record.getMessage() == '127.0.0.1 - "GET /unsubscribe/[token]\\r\\nFORGED HTTP/1.1" 200'


def test_a_traceback_keeps_its_lines_and_loses_its_tokens():
    try:
        raise ValueError(f"bad link {TOKEN}")
    except ValueError:
        record = _record("Link failed", exc_info=sys.exc_info())

    SafeLogFilter().filter(record)

    assert "Traceback (most recent call last):\n" in record.exc_text
    assert TOKEN not in record.exc_text
    assert f"bad link {MASK}" in record.exc_text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_servers_access_log_masks_tokens_and_escapes_line_breaks(tmp_path):
    """granian as the Procfile runs it, with its access log on; the path holds a token and
    an encoded CR/LF followed by what would be a forged log line."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))}
    env.update(PLUMA_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    server = subprocess.Popen(  # noqa: S603 -- our own interpreter and code
        [
            *(sys.executable, "-m", "granian", "--interface", "wsgi", "config.wsgi:application"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--access-log"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    forged = "%0d%0a127.0.0.1%20-%20%22GET%20/admin/%20HTTP/1.1%22%20200"
    path = reverse("petitions:confirm", args=[TOKEN])[:-1] + forged + "/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline, "granian did not start"
                time.sleep(0.2)
        with connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            assert connection.recv(100).startswith(b"HTTP/1.1 ")
        time.sleep(1)  # the access line is written after the response
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)

    access = [line for line in out.splitlines() if "GET /petition/confirm/" in line]
    assert len(access) == 1, out
    assert f"/petition/confirm/{MASK}\\r\\n127.0.0.1 - " in access[0]
    assert not any(line.startswith("127.0.0.1 - ") for line in out.splitlines())
    # Django's own log of the same request, whatever it answered.
    assert "/petition/confirm/[token]" in err, err[-3000:]
    for part in TOKEN.split(":"):
        assert part not in out + err


def test_a_celery_workers_own_log_handlers_get_the_filter_too():
    from celery.signals import after_setup_logger

    logger = logging.getLogger("test.celery.worker")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO)
        record = _record("Task failed for /unsubscribe/%s\r\n", (TOKEN,))
        assert handler.filter(record)
        assert record.getMessage() == "Task failed for /unsubscribe/[token]\\r\\n"
    finally:
        logger.removeHandler(handler)
