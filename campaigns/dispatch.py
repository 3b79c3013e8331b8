"""Gathering a burst of outbox rows into one task a second.

Letters to officials and confirmation emails to supporters are written to the database
first (the outbox: a Delivery, a pending Signature). Enqueueing a Celery task for each
row from the web request costs more CPU than writing the row, so on commit the request
only asks for a dispatch: a task that runs about a second later, finds every row that is
due, and hands them to workers in batches. However many rows a second brings, there is
one such task per second; the beat's sweeper runs the same dispatch every minute, so a
request lost with the broker still ends in a send.
"""

import time

from django.core.cache import cache

from .enqueue import NamedTask, task


class Dispatch:
    """Runs the task named ``task_name`` about ``seconds`` after the first request for it.

    Enqueued only if no other request did in the last ``seconds``: a mark in the shared
    cache (all web nodes share Redis; the embedded default's cache is each process's
    own), and before it this process's own memory, which spares the cache a round trip
    while this process's request is pending. The task is due just after the mark
    expires, so it sees every row committed by a request the mark turned away.
    """

    def __init__(self, task_name: str, *, seconds: float = 1):
        self.task_name = task_name
        self.seconds = seconds
        self.mark = f"dispatch-requested:{task_name}"
        self.requested_until = 0.0  # time.monotonic(); a benign race between threads

    def request(self) -> None:
        if time.monotonic() < self.requested_until:
            return
        started = time.monotonic()
        if cache.add(self.mark, True, timeout=self.seconds):
            self.task().apply_async(countdown=self.seconds + 0.25)
            self.requested_until = started + self.seconds

    def task(self) -> NamedTask:
        return task(self.task_name)

    def forget(self) -> None:
        """As if a second had passed (for tests)."""
        cache.delete(self.mark)
        self.requested_until = 0.0
