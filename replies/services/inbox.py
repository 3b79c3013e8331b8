"""The organizers' inbox: reading, linking by hand and publishing replies.

publish_reply puts a reply on the case's timeline; the supporters who wrote to that
official and agreed to updates are told through campaigns' announcements, never twice.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns import events
from campaigns.models import Announcement, Target, UrgentAction
from campaigns.services import announce
from letters.models import Delivery

from ..models import Reply

__all__ = [
    "announce_reply",
    "link_reply",
    "mark_reply_read",
    "publish_reply",
    "readers_of",
]

Kind, State, RoutedBy = Reply.Kind, Reply.State, Reply.RoutedBy
# Deliveries that reached (or may have reached) the official.
WENT_OUT = (Delivery.Status.SENT, Delivery.Status.DELIVERED)


def mark_reply_read(*, reply: Reply) -> bool:
    """new → read, when an organizer opens it."""
    now = timezone.now()
    moved = Reply.objects.filter(pk=reply.pk, state=State.NEW).update(state=State.READ, read_at=now)
    if moved:
        reply.state, reply.read_at = State.READ, now
    return bool(moved)


def link_reply(*, reply: Reply, case: UrgentAction, target: Target | None = None) -> Reply:
    """File a quarantined (or automatic) message under a case by hand.

    Becomes a reply of that case (and target, if known); the organizer vouches for it.
    Linking a published reply is refused: its readers were told where it belongs.
    """
    if reply.state == State.PUBLISHED:
        raise ValueError("A published reply cannot be moved to another case.")
    reply.case, reply.target = case, target
    reply.kind, reply.routed_by, reply.quarantine_reason = Kind.REPLY, RoutedBy.HAND, ""
    reply.save(update_fields=["case", "target", "kind", "routed_by", "quarantine_reason"])
    return reply


def publish_reply(*, reply: Reply, summary: str, user: User | None = None) -> bool:
    """Put a routed reply on its case's timeline with an editorial summary.

    Acts only on a reply of a case that is not yet published; returns whether it did.
    Records a reply.published event (campaigns.events) if anyone wants it. On commit,
    the supporters who wrote to its official are told (announce_reply).
    """
    summary = summary.strip()
    if not summary:
        raise ValueError("A published reply needs a summary.")
    now = timezone.now()
    with transaction.atomic():
        moved = (
            Reply.objects.filter(pk=reply.pk, kind=Kind.REPLY, case__isnull=False)
            .exclude(state=State.PUBLISHED)
            .update(state=State.PUBLISHED, summary=summary, published_at=now, published_by=user)
        )
        if moved:
            reply.refresh_from_db()
            events.record(
                kind=events.Kind.REPLY_PUBLISHED,
                case_id=reply.case_id,
                object_id=reply.pk,
                data={
                    "reply": {
                        "id": reply.pk,
                        "state": State.PUBLISHED,
                        "target_id": reply.target_id,
                        "letter_id": reply.letter_id,
                    }
                },
            )
            transaction.on_commit(lambda: announce_reply(reply_id=reply.pk))
    if moved:
        # A save, so whatever caches the case page (cms) hears of the change.
        reply.save(update_fields=["state"])
    return bool(moved)


def readers_of(reply: Reply) -> QuerySet[Delivery, int]:
    """Supporters whose letter on the reply's case went out to its official (or any, if unknown).

    announce narrows them further to those who agreed to updates and are not erased.
    """
    deliveries = Delivery.objects.filter(letter__case_id=reply.case_id, status__in=WENT_OUT)
    if reply.target_id:
        deliveries = deliveries.filter(target_id=reply.target_id)
    return deliveries.values_list("letter__supporter_id", flat=True).distinct()


def _reply_news(reply: Reply, case: UrgentAction) -> dict[str, dict[str, str]]:
    """The announcement's subject and body in each language (announce adds the rest)."""
    target = reply.target
    values = {"number": case.number, "title": case.title}
    content = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if target:
                subject = _("%(name)s answered on UA %(number)s") % {**values, "name": target.name}
                wrote = _(
                    "You wrote to %(target)s about UA %(number)s: %(title)s. They have answered."
                ) % {**values, "target": target}
            else:
                subject = _("An official answered on UA %(number)s") % values
                wrote = (
                    _("You wrote about UA %(number)s: %(title)s. An official has answered.")
                    % values
                )
            thanks = _("Thank you for writing: letters like yours are why officials answer.")
            content[code] = {
                "subject": subject,
                "body": f"{wrote}\n\n{reply.summary}\n\n{thanks}",
            }
    return content


def announce_reply(*, reply_id: int) -> None:
    """Tell the supporters who wrote to the official and agreed to updates; once (announce)."""
    reply = (
        Reply.objects.select_related("case", "target")
        .filter(pk=reply_id, state=State.PUBLISHED)
        .first()
    )
    # A published reply has a case (the reply_published_is_routed_reply constraint).
    if reply is None or reply.case is None:
        return
    announce(
        action=reply.case,
        kind=Announcement.Kind.REPLY,
        reference=reply.pk,
        content=_reply_news(reply, reply.case),
        supporter_ids=list(readers_of(reply)),
    )
