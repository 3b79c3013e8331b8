"""Confirming letters from the link in their email (campaigns/confirmations.py).

Registered by actions rather than letters because the same click also confirms the
signature written with the letters (actions.services.confirm_letters).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.confirmations import Confirmation, Pending
from campaigns.links import LinkError
from campaigns.models import UrgentAction
from letters.models import Letter
from letters.services import composing

from . import services


def pending(token: str) -> Pending:
    letters = composing.pending_letters(token)
    action = letters[0].case
    intro = _("Press the button to send your letter for UA %(number)s: %(title)s.") % {
        "number": action.number,
        "title": action.title,
    }
    items = ["; ".join(str(target) for target in letter.targets.all()) for letter in letters]
    notes = (
        [_("This also confirms your signature on the petition.")]
        if any(letter.is_also_signing for letter in letters)
        else []
    )
    return Pending(action=action, intro=intro, items=items, notes=notes)


def confirm(token: str) -> str:
    letters = services.confirm_letters(token=token)
    return reverse("letters:thanks", kwargs={"slug": letters[0].case.slug})


def case_of(token: str) -> UrgentAction | None:
    try:
        letter_ids = composing.read_token(token, check_age=False)
    except LinkError:
        return None
    letter = Letter.objects.select_related("case").filter(pk__in=letter_ids).first()
    return letter.case if letter else None


LETTERS = Confirmation(
    kind="letters",
    heading=gettext_lazy("Confirm your letter"),
    button=gettext_lazy("Send my letter"),
    pending=pending,
    confirm=confirm,
    case_of=case_of,
    remedy="actions/letters/_write_again.html",
    remedy_when_used=False,
    problems={
        "expired": gettext_lazy(
            "Confirmation links work for a few days only: your letter was not sent. "
            "You can write it again."
        ),
        "used": gettext_lazy(
            "Each confirmation link works once. If you pressed the button before, your "
            "letter is confirmed and on its way."
        ),
        "invalid": gettext_lazy(
            "The link may have been cut or changed when it was copied. Open it again from "
            "the email."
        ),
        "closed": gettext_lazy(
            "This case closed on %(closed_on)s, before you confirmed: your letter was not "
            "sent. Thank you for wanting to act."
        ),
    },
)
