"""Which officials answer: per target, letters delivered, replies, and how fast.

A letter counts as answered when an email reply was routed to its delivery, or when its
writer said they got a reply by email or by post (an upload an organizer rejected does
not count). The median counts days from delivery (or sending) to the first email reply,
since only those carry a date. A few queries whatever the number of letters.
"""

import dataclasses
import statistics

from django.db.models import Count

from campaigns.models import Target, UrgentAction
from letters.models import Delivery

from .models import Reply, ReplyQuestion

WENT_OUT = (Delivery.Status.SENT, Delivery.Status.DELIVERED)
ANSWERED = (ReplyQuestion.Answer.BY_EMAIL, ReplyQuestion.Answer.BY_POST)


@dataclasses.dataclass
class Responsiveness:
    target: Target
    delivered: int
    replied: int
    median_days: float | None

    @property
    def reply_rate(self) -> int:
        """Percentage of delivered letters that were answered."""
        return round(100 * self.replied / self.delivered) if self.delivered else 0


def responsiveness(*, case: UrgentAction | None = None) -> list[Responsiveness]:
    """One row per target that received letters (on ``case``, or on any case)."""
    deliveries = Delivery.objects.filter(status__in=WENT_OUT)
    replies = Reply.objects.filter(kind=Reply.Kind.REPLY, delivery__isnull=False)
    reported = ReplyQuestion.objects.filter(answer__in=ANSWERED).exclude(
        upload_state=ReplyQuestion.Review.REJECTED
    )
    if case is not None:
        deliveries = deliveries.filter(letter__case=case)
        replies = replies.filter(delivery__letter__case=case)
        reported = reported.filter(letter__case=case)
    delivered = dict(
        deliveries.values("target_id").annotate(n=Count("pk")).values_list("target_id", "n")
    )
    if not delivered:
        return []

    answered: dict[int, set[int]] = {}
    first_reply: dict[int, tuple[int, float]] = {}
    for (
        delivery_id,
        letter_id,
        target_id,
        received_at,
        delivered_at,
        sent_at,
    ) in replies.values_list(
        "delivery_id",
        "delivery__letter_id",
        "delivery__target_id",
        "received_at",
        "delivery__delivered_at",
        "delivery__sent_at",
    ):
        answered.setdefault(target_id, set()).add(letter_id)
        went_out = delivered_at or sent_at
        if went_out is None:
            continue
        days = max((received_at - went_out).total_seconds() / 86400, 0.0)
        if delivery_id not in first_reply or days < first_reply[delivery_id][1]:
            first_reply[delivery_id] = (target_id, days)
    for letter_id, target_id in reported.values_list("letter_id", "target_id"):
        answered.setdefault(target_id, set()).add(letter_id)
    durations: dict[int, list[float]] = {}
    for target_id, days in first_reply.values():
        durations.setdefault(target_id, []).append(days)

    targets = Target.objects.in_bulk(delivered.keys())
    rows = [
        Responsiveness(
            target=targets[target_id],
            delivered=count,
            replied=min(len(answered.get(target_id, ())), count),
            median_days=(
                round(statistics.median(durations[target_id]), 1)
                if target_id in durations
                else None
            ),
        )
        for target_id, count in delivered.items()
        if target_id in targets
    ]
    rows.sort(key=lambda row: (-row.delivered, row.target.name))
    return rows
