"""Room for officials' replies: inbound email posts are larger than any form.

Django refuses a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) as soon as a view
reads it, which is right for every form of the site but would lose a reply with a scanned
letter attached: Postmark posts the whole email, attachments in base64, as one JSON body
(up to 35 MB of email). For the ESP inbound webhooks only, and only for a post that
carries the webhook's basic-auth secret (so nobody else can make a web process hold a
large body), this reads the body up to PLUMA_INBOUND_MAX_BYTES before the view does.
Anything else keeps Django's limit; anymail's view still checks the secret itself.
"""

from collections.abc import Callable

from anymail.utils import get_anymail_setting, get_request_basic_auth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare

INBOUND_PREFIX = "/webhooks/anymail/"


def _is_inbound_post(request: HttpRequest) -> bool:
    return (
        request.method == "POST"
        and request.path_info.startswith(INBOUND_PREFIX)
        and "/inbound" in request.path_info[len(INBOUND_PREFIX) :]
    )


def _has_webhook_secret(request: HttpRequest) -> bool:
    secrets = get_anymail_setting("webhook_secret", default=[])
    if isinstance(secrets, str):
        secrets = [secrets] if secrets else []
    given = get_request_basic_auth(request)
    return bool(given) and any(constant_time_compare(given, secret) for secret in secrets)


class InboundMailBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_inbound_post(request) and _has_webhook_secret(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.PLUMA_INBOUND_MAX_BYTES:
                return HttpResponse("Message too large.", status=413, content_type="text/plain")
            # HttpRequest.body returns what is already read without checking its size.
            request._body = request.read(settings.PLUMA_INBOUND_MAX_BYTES)
        return self.get_response(request)
