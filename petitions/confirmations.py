"""Confirming a signature from the link in its email (campaigns/confirmations.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.confirmations import Confirmation, Pending
from campaigns.links import LinkNotCounted, LinkTooLate, LinkUsed
from campaigns.models import UrgentAction

from . import services, tokens
from .forms import ResendForm
from .models import Signature


def pending(token: str) -> Pending:
    """The pending signature a link names; changes nothing."""
    signature_id, nonce = tokens.read_token(token)
    signature = (
        Signature.objects.select_related("action")
        .filter(pk=signature_id, nonce=nonce, status=Signature.Status.PENDING)
        .first()
    )
    if signature is None:
        raise LinkUsed
    action = signature.action
    if not action.is_open:
        raise LinkTooLate
    if signature.is_flagged:
        raise LinkNotCounted
    intro = _("Press the button to confirm your signature for UA %(number)s: %(title)s.") % {
        "number": action.number,
        "title": action.title,
    }
    return Pending(action=action, intro=intro)


def confirm(token: str) -> str:
    signature = services.confirm_signature(token=token)
    return reverse("petitions:thanks", kwargs={"slug": signature.action.slug})


def case_of(token: str) -> UrgentAction | None:
    signature_id = tokens.signature_id_of(token)
    if signature_id is None:
        return None
    return UrgentAction.objects.filter(signatures__pk=signature_id).first()


SIGNATURE = Confirmation(
    kind="signature",
    heading=gettext_lazy("Confirm your signature"),
    button=gettext_lazy("Confirm my signature"),
    pending=pending,
    confirm=confirm,
    case_of=case_of,
    remedy="petitions/_new_link_form.html",
    remedy_context=lambda: {"form": ResendForm()},
    problems={
        "expired": gettext_lazy(
            "Confirmation links work for a few days only. Ask for a new one below."
        ),
        "used": gettext_lazy(
            "Each confirmation link works once. If you pressed the button before, your "
            "signature is confirmed and counts. Otherwise ask for a new link below."
        ),
        "invalid": gettext_lazy(
            "The link may have been cut or changed when it was copied. Open it again from "
            "the email, or sign again on the case page to get a new one."
        ),
        "closed": gettext_lazy(
            "This case closed on %(closed_on)s, before you confirmed: your signature was "
            "not added. Thank you for wanting to act."
        ),
        "not_counted": gettext_lazy(
            "This signature cannot count: it was sent the way automated sign-ups are "
            "(within seconds, by a browser filling in the form by itself, or with too many "
            "others from the same network), and nothing was counted. Ask for a new link "
            "below: we will email you how to sign again."
        ),
    },
)
