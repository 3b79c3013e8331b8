import json
from pathlib import Path

import pytest

from .esp_stub import PostmarkStub

PAYLOADS = Path(__file__).parent / "payloads"


@pytest.fixture(autouse=True)
def _letters_settings(letters_settings):
    """Every letters test sends as an organisation, with a pace that never waits."""


@pytest.fixture
def esp_stub():
    stub = PostmarkStub(hang_seconds=3).start()
    yield stub
    stub.stop()


@pytest.fixture
def postmark(settings, esp_stub):
    """The real anymail Postmark backend, talking to the stub."""
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "x",
        "POSTMARK_API_URL": esp_stub.url,
        "REQUESTS_TIMEOUT": 1,
    }
    return esp_stub


def payload(name: str, **changes) -> dict:
    data = json.loads((PAYLOADS / f"{name}.json").read_text())
    data.update(changes)
    return data
