"""Composing letters: whom a supporter writes to, in which language, how much is their own,
and the confirmation by email that turns pending letters into deliveries.

The letter's language follows the target. A supporter's targets are grouped by language,
and each group gets one Letter in that language (the officials of the case in Spanish, the
embassy in Canada in English, say): one text to read and edit per language, not per
target. The text keeps the target placeholders ({salutation}, {target_name}, ...), which
are filled for each target when its delivery is built, so every official of a group is
addressed by their own salutation. All the letters written at once are confirmed by one
link in one email.
"""

import dataclasses
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns import supporters
from campaigns.emails import email_domain
from campaigns.links import (  # noqa: F401 (LinkError… re-exported for views)
    Link,
    LinkError,
    LinkExpired,
    LinkInvalid,
    LinkTooLate,
    LinkUsed,
)
from campaigns.mail import send_template, url_in
from campaigns.models import ActionTarget, Consent, Supporter, Target, UrgentAction

from .. import enqueue
from ..models import Letter, LetterTemplate, fill_placeholders, placeholder_values
from .queueing import queue_letters

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

logger = logging.getLogger(__name__)

# The tiers a supporter chooses from; the embassy is added for them (embassy_for).
CHOOSABLE_TIERS = (ActionTarget.Tier.PRIMARY, ActionTarget.Tier.COPY)


class WritingClosed(ValidationError):
    """The case does not take letters (draft or closed)."""


@dataclasses.dataclass(frozen=True)
class LetterText:
    subject: str
    body: str


@dataclasses.dataclass
class LetterGroup:
    """The targets that read one letter, in one language, and the sample for it."""

    language: str
    targets: list[Target]
    template: LetterTemplate | None

    @property
    def sample(self) -> LetterText:
        if self.template is None:
            return LetterText(subject="", body="")
        return LetterText(subject=self.template.subject, body=self.template.body)


# --- own words ---------------------------------------------------------------------------

# Letters and digits, as JavaScript's /[\p{L}\p{N}]+/gu in letters/static/letters/write.js:
# the meter the supporter sees and the share stored must agree.
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def personal_share(*, body: str, sample: str) -> int:
    """The percentage of the letter's words that are not in the sample, rounded half up.

    Each word of the sample covers one occurrence in the letter: the sample with a
    paragraph added scores that paragraph's share, however its words are reordered.
    Integer arithmetic, so the browser's meter shows the same number.
    """
    mine = words(body)
    if not mine:
        return 0
    left = Counter(words(sample))
    own = 0
    for word in mine:
        if left[word]:
            left[word] -= 1
        else:
            own += 1
    return (200 * own + len(mine)) // (2 * len(mine))


def is_identical(text: LetterText, sample: LetterText) -> bool:
    def same(a: str, b: str) -> bool:
        return " ".join(a.split()) == " ".join(b.split())

    return same(text.subject, sample.subject) and same(text.body, sample.body)


# --- targets and languages ----------------------------------------------------------------


def choosable_targets(action: UrgentAction) -> list[tuple[Target, str]]:
    """The case's active primary and copy targets with their tier, primary first."""
    links = (
        ActionTarget.objects.filter(action=action, tier__in=CHOOSABLE_TIERS, target__is_active=True)
        .select_related("target")
        .order_by("sort_order", "pk")
    )
    links = sorted(links, key=lambda link: CHOOSABLE_TIERS.index(link.tier))
    return [(link.target, link.tier) for link in links]


def choose_targets(
    *, action: UrgentAction, target_ids: Iterable[int], country: str
) -> list[Target]:
    """The chosen targets, checked against the case, plus the embassy for ``country``.

    Raises ValidationError for an empty choice or a target that is not on the case.
    """
    allowed = {target.pk: target for target, _tier in choosable_targets(action)}
    chosen_ids = list(dict.fromkeys(target_ids))
    if not chosen_ids:
        raise ValidationError(_("Choose at least one official to write to."), code="no_target")
    if any(pk not in allowed for pk in chosen_ids):
        raise ValidationError(
            _("One of the officials you chose is not on this case."), code="foreign_target"
        )
    targets = [allowed[pk] for pk in chosen_ids]
    embassy = action.embassy_for(country)
    if embassy is not None and embassy.pk not in allowed:
        targets.append(embassy)
    return targets


