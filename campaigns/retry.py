"""The retry policies of Pluma's tasks, in one place.

An email to a supporter may fail on the network or at the ESP: worth retrying with
backoff, a few times. Anything else is a bug to see, not to retry. Tasks whose work must
survive a worker's death acknowledge late, and are taken again when the worker is lost
(the settings say so too; repeated where delivery depends on it). Letters to officials
retry in the database instead (letters/services/sending.py), with their own backoff.

Typed dicts, so the keyword arguments they spread into ``shared_task`` are checked.
"""

import smtplib
from typing import TypedDict

from anymail.exceptions import AnymailAPIError


class Retry(TypedDict):
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: bool
    retry_backoff_max: int
    max_retries: int


class Reliable(TypedDict):
    acks_late: bool
    reject_on_worker_lost: bool
    ignore_result: bool


SEND_RETRY = Retry(
    autoretry_for=(OSError, smtplib.SMTPException, AnymailAPIError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)

RELIABLE = Reliable(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
