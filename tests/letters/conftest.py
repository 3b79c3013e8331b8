import json
from pathlib import Path

import pytest

from campaigns.models import ActionTarget
from tests.factories import ActionTargetFactory, LetterFactory, TargetFactory, UrgentActionFactory

from .esp_stub import PostmarkStub

PAYLOADS = Path(__file__).parent / "payloads"


@pytest.fixture(autouse=True)
def _letters_settings(settings):
    settings.ORGANISATION_NAME = "Amnistía"
    settings.LETTERS_FROM_EMAIL = "letters@org.example"
    settings.REPLY_DOMAIN = "reply.org.example"
    settings.PLUMA_LETTERS_PER_TARGET_HOUR = 3600
    settings.PLUMA_DELIVERY_LEASE_SECONDS = 300


@pytest.fixture
def case():
    return UrgentActionFactory(number="58/20")


@pytest.fixture
def official(case):
    target = TargetFactory(name="Mauricio Vila", title="Gobernador de Yucatán")
    ActionTargetFactory(action=case, target=target, tier=ActionTarget.Tier.PRIMARY)
    return target


@pytest.fixture
def letter(case, official):
    return LetterFactory(case=case, targets=[official])


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
