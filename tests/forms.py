"""What a browser posts besides what a person types on a public form (campaigns/defences)."""

import time

from campaigns import defences, email_requests
from campaigns.models import EmailRequest


def started(seconds_ago: float = 60) -> str:
    """The start time of a form made a minute ago: long enough for a person to fill in."""
    return defences.form_started_token(issued_at=time.time() - seconds_ago)


def filled(**data: object) -> dict[str, object]:
    """A public form's post: ``data`` and a plausible start time."""
    return {"started": started(), **data}


def answer_email_requests() -> int:
    """Answer the waiting "new link" and "my data" requests, as a worker would a second
    after the form's post (campaigns.email_requests)."""
    ids = list(EmailRequest.objects.values_list("pk", flat=True))
    return email_requests.answer_email_requests(request_ids=ids)