def letter_language(
    target_language: str, *, available: Iterable[str], supporter_language: str
) -> str:
    """The target's language when the case has a sample in it; otherwise the supporter's
    own ("write in Spanish or your own language"), else any sample's language."""
    available = sorted(available)
    if target_language in available or not available:
        return target_language
    if supporter_language in available:
        return supporter_language
    return available[0]


def group_by_language(
    *, action: UrgentAction, targets: Iterable[Target], supporter_language: str
) -> list[LetterGroup]:
    templates = {template.language: template for template in _sample_letters(action).all()}
    groups: dict[str, LetterGroup] = {}
    for target in targets:
        language = letter_language(
            target.language, available=templates, supporter_language=supporter_language
        )
        group = groups.setdefault(language, LetterGroup(language, [], templates.get(language)))
        group.targets.append(target)
    return list(groups.values())


def sample_in(action: UrgentAction, language: str) -> LetterTemplate | None:
    return _sample_letters(action).filter(language=language).first()


def _sample_letters(action: UrgentAction) -> "RelatedManager[LetterTemplate]":
    # UrgentAction is a ClusterableModel (untyped), so mypy does not see the reverse
    # relation LetterTemplate.case adds to it; this is its type.
    templates: RelatedManager[LetterTemplate] = action.letter_templates
    return templates


def preview(
    text: LetterText, *, target: Target, supporter: Supporter, action: UrgentAction
) -> LetterText:
    """The text as ``target`` will read it."""
    values = placeholder_values(target=target, writer=supporter, case=action)
    return LetterText(
        subject=fill_placeholders(text.subject, values), body=fill_placeholders(text.body, values)
    )


# --- writing ------------------------------------------------------------------------------


def write_letter(
    *,
    action: UrgentAction,
    name: str,
    email: str,
    country: str,
    city: str = "",
    language: str,
    target_ids: Iterable[int],
    texts: Mapping[str, LetterText],
    also_sign: bool = False,
    consent_text: str = "",
    page_revision_id: int | None = None,
    network: str = "",
) -> list[Letter]:
    """Record one pending Letter per language of the chosen targets; queue one
    confirmation email for all of them on commit.

    ``texts`` maps a letter language to what the supporter wrote; a group without one
    gets the sample. The embassy for ``country`` is added when the case copies it. The
    letters carry ``name``, ``city`` and ``country`` as given here, whatever the supporter
    row says (campaigns.supporters). ``also_sign`` only marks the letters: signing at the
    same time is the composition layer's (actions.services.write_letter). ``consent_text`` is the exact label of the ticked "email me
    updates" box, or '' if not ticked; it is stored as a case_updates consent with the
    case page revision the writer came from. ``network`` is the network the post came from
    (campaigns.defences.client_network), kept with the email's domain as each letter's
    source; never the address itself. Raises WritingClosed unless the case is open, and
    ValidationError for a bad choice of targets; nothing is written then.
    """
    if not action.is_open:
        raise WritingClosed(_("This case is closed and no longer takes letters."))
    targets = choose_targets(action=action, target_ids=target_ids, country=country)
    groups = group_by_language(action=action, targets=targets, supporter_language=language)
    with transaction.atomic():
        supporter = supporters.supporter_for(email=email, language=language)
        letters = []
        for group in groups:
            text = texts.get(group.language) or group.sample
            letter = Letter.objects.create(
                case=action,
                supporter=supporter,
                name=name,
                city=city,
                country=country,
                language=group.language,
                subject=text.subject,
                body=text.body,
                personal_share=personal_share(body=text.body, sample=group.sample.body),
                is_identical_to_sample=is_identical(text, group.sample),
                is_also_signing=also_sign,
                network=network,
                email_domain=email_domain(email),
            )
            letter.targets.set(group.targets)
            letters.append(letter)
        supporters.record_consent(
            supporter=supporter,
            action=action,
            texts={Consent.Kind.CASE_UPDATES: consent_text},
            language=language,
            page_revision_id=page_revision_id,
        )
        enqueue.send_letter_confirmation([letter.pk for letter in letters])
    logger.info(
        "Letters %s on UA %s pending", ",".join(str(letter.pk) for letter in letters), action.number
    )
    return letters


# --- confirming ---------------------------------------------------------------------------


def max_age() -> int:
    return getattr(settings, "PLUMA_CONFIRM_LINK_MAX_AGE", 3 * 24 * 3600)


