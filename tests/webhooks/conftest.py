import pytest
from standardwebhooks import Webhook

from webhooks.models import WebhookDelivery

from .receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def verified(received, secret: str) -> dict:
    """The payload, as the standard's own verifier reads it (it raises if the signature or
    the timestamp is wrong)."""
    return Webhook(secret).verify(received.body, received.headers)


def deliveries(**filters) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(**filters).order_by("event_id", "pk"))
