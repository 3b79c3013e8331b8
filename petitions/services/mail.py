"""The emails of a signature: the link that confirms it, "you have already signed", and,
for one the defences flagged, that it cannot count and how to sign again. Each is one a
form asked for, so each counts in the address's daily cap (campaigns.mail)."""

import logging
from collections.abc import Mapping

from campaigns import defences
from campaigns.mail import send_template, url_in
from campaigns.pages import case_url

from .. import tokens
from ..models import FLAGGED_BY_DEFENCES, Signature

logger = logging.getLogger(__name__)


def _confirm_url(signature: Signature) -> str:
    token = tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
    return url_in(signature.language, "petitions:confirm", token=token)


def _send(*, signature: Signature, template: str, context: Mapping[str, object]) -> bool:
    # Every email of a signature is one a form asked for: counted in the address's cap.
    return send_template(
        capped=True,
        template=f"petitions/email/{template}",
        to=signature.supporter.email,
        language=signature.language,
        context={
            "signature": signature,
            "action": signature.action,
            # The name typed on this signature: never another form's (campaigns.supporters).
            "name": signature.name,
            "case_url": case_url(signature.action, signature.language),
            **context,
        },
    )


def _load(signature_id: int) -> Signature | None:
    return Signature.objects.select_related("action", "supporter").filter(pk=signature_id).first()


def send_confirmation(*, signature_id: int) -> bool:
    """Email the confirmation link of a pending signature; returns whether one was sent.

    A signature the defences flagged is never sent a link, which would confirm something
    that never counts: its owner is told so, and how to sign again (tell_not_counted).
    """
    signature = _load(signature_id)
    if signature is None or signature.status != Signature.Status.PENDING:
        Signature.objects.filter(pk=signature_id).update(link_due_at=None)
        return False
    if signature.is_flagged_by_defences:
        return tell_not_counted(signature=signature)
    _send(
        signature=signature,
        template="confirm",
        context={
            "confirm_url": _confirm_url(signature),
            "valid_days": max(1, tokens.max_age() // 86400),
        },
    )
    Signature.objects.filter(pk=signature_id).update(link_due_at=None)
    return True


def send_already_signed(*, signature_id: int) -> bool:
    """Tell the owner of an address that it already signed (with a link, if still pending);
    if that earlier signature was flagged, that it cannot count (tell_not_counted)."""
    signature = _load(signature_id)
    if signature is None:
        return False
    if signature.is_flagged_by_defences and signature.status == Signature.Status.PENDING:
        return tell_not_counted(signature=signature)
    is_pending = signature.status == Signature.Status.PENDING
    _send(
        signature=signature,
        template="already_signed",
        context={
            "is_pending": is_pending,
            "confirm_url": _confirm_url(signature) if is_pending else "",
        },
    )
    return True


def tell_not_counted(*, signature: Signature) -> bool:
    """Tell the owner of an address that its pending signature cannot count, why and how
    to sign again; then remove it, so that their next sign-up is a first one and counts
    once confirmed. Returns whether the email went.

    For a signature the defences flagged: a trap box filled in (by a script, or by a
    browser filling in forms by itself) or, before such posts were refused outright, one
    sent too fast or one of too many from one network. It never counts, whatever happens
    to it, and it would stand in the way of a sign-up that does (one per address and
    case). Removed after the email went, so that a retry sends it again.
    """
    sign_url = case_url(signature.action, signature.language) or url_in(
        signature.language, "petitions:sign", slug=signature.action.slug
    )
    sent = _send(
        signature=signature,
        template="not_counted",
        context={
            "is_crowded": signature.flag_reason == defences.Flag.RATE_LIMIT,
            "sign_url": sign_url,
        },
    )
    Signature.objects.filter(
        FLAGGED_BY_DEFENCES, pk=signature.pk, status=Signature.Status.PENDING
    ).delete()
    logger.info(
        "Flagged signature #%s on UA %s removed (%s); its owner %s",
        signature.pk,
        signature.action.number,
        signature.flag_reason,
        "was told" if sent else "was not told (the day's cap)",
    )
    return sent
