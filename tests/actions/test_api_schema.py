"""schemathesis against the OpenAPI document (actions/openapi.py), through the WSGI app:
no server error, and every response as the document says (status, content type, body,
headers), for valid and invalid input alike."""

import pytest
import schemathesis
from django.test.client import ClientHandler
from django.utils import timezone
from hypothesis import HealthCheck, settings

from actions.openapi import OPENAPI
from tests.factories import PetitionFactory, UrgentActionFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def in_this_transaction(environ, start_response):
    """The site as a WSGI app, run the way Django's test client runs it: inside the test's
    transaction, where the real handler would close the database connection after each
    request. CSRF is checked, as in production: an undeclared method must be a 405."""
    response = ClientHandler()(environ)
    headers = [*response.items()]
    headers += [("Set-Cookie", cookie.OutputString()) for cookie in response.cookies.values()]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [response.content]


schema = schemathesis.openapi.from_dict(OPENAPI)
schema.app = in_this_transaction


@pytest.fixture(autouse=True)
def cases():
    # A public case with the number the document's examples give, and one closed.
    PetitionFactory(action=UrgentActionFactory(number="58/20"))
    UrgentActionFactory(number="12/25", status="closed", closed_at=timezone.now())


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_openapi_document_says(case):
    case.call_and_validate()
