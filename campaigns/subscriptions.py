"""The Urgent Action network: subscriptions to new cases, with double opt-in, and digests.

A subscription is pending until the link in its confirmation email is used (a button, so
mail scanners cannot confirm). Immediate subscribers hear of a case when it opens (an
announcement of kind new_case); weekly subscribers get one digest a week of the cases
opened since the last one, grouped by category.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TypedDict

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import enqueue
from .mail import mask_email, send_template, subscription_url, url_in
from .models import Consent, Subscription, UrgentAction
from .pages import case_url
from .supporters import supporter_for

logger = logging.getLogger(__name__)

WEEK = datetime.timedelta(days=7)
# Unconfirmed subscriptions one address may be sent per day: the form cannot flood anyone.
MAX_PENDING_PER_DAY = 3
CONSENT_TEXT = gettext_lazy(
    "Yes, email me new Urgent Actions in the categories and countries I chose."
)


def subscribe(
    *,
    email: str,
    language: str,
    categories: Iterable[str] = (),
    countries: Iterable[str] = (),
    frequency: str = Subscription.Frequency.IMMEDIATE,
) -> None:
    """Record a pending subscription and, on commit, email the link that confirms it.

    Returns nothing either way, so the answer cannot tell anyone whether an address is
    known. At most MAX_PENDING_PER_DAY confirmation emails per address and day.
    """
    with transaction.atomic():
        supporter = supporter_for(email=email, language=language)
        recent = Subscription.objects.filter(
            supporter=supporter,
            confirmed_at__isnull=True,
            created_at__gte=timezone.now() - datetime.timedelta(days=1),
        )
        if recent.count() >= MAX_PENDING_PER_DAY:
            logger.info("Subscription request for %s capped", mask_email(email))
            return
        subscription = Subscription.objects.create(
            supporter=supporter,
            categories=Subscription.pack(categories),
            countries=Subscription.pack(countries),
            frequency=frequency,
            language=language,
        )
        enqueue.send_subscription_confirmation(subscription.pk)
    logger.info("Subscription #%s pending for %s", subscription.pk, mask_email(email))


def subscription_for(*, subscription_id: int, token: str) -> Subscription | None:
    """The subscription a link names, while the link's token is current."""
    return (
        Subscription.objects.select_related("supporter")
        .filter(pk=subscription_id, token=token, supporter__erased_at__isnull=True)
        .first()
    )


def confirm_subscription(*, subscription: Subscription) -> bool:
    """Confirm a pending subscription. Acts only from pending; returns whether it changed.

    The supporter's other subscriptions end: the newest choice replaces them. Records the
    new_cases consent with the words of the subscribe form.
    """
    now = timezone.now()
    with transaction.atomic():
        confirmed = Subscription.objects.filter(
            pk=subscription.pk, confirmed_at__isnull=True, cancelled_at__isnull=True
        ).update(confirmed_at=now)
        if not confirmed:
            return False
        Subscription.objects.filter(supporter_id=subscription.supporter_id).exclude(
            pk=subscription.pk
        ).filter(cancelled_at__isnull=True).update(cancelled_at=now)
        if not Consent.objects.filter(
            supporter_id=subscription.supporter_id,
            kind=Consent.Kind.NEW_CASES,
            withdrawn_at__isnull=True,
        ).exists():
            with translation.override(subscription.language):
                text = str(CONSENT_TEXT)
            Consent.objects.create(
                supporter_id=subscription.supporter_id,
                kind=Consent.Kind.NEW_CASES,
                text=text,
                language=subscription.language,
            )
    subscription.refresh_from_db()
    logger.info("Subscription #%s confirmed", subscription.pk)
    return True


def change_subscription(
    *,
    subscription: Subscription,
    categories: Iterable[str],
    countries: Iterable[str],
    frequency: str,
) -> Subscription:
    """Change what an active subscription asks for."""
    subscription.categories = Subscription.pack(categories)
    subscription.countries = Subscription.pack(countries)
    subscription.frequency = frequency
    subscription.save(update_fields=["categories", "countries", "frequency"])
    return subscription


