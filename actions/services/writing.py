"""What a supporter does on several apps at once: writing a letter and signing with it.

Writing a letter is letters' and signing is petitions', and neither app knows the other
(DESIGN §3). A supporter who ticks "also sign the petition" on the letter form signs
here: one pending signature written with the letters, and no email of its own, because
the one link that confirms the letters confirms the signature too. Plain service calls,
in one transaction each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from django.db import transaction

from campaigns.models import UrgentAction
from letters.models import Letter
from letters.services import composing
from petitions import services as petitions
from petitions.models import Petition

logger = logging.getLogger(__name__)


def offers_signing(action: UrgentAction) -> bool:
    """Whether the letter form may also sign the case's petition."""
    # Petition is a ClusterableModel (untyped), so its manager's answers are Any to mypy.
    has_petition: bool = Petition.objects.filter(action=action).exists()
    return has_petition


def write_letter(
    *,
    action: UrgentAction,
    name: str,
    email: str,
    country: str,
    city: str = "",
    language: str,
    target_ids: Iterable[int],
    texts: Mapping[str, composing.LetterText],
    also_sign: bool = False,
    consent_text: str = "",
    page_revision_id: int | None = None,
    network: str = "",
) -> list[Letter]:
    """letters' write_letter, and with ``also_sign`` (on a case with a petition) a pending
    signature that the letters' confirmation link confirms (confirm_letters).

    All or nothing. Raises what write_letter and petitions' sign raise (the case closed, a
    bad choice of officials). A repeated signature changes nothing, as on the petition's
    own form, and no "already signed" email goes: the letters' email is the one sent.
    ``network`` (campaigns.defences.client_network) is kept on the letters and the
    signature as their source.
    """
    also_sign = also_sign and offers_signing(action)
    with transaction.atomic():
        letters = composing.write_letter(
            action=action,
            name=name,
            email=email,
            country=country,
            city=city,
            language=language,
            target_ids=target_ids,
            texts=texts,
            also_sign=also_sign,
            consent_text=consent_text,
            page_revision_id=page_revision_id,
            network=network,
        )
        if also_sign:
            # A sign-up the defences flagged earlier would take this one's place and
            # never count; this form passed them, so this one takes its place.
            petitions.forget_uncounted(action=action, email=email)
            petitions.sign(
                action=action,
                name=name,
                email=email,
                country=country,
                city=city,
                language=language,
                source="letter",
                confirm_by_email=False,
                network=network,
            )
    return letters


def confirm_letters(*, token: str) -> list[Letter]:
    """Confirm the letters a link names (letters' confirm_letters) and, for letters whose
    writer also signed, their pending signature: one click for both, in one transaction.

    Raises campaigns.links.LinkError subclasses as confirm_letters does.
    """
    with transaction.atomic():
        letters = composing.confirm_letters(token=token)
        for letter in letters:
            if letter.is_also_signing and (
                signature := petitions.confirm_pending_signature(
                    action_id=letter.case_id, supporter_id=letter.supporter_id
                )
            ):
                logger.info("Signature #%s confirmed with letter #%s", signature.pk, letter.pk)
    return letters
