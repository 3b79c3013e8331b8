"""Emails asked for by address are answered by a worker, the same way for any address."""

import pytest
from django.core import mail

from campaigns import email_requests, services
from campaigns.models import EmailRequest
from tests.factories import SupporterFactory, UrgentActionFactory

pytestmark = pytest.mark.django_db


def test_a_request_writes_one_row_and_asks_for_a_dispatch(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.request_data_link(email="someone@example.org")
    assert EmailRequest.objects.get().email == "someone@example.org"
    assert email_requests.DISPATCH.request in callbacks


def test_a_kind_nobody_answers_is_refused():
    with pytest.raises(LookupError):
        email_requests.request_email(kind="nobody.answers", email="someone@example.org")
    assert not EmailRequest.objects.exists()


def test_the_dispatch_hands_each_request_out_once(monkeypatch):
    from campaigns import tasks

    batches = []
    monkeypatch.setattr(tasks.answer_email_requests, "delay", batches.append)
    services.request_data_link(email="a@example.org")
    services.request_data_link(email="b@example.org")
    assert services.dispatch_email_requests() == 2
    assert services.dispatch_email_requests() == 0  # handed out, under lease
    assert batches == [list(EmailRequest.objects.values_list("pk", flat=True))]


def test_answering_deletes_the_request_and_sends_only_to_a_known_address(
    django_capture_on_commit_callbacks, eager
):
    SupporterFactory(email="known@example.org", email_canonical="known@example.org")
    services.request_data_link(email="Known@example.org")
    services.request_data_link(email="stranger@example.org")
    ids = list(EmailRequest.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.answer_email_requests(request_ids=ids) == 2
    assert [message.to for message in mail.outbox] == [["known@example.org"]]
    assert not EmailRequest.objects.exists()
    # Given the same ids again (a redelivered task), nothing is answered twice.
    assert services.answer_email_requests(request_ids=ids) == 0
    assert len(mail.outbox) == 1


def test_erasing_a_supporter_drops_their_unanswered_requests():
    supporter = SupporterFactory(email="ana@example.org", email_canonical="ana@example.org")
    services.request_data_link(email="ANA@example.org")
    email_requests.request_email(
        kind="petitions.new_link", email="ana@example.org", case_id=UrgentActionFactory().pk
    )
    services.erase_supporter(supporter=supporter)
    assert not EmailRequest.objects.exists()
