"""Solidarity messages: supporters write to the person at risk, organizers moderate, print."""

import io
import logging
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_countries.fields import Country
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from campaigns import pdf, supporters
from campaigns.models import UrgentAction

from ..models import Petition, SolidarityMessage

logger = logging.getLogger(__name__)


class MessagesNotAllowed(ValidationError):
    """The case does not take solidarity messages (or is not open)."""


def allows_messages(action: UrgentAction) -> bool:
    try:
        return action.is_open and action.petition.allows_solidarity_messages
    except Petition.DoesNotExist:
        return False


def write_message(
    *, action: UrgentAction, name: str, email: str, country: str, message: str, language: str
) -> SolidarityMessage:
    """Store a message waiting for moderation; nothing is shown until an organizer approves."""
    if not allows_messages(action):
        raise MessagesNotAllowed(_("This case does not take messages."))
    # The name and country belong to this message alone (campaigns.supporters).
    supporter = supporters.supporter_for(email=email, language=language)
    return SolidarityMessage.objects.create(
        action=action,
        supporter=supporter,
        name=name,
        country=country,
        message=message,
        language=language,
    )


def moderate_message(
    *, message: SolidarityMessage, approve: bool, moderated_by: User | None
) -> bool:
    """Approve or reject a message; acts only from pending. Returns whether it changed."""
    status = SolidarityMessage.Status.APPROVED if approve else SolidarityMessage.Status.REJECTED
    changed = SolidarityMessage.objects.filter(
        pk=message.pk, status=SolidarityMessage.Status.PENDING
    ).update(status=status, moderated_at=timezone.now(), moderated_by=moderated_by)
    if changed:
        message.refresh_from_db()
    return bool(changed)


def approved_messages(action: UrgentAction) -> QuerySet[SolidarityMessage]:
    return SolidarityMessage.objects.filter(
        action=action, status=SolidarityMessage.Status.APPROVED
    ).order_by("created_at", "pk")


def messages_pdf(*, action: UrgentAction, language: str = "") -> bytes:
    """The approved messages of a case as a printable PDF (a few hundred at most)."""
    language = language or settings.LANGUAGE_CODE
    buffer = io.BytesIO()
    style = pdf.styles()
    # A message stays on the page of its signature line.
    style["message"] = ParagraphStyle("message", parent=style["body"], keepWithNext=1)
    with translation.override(language):
        canvas = pdf.new_canvas(
            buffer,
            title=_("UA %(number)s: messages of solidarity") % {"number": action.number},
            author=settings.ORGANISATION_NAME,
        )
        story: list[Flowable] = [
            Paragraph(_("Messages of solidarity"), style["title"]),
            Paragraph(
                escape(
                    _("Urgent Action %(number)s: %(title)s")
                    % {
                        "number": action.number,
                        "title": action.title,
                    }
                ),
                style["body"],
            ),
            Spacer(1, 6 * mm),
        ]
        for message in approved_messages(action).iterator():
            text = "<br/>".join(escape(line) for line in message.message.splitlines())
            # django-countries' stub types the field as CharField's str; it holds a Country.
            country = cast(Country, message.country)
            story += [
                Paragraph(text, style["message"]),
                Paragraph(
                    f"— {escape(message.name)}, {escape(str(country.name))}",
                    style["small"],
                ),
                Spacer(1, 5 * mm),
            ]
        if len(story) == 3:
            story.append(Paragraph(_("No approved messages yet."), style["body"]))
        pdf.flow(
            canvas,
            story,
            footer_text=f"{settings.ORGANISATION_NAME} · UA {action.number}",
        )
        canvas.save()
    return buffer.getvalue()
