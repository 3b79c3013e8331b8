"""Fixtures for tests around letters (letters, replies, actions): a case with one official,
a letter to them, and the settings letters need to go out. Loaded by tests/conftest.py."""

import pytest

from campaigns.models import ActionTarget
from tests.factories import ActionTargetFactory, LetterFactory, TargetFactory, UrgentActionFactory


@pytest.fixture
def letters_settings(settings):
    settings.ORGANISATION_NAME = "Amnistía"
    settings.LETTERS_FROM_EMAIL = "letters@org.example"
    settings.REPLY_DOMAIN = "reply.org.example"
    settings.PLUMA_LETTERS_PER_TARGET_HOUR = 3600
    settings.PLUMA_DELIVERY_LEASE_SECONDS = 300
    return settings


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
