"""LOG_FORMAT=json: every line a process logs is one JSON object, in the web process and in
a Celery worker alike; without it, the text lines of before."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import logging, sys
import django
django.setup()
log = logging.getLogger("pluma.test")
log.info("Letter %s queued for %d targets", 7, 2)
try:
    1 / 0
except ZeroDivisionError:
    log.exception("Pack #%s failed", 3)
# Then what a Celery worker does to logging as it starts (celery.apps.worker).
from config.celery import app
app.log.setup(loglevel="INFO", redirect_stdouts=False)
log.info("Delivery %s sent", 9)
"""


def run(**environment: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "DATABASE", "REDIS", "LOG_", "CELERY"))
    }
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_json_logs_are_one_object_per_line_also_in_a_celery_worker():
    result = run(LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["message"] for line in lines] == [
        "Letter 7 queued for 2 targets",
        "Pack #3 failed",
        "Delivery 9 sent",
    ]
    assert all(line["logger"] == "pluma.test" for line in lines)
    assert [line["level"] for line in lines] == ["INFO", "ERROR", "INFO"]
    assert all(line["time"] for line in lines)
    # The traceback is a field of its line, not lines of its own.
    assert "ZeroDivisionError" in lines[1]["exc_info"]


def test_text_logs_by_default():
    result = run()
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.endswith(" INFO pluma.test Letter 7 queued for 2 targets")
    assert "Traceback (most recent call last):" in result.stderr


def test_an_unknown_log_format_is_refused():
    result = run(LOG_FORMAT="yaml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json, not 'yaml'." in result.stderr