def cancel_subscription(*, subscription: Subscription) -> bool:
    """End a subscription at once; withdraws the new_cases consent when none is left.

    Idempotent; returns whether it changed anything.
    """
    now = timezone.now()
    with transaction.atomic():
        cancelled = Subscription.objects.filter(
            pk=subscription.pk, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        if not Subscription.objects.active().filter(supporter_id=subscription.supporter_id):
            Consent.objects.filter(
                supporter_id=subscription.supporter_id,
                kind=Consent.Kind.NEW_CASES,
                withdrawn_at__isnull=True,
            ).update(withdrawn_at=now)
    if cancelled:
        logger.info("Subscription #%s cancelled", subscription.pk)
    return bool(cancelled)


def _send(
    subscription: Subscription,
    *,
    template: str,
    context: Mapping[str, object],
    capped: bool = False,
) -> bool:
    supporter, language = subscription.supporter, subscription.language
    unsubscribe = subscription_url(
        subscription=subscription, language=language, name="campaigns:subscription_unsubscribe"
    )
    return send_template(
        template=f"campaigns/email/{template}",
        to=supporter.email,
        language=language,
        unsubscribe=unsubscribe,
        capped=capped,
        context={
            "subscription": subscription,
            "manage_url": subscription_url(subscription=subscription, language=language),
            "unsubscribe_url": unsubscribe,
            "my_data_url": url_in(language, "campaigns:my_data"),
            **context,
        },
    )


def send_subscription_confirmation(*, subscription_id: int) -> bool:
    """Email the confirmation link of a pending subscription; returns whether one went."""
    subscription = (
        Subscription.objects.select_related("supporter")
        .filter(pk=subscription_id, confirmed_at__isnull=True, cancelled_at__isnull=True)
        .filter(supporter__erased_at__isnull=True)
        .first()
    )
    if subscription is None:
        return False
    confirm = subscription_url(
        subscription=subscription,
        language=subscription.language,
        name="campaigns:confirm_subscription",
    )
    # A form asked for it: counted against the address's daily cap.
    return _send(
        subscription,
        template="confirm_subscription",
        context={"confirm_url": confirm},
        capped=True,
    )


# --- weekly digests -------------------------------------------------------------------


class DigestCase(TypedDict):
    action: UrgentAction
    url: str


def due_weekly_subscriptions(now: datetime.datetime) -> QuerySet[Subscription]:
    week_ago = now - WEEK
    return (
        Subscription.objects.active()
        .filter(frequency=Subscription.Frequency.WEEKLY, supporter__erased_at__isnull=True)
        .filter(
            Q(last_digest_at__isnull=True, confirmed_at__lte=week_ago)
            | Q(last_digest_at__lte=week_ago)
        )
    )


def send_due_weekly_digests(*, now: datetime.datetime | None = None) -> int:
    """Enqueue a digest for every weekly subscription whose week is over; returns how many.

    Safe to run as often as wanted: send_weekly_digest claims the week before sending.
    """
    now = now or timezone.now()
    enqueued = 0
    for subscription_id in due_weekly_subscriptions(now).values_list("pk", flat=True).iterator():
        enqueue.send_weekly_digest(subscription_id)
        enqueued += 1
    return enqueued


def cases_opened_for(
    subscription: Subscription, *, since: datetime.datetime, until: datetime.datetime
) -> list[UrgentAction]:
    """The public cases opened in (since, until] that the subscription asks for."""
    cases = UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT).filter(
        opened_at__gt=since, opened_at__lte=until
    )
    if subscription.category_list:
        cases = cases.filter(category__in=subscription.category_list)
    if subscription.country_list:
        cases = cases.filter(country__in=subscription.country_list)
    return list(cases.order_by("category", "opened_at"))


def send_weekly_digest(*, subscription_id: int, now: datetime.datetime | None = None) -> bool:
    """Email one weekly digest of the cases opened since the last one, grouped by category.

    Claims the week with a conditional UPDATE first, so a digest goes at most once a
    week however often the task runs; a week without new cases sends nothing. If sending
    raises, the claim is taken back so the retry sends it. Returns whether one went.
    """
    now = now or timezone.now()
    subscription = (
        due_weekly_subscriptions(now).select_related("supporter").filter(pk=subscription_id).first()
    )
    if subscription is None:
        return False
    previous = subscription.last_digest_at
    since = previous or subscription.confirmed_at
    assert since is not None  # a due subscription is confirmed
    claimed = Subscription.objects.filter(pk=subscription.pk, last_digest_at=previous).update(
        last_digest_at=now
    )
    if not claimed:
        return False
    cases = cases_opened_for(subscription, since=since, until=now)
    if not cases:
        return False
    language = subscription.language
    groups: dict[str, list[DigestCase]] = defaultdict(list)
    with translation.override(language):
        for action in cases:
            groups[action.get_category_display()].append(
                {"action": action, "url": case_url(action, language)}
            )
    try:
        _send(
            subscription,
            template="digest",
            context={"groups": dict(groups), "count": len(cases)},
        )
    except Exception:
        Subscription.objects.filter(pk=subscription.pk, last_digest_at=now).update(
            last_digest_at=previous
        )
        raise
    logger.info("Weekly digest of %d cases to subscription #%s", len(cases), subscription.pk)
    return True


def describe(subscription: Subscription) -> str:
    """What a subscription asks for, in words (for pages and the data export)."""
    categories = ", ".join(subscription.category_labels) or _("all categories")
    countries = ", ".join(subscription.country_list) or _("all countries")
    return f"{categories}; {countries}; {subscription.get_frequency_display()}"
