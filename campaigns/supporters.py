"""Finding the supporter behind an address, and recording what they agreed to.

Every public form that takes an email (signing, writing, reporting an action, a message of
solidarity, subscribing) finds its supporter here, by one rule:

What a supporter typed on a form is what that action carries (a signature's name, a
letter's name and city). The supporter row holds only details its owner confirmed from
their inbox: a new row has an address and a language and no name, and an action's details
become the supporter's when that action is confirmed (`confirm_details`). So a post
nobody confirmed (someone typing another person's address) never changes what another
action shows: not the name a letter is signed with, not the greeting of an email.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from .emails import canonical_email
from .models import Consent, Supporter, UrgentAction


def new_supporter(*, email: str, language: str) -> Supporter:
    """An unsaved supporter for this address: the only fields a form may set on a new row.

    For the one-statement sign-up, which inserts it unless the address is known
    (petitions/services/records.py).
    """
    return Supporter(
        email=email.strip(), email_canonical=canonical_email(email), name="", language=language
    )


def supporter_for(*, email: str, language: str) -> Supporter:
    """The supporter with this address (by its canonical form), created if new.

    An existing supporter is returned unchanged, whatever the form said. Safe when two
    requests create the same supporter at once (the unique canonical email decides).
    """
    supporter = new_supporter(email=email, language=language)
    found, _created = Supporter.objects.get_or_create(
        email_canonical=supporter.email_canonical,
        defaults={"email": supporter.email, "name": "", "language": language},
    )
    return found


def confirm_details(
    *,
    supporter_id: int,
    name: str,
    language: str = "",
    country: str = "",
    city: str = "",
    postal_code: str = "",
) -> None:
    """An action was confirmed from the supporter's inbox: its details become theirs.

    Empty values leave what the supporter row has (a letter asks no postal code, a report
    no name; a letter's language is its official's, so it is not given). Erased
    supporters stay erased.
    """
    fields = {
        key: value
        for key, value in {
            "name": name,
            "country": country,
            "city": city,
            "postal_code": postal_code,
            "language": language,
        }.items()
        if value
    }
    Supporter.objects.filter(pk=supporter_id, erased_at__isnull=True).update(
        updated_at=timezone.now(), **fields
    )


def consents(
    *,
    action: UrgentAction | None,
    texts: Mapping[str, str],
    language: str,
    page_revision_id: int | None = None,
) -> list[Consent]:
    """Unsaved consents, one per kind whose box was ticked: ``texts`` maps a
    Consent.Kind to the exact words shown beside the box ('' when not ticked)."""
    return [
        Consent(
            action=action,
            kind=kind,
            text=text,
            page_revision_id=page_revision_id,
            language=language,
        )
        for kind, text in texts.items()
        if text
    ]


def record_consent(
    *,
    supporter: Supporter,
    action: UrgentAction | None,
    texts: Mapping[str, str],
    language: str,
    page_revision_id: int | None = None,
) -> list[Consent]:
    """Store what the supporter agreed to on this form, with the exact words shown."""
    rows = consents(
        action=action, texts=texts, language=language, page_revision_id=page_revision_id
    )
    for consent in rows:
        consent.supporter = supporter
    return Consent.objects.bulk_create(rows)
