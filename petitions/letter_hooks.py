"""A supporter who signs and writes at once confirms once.

The letter form has an "also sign the petition" box. letters may not import petitions
(both depend on campaigns only), so letters sends two signals defined in campaigns.signals
and we listen: when such a letter is written, a pending signature is recorded without an
email of its own; when the letter is confirmed, that signature is confirmed with it.
Connected in PetitionsConfig.ready.
"""

import logging

from . import services, tokens
from .models import Petition, Signature

logger = logging.getLogger(__name__)


def on_letter_written(sender, *, letter, name, country, city, language, **kwargs) -> None:
    """Record the pending signature that the letter's confirmation link will confirm."""
    if not letter.is_also_signing or not Petition.objects.filter(action=letter.case).exists():
        return
    services.sign(
        action=letter.case,
        name=name,
        email=letter.supporter.email,
        country=country,
        city=city,
        language=language,
        source="letter",
        confirm_by_email=False,
    )


def on_letter_confirmed(sender, *, letter, **kwargs) -> None:
    """Confirm the writer's pending signature on the same case, if they asked to sign."""
    if not letter.is_also_signing:
        return
    signature = Signature.objects.filter(
        action=letter.case_id, supporter=letter.supporter_id, status=Signature.Status.PENDING
    ).first()
    if signature is None:
        return
    # The letter's link proved the address, as the signature's own link would have.
    try:
        services.confirm_signature(
            token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
        )
    except tokens.LinkUsed:
        return  # its own link, clicked a moment ago, confirmed it first
    logger.info("Signature #%s confirmed with letter #%s", signature.pk, letter.pk)