class _ConfirmPayload(TypedDict):
    """What a confirmation link signs: the letter ids, under the key links already sent use."""

    l: list[int]  # noqa: E741


def _letter_ids(data: _ConfirmPayload) -> list[int]:
    ids = [int(pk) for pk in data["l"]]
    if not ids:
        raise ValueError("no letters")
    return ids


# One link confirms every letter written at once.
CONFIRM_LINK: Link[list[int]] = Link(
    "letters.confirm", max_age=max_age, parse=_letter_ids, compress=True
)


def make_token(letter_ids: Iterable[int]) -> str:
    payload: _ConfirmPayload = {"l": sorted(letter_ids)}
    return CONFIRM_LINK.make(payload)


def read_token(token: str, *, check_age: bool = True) -> list[int]:
    """The letter ids of a valid token; raises LinkInvalid or LinkExpired."""
    return CONFIRM_LINK.read(token, check_age=check_age)


def pending_letters(token: str) -> list[Letter]:
    """The letters a link would confirm, changing nothing (for the page with the button).

    Raises LinkInvalid, LinkExpired, LinkUsed when none is pending any more, and
    LinkTooLate when their case has closed (confirm_letters says why).
    """
    letters = list(
        Letter.objects.filter(pk__in=read_token(token), status=Letter.Status.PENDING_CONFIRMATION)
        .select_related("case", "supporter")
        .prefetch_related("targets")
        .order_by("pk")
    )
    if not letters:
        raise LinkUsed
    if not letters[0].case.is_open:
        raise LinkTooLate
    return letters


def confirm_letters(*, token: str) -> list[Letter]:
    """Confirm the pending letters a link names and queue their deliveries
    (queue_letters), in one transaction; returns the letters this call handled. Each
    link works once: raises LinkUsed when nothing was pending, and LinkInvalid or
    LinkExpired. The link proved the address, so the letter's writer details become the
    supporter's (campaigns.supporters.confirm_details).

    A letter to officials who all had this supporter's letter on the case already is
    cancelled, not sent again, and answered like any other (the same thanks page): one
    person cannot have any number of letters delivered to one official.

    A letter whose case closed before the link was used is refused (LinkTooLate), and
    stays pending: closing a case holds the letters it had queued for one choice by an
    organizer (campaigns.holds), and a letter confirmed afterwards would either slip past
    that choice or wait for one nobody is asked to make again. The supporter is told so
    at once, as a late signature is. Should the case close while this runs, the rows it
    writes are held with the rest (the hold is the case's state, not the rows').
    """
    letters = pending_letters(token)
    with transaction.atomic():
        queue_letters(letters=letters)
        # Of two concurrent clicks, the second finds nothing pending: the link was used.
        handled = [
            letter for letter in letters if letter.status != Letter.Status.PENDING_CONFIRMATION
        ]
        if not handled:
            raise LinkUsed
        for letter in handled:
            supporters.confirm_details(
                supporter_id=letter.supporter_id,
                name=letter.name,
                country=letter.country.code or "",
                city=letter.city,
            )
    logger.info("Letters %s confirmed", ",".join(str(letter.pk) for letter in handled))
    return handled


def send_letter_confirmation(*, letter_ids: list[int]) -> bool:
    """Email the link that confirms these letters, in the supporter's language.

    Returns whether an email went: nothing is sent once none of them is pending.
    """
    letters = list(
        Letter.objects.filter(pk__in=letter_ids, status=Letter.Status.PENDING_CONFIRMATION)
        .select_related("case", "supporter")
        .prefetch_related("targets")
        .order_by("pk")
    )
    if not letters:
        return False
    supporter, action = letters[0].supporter, letters[0].case
    return send_template(
        capped=True,  # a form asked for it
        template="letters/email/confirm",
        to=supporter.email,
        language=supporter.language,
        context={
            # The name typed on these letters, never another form's for the address.
            "name": letters[0].name,
            "action": action,
            "letters": letters,
            "is_also_signing": any(letter.is_also_signing for letter in letters),
            "confirm_url": url_in(
                supporter.language,
                "letters:confirm",
                token=make_token(letter.pk for letter in letters),
            ),
            "valid_days": max(1, max_age() // 86400),
            "language": supporter.language,
        },
    )
