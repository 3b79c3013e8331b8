"""The events letters record for others (campaigns.events): a letter sent, delivered or
bounced, one event per delivery (one letter to one official), named by ids and states."""

from collections.abc import Collection

from campaigns import events

from ..models import Delivery

Kind = events.Kind


def letter_event(
    *,
    delivery_id: int,
    letter_id: int,
    case_id: int,
    supporter_id: int,
    target_id: int,
    status: str,
    channel: str | None = None,
    is_uncertain: bool = False,
) -> events.Happened:
    """One letter event; ``channel`` says how a sent letter went: "email" (its own),
    "digest" (in the official's daily digest) or "post" (in a printed bundle)."""
    delivery: dict[str, events.Value] = {
        "id": delivery_id,
        "letter_id": letter_id,
        "target_id": target_id,
        "status": status,
    }
    if channel is not None:
        delivery |= {"channel": channel, "is_uncertain": is_uncertain}
    return events.Happened(
        case_id=case_id,
        supporter_id=supporter_id,
        object_id=delivery_id,
        data={"delivery": delivery},
    )


def record_letter_events(
    *, kind: str, delivery_ids: Collection[int], status: str, channel: str | None = None
) -> int:
    """Record ``kind`` for each of these deliveries, inside the caller's transaction: one
    SELECT and one INSERT when anyone wants the kind, nothing otherwise."""
    if not delivery_ids or not events.is_wanted(kind):
        return 0
    rows = (
        Delivery.objects.filter(pk__in=delivery_ids)
        .order_by("pk")
        .values_list("pk", "letter_id", "letter__case_id", "letter__supporter_id", "target_id")
    )
    return events.record_many(
        kind=kind,
        events=[
            letter_event(
                delivery_id=pk,
                letter_id=letter_id,
                case_id=case_id,
                supporter_id=supporter_id,
                target_id=target_id,
                status=status,
                channel=channel,
            )
            for pk, letter_id, case_id, supporter_id, target_id in rows
        ],
    )
