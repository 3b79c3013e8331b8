"""The ESP's webhooks: only the configured ESP's, and a 400 for what cannot be read.

anymail.urls mounts the webhooks of every ESP anymail knows. Those of ESPs Pluma is not
configured for answer any post with a 500 (AnymailConfigurationError: their keys are not
set), so only ANYMAIL_ESP's tracking and inbound webhooks are mounted, under the paths
anymail gives them (/webhooks/anymail/<esp>/tracking/ and …/inbound/).

anymail reads a payload with json.loads and dictionary lookups, and lets whatever they
raise become a 500; ESPs take a 5xx as "try again later" and would retry garbage for
days. A post that passed the webhook's checks (the secret, Mailgun's signature) and still
cannot be read is refused here with a 400 that says so. Errors of Pluma's own receivers
(letters.signals, replies.signals) are not caught: they stay 500s, so the ESP retries.
"""

import logging
from typing import Any

from anymail.exceptions import AnymailAPIError, AnymailConfigurationError
from anymail.webhooks import amazon_ses, mailgun, postmark, sendgrid
from anymail.webhooks.base import AnymailCoreWebhookView
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path

logger = logging.getLogger(__name__)

# What anymail's parsers raise on a payload of the wrong shape: bad JSON or encoding
# (ValueError), JSON nested past Python's recursion limit, missing or mistyped fields,
# Amazon SNS's "Malformed SNS message body", and the hints anymail gives when one kind of
# event comes to another's webhook ("You seem to have set Postmark's Delivery webhook to
# Anymail's Postmark inbound webhook URL").
UNREADABLE = (
    ValueError,
    RecursionError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AnymailAPIError,
    AnymailConfigurationError,
)


class _Unreadable(Exception):
    """A payload anymail could not read; raised only while reading it."""


class ReadablePayload(AnymailCoreWebhookView):
    """Put first in an anymail webhook view's bases: a post it cannot read gets a 400."""

    def run_validators(self, request: HttpRequest) -> None:
        # Amazon SES reads the body while checking it.
        try:
            super().run_validators(request)
        except UNREADABLE as error:
            raise _Unreadable(str(error)) from error

    def parse_events(self, request: HttpRequest) -> list[Any]:
        try:
            return list(super().parse_events(request))
        except UNREADABLE as error:
            raise _Unreadable(str(error)) from error

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = super().post(request, *args, **kwargs)
        except _Unreadable as error:
            # An error: it may be the ESP's set-up that is wrong, which only the operator can fix.
            logger.error("Unreadable %s webhook post: %s", self.esp_name, error)
            return HttpResponseBadRequest(
                f"This {self.esp_name} webhook post could not be read: nothing was changed.",
                content_type="text/plain; charset=utf-8",
            )
        return response


class PostmarkTracking(ReadablePayload, postmark.PostmarkTrackingWebhookView):
    pass


class PostmarkInbound(ReadablePayload, postmark.PostmarkInboundWebhookView):
    pass


class MailgunTracking(ReadablePayload, mailgun.MailgunTrackingWebhookView):
    pass


class MailgunInbound(ReadablePayload, mailgun.MailgunInboundWebhookView):
    pass


class AmazonSESTracking(ReadablePayload, amazon_ses.AmazonSESTrackingWebhookView):
    pass


class AmazonSESInbound(ReadablePayload, amazon_ses.AmazonSESInboundWebhookView):
    pass


class SendGridTracking(ReadablePayload, sendgrid.SendGridTrackingWebhookView):
    pass


class SendGridInbound(ReadablePayload, sendgrid.SendGridInboundWebhookView):
    pass


# The ESPs config/settings/email.py takes in ANYMAIL_ESP: their (tracking, inbound) views.
WEBHOOK_VIEWS: dict[str, tuple[type[ReadablePayload], type[ReadablePayload]]] = {
    "postmark": (PostmarkTracking, PostmarkInbound),
    "mailgun": (MailgunTracking, MailgunInbound),
    "amazon_ses": (AmazonSESTracking, AmazonSESInbound),
    "sendgrid": (SendGridTracking, SendGridInbound),
}


def webhook_urls(esp: str) -> list[URLPattern]:
    """The tracking and inbound webhooks of ``esp`` (none without an ESP: the embedded
    default takes replies with `manage.py receive_email`)."""
    if not esp:
        return []
    tracking, inbound = WEBHOOK_VIEWS[esp]
    return [
        path(f"{esp}/tracking/", tracking.as_view(), name=f"{esp}_tracking_webhook"),
        path(f"{esp}/inbound/", inbound.as_view(), name=f"{esp}_inbound_webhook"),
    ]
