"""Each official's pace: at most N letters an hour, spread evenly, and its policy.

A worker reserves the sending slots of a whole batch under the policy rows' locks
(reserve_slots), so concurrent workers take distinct slots and an official is never sent
more than its pace, however many workers send.
"""

import collections
import datetime

from django.db import connection, transaction

from campaigns.models import Target

from ..models import Delivery, DeliveryPolicy


def ensure_policy(*, target: Target) -> DeliveryPolicy:
    """The target's delivery policy, created with the defaults on first use."""
    mode = DeliveryPolicy.Mode.INDIVIDUAL if target.email else DeliveryPolicy.Mode.PRINTED_BUNDLE
    policy, _ = DeliveryPolicy.objects.get_or_create(target=target, defaults={"mode": mode})
    return policy


def policy_of(target: Target) -> DeliveryPolicy:
    """The target's policy: the one read along with it, or ensure_policy()'s."""
    try:
        return target.delivery_policy
    except DeliveryPolicy.DoesNotExist:
        target.delivery_policy = ensure_policy(target=target)
        return target.delivery_policy


def reserve_slots(
    *, deliveries: list[Delivery], now: datetime.datetime
) -> dict[int, datetime.datetime]:
    """The start of each delivery's sending slot, reserved for it: {delivery id: slot}.

    Slots are 1/max_per_hour of an hour apart, so a target gets at most N letters an
    hour, evenly spread. A target's slots for the whole batch are taken in one move under
    its row lock, so concurrent workers take distinct slots; the rows are locked in id
    order, so two batches never wait for each other in a circle.
    """
    if not deliveries:
        return {}
    wanted = collections.Counter(policy_of(d.target).pk for d in deliveries)
    first: dict[int, tuple[datetime.datetime, datetime.timedelta]] = {}
    with transaction.atomic():
        policies = list(
            DeliveryPolicy.objects.select_for_update()
            .filter(pk__in=wanted)
            .order_by("pk")
            .only("pk", "max_per_hour", "next_slot_at")
        )
        moves = []
        for policy in policies:
            interval = datetime.timedelta(seconds=3600 / policy.max_per_hour)
            first[policy.pk] = (max(policy.next_slot_at or now, now), interval)
            next_slot = first[policy.pk][0] + wanted[policy.pk] * interval
            moves.append((connection.ops.adapt_datetimefield_value(next_slot), policy.pk))
        # One round trip for all (bulk_update's CASE costs more CPU than the sends).
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {DeliveryPolicy._meta.db_table} SET next_slot_at = %s WHERE id = %s",  # noqa: S608 -- our table name
                moves,
            )
    taken: collections.Counter[int] = collections.Counter()
    slots = {}
    for delivery in deliveries:
        policy_id = policy_of(delivery.target).pk
        if policy_id not in first:
            continue  # deleted meanwhile: the next letter recreates it with the defaults
        start, interval = first[policy_id]
        slots[delivery.pk] = start + taken[policy_id] * interval
        taken[policy_id] += 1
    return slots
