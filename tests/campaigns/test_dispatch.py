"""campaigns.dispatch: a burst of outbox rows asks for one task a second."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FRESH_WEB_PROCESS = """
import django
django.setup()
from petitions.services import CONFIRMATIONS
from letters.services import DISPATCH
for dispatch in (CONFIRMATIONS, DISPATCH):
    dispatch.request()
print("requested")
"""


def test_a_fresh_web_process_can_request_a_dispatch():
    """Tests import every tasks module; a web process does not, and Celery's autodiscovery
    never runs there. A dispatch must still find its task."""
    result = subprocess.run(  # noqa: S603 -- our own interpreter and code
        [sys.executable, "-c", FRESH_WEB_PROCESS],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "requested" in result.stdout
