import datetime
import logging

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import Supporter, UrgentAction
from letters.models import Delivery, Letter
from petitions.models import Signature
from tests.factories import (
    ConfirmedSignatureFactory,
    DeliveryFactory,
    LetterFactory,
    SubscriptionFactory,
    SupporterFactory,
    TargetFactory,
    UrgentActionFactory,
)

pytestmark = pytest.mark.django_db


def closed_days_ago(days: int) -> UrgentAction:
    return UrgentActionFactory(
        status="closed",
        outcome_kind="good_news",
        closed_at=timezone.now() - datetime.timedelta(days=days),
    )


def person(name: str) -> Supporter:
    return SupporterFactory(name=name, email=f"{name.lower()}@example.net", city="Ottawa")


def counts() -> tuple[int, int, int, int]:
    return (
        Signature.objects.count(),
        Signature.objects.filter(status="confirmed").count(),
        Letter.objects.count(),
        Delivery.objects.count(),
    )


def test_retention_anonymises_old_cases_keeps_counts_and_is_idempotent(settings, caplog):
    settings.PLUMA_RETENTION_DAYS = 183
    old, recent, running = closed_days_ago(200), closed_days_ago(10), UrgentActionFactory()
    only_old, also_running, subscriber = person("Olga"), person("Bruno"), person("Sonia")
    for supporter in (only_old, also_running, subscriber):
        ConfirmedSignatureFactory(action=old, supporter=supporter, name=supporter.name)
    ConfirmedSignatureFactory(action=running, supporter=also_running, name="Bruno")
    SubscriptionFactory(supporter=subscriber)
    kept = ConfirmedSignatureFactory(action=recent, name="Recent Signer")
    target = TargetFactory()
    letter = LetterFactory(
        case=old, supporter=only_old, status="confirmed", body="Olga writes", targets=[target]
    )
    DeliveryFactory(letter=letter, target=target)
    before = counts()

    with caplog.at_level(logging.INFO, logger="campaigns"):
        result = services.apply_retention()

    assert result == {"cases": 1, "rows": result["rows"], "supporters": 1}
    assert set(Signature.objects.filter(action=old).values_list("name", flat=True)) == {""}
    assert Letter.objects.get(pk=letter.pk).body == ""
    assert Delivery.objects.get().status == "cancelled"
    assert Supporter.objects.get(pk=only_old.pk).erased_at is not None
    assert Supporter.objects.get(pk=only_old.pk).email == ""
    # Still acting on a running case, or subscribed: their record stays.
    assert Supporter.objects.get(pk=also_running.pk).email == "bruno@example.net"
    assert Supporter.objects.get(pk=subscriber.pk).erased_at is None
    assert Signature.objects.get(action=running).name == "Bruno"
    assert Signature.objects.get(pk=kept.pk).name == "Recent Signer"
    assert UrgentAction.objects.get(pk=old.pk).anonymised_at is not None
    assert UrgentAction.objects.get(pk=recent.pk).anonymised_at is None
    assert counts() == before
    # Counts only: no address or name reaches the log.
    assert "Retention: 1 cases" in caplog.text
    for secret in ("olga", "Olga", "bruno@", "sonia@"):
        assert secret not in caplog.text

    assert services.apply_retention() == {"cases": 0, "rows": 0, "supporters": 0}
    assert counts() == before
    assert Supporter.objects.get(pk=also_running.pk).erased_at is None


def test_retention_waits_for_the_configured_number_of_days(settings):
    settings.PLUMA_RETENTION_DAYS = 30
    action = closed_days_ago(20)
    ConfirmedSignatureFactory(action=action, name="Still here")
    assert services.apply_retention()["cases"] == 0
    assert services.apply_retention(now=timezone.now() + datetime.timedelta(days=11))["cases"] == 1
    assert Signature.objects.get().name == ""


def test_retention_clears_where_sign_ups_and_letters_came_from(settings):
    """Networks and email domains go with the names: on the rows, in the trending sources
    organizers were shown, and in the invalidations' log, which keeps the rest."""
    from campaigns.models import Invalidation, TrendingSource

    settings.PLUMA_RETENTION_DAYS = 183
    old, running = closed_days_ago(200), UrgentActionFactory()
    for action in (old, running):
        ConfirmedSignatureFactory(
            action=action, network="2001:db8:1:2::/64", email_domain="family.example"
        )
        LetterFactory(case=action, network="203.0.113.0/24", email_domain="family.example")
        now = timezone.now()
        TrendingSource.objects.create(
            action=action,
            kind="network",
            source="203.0.113.0/24",
            first_alerted_at=now,
            alerted_at=now,
        )
        Invalidation.objects.create(
            action=action,
            kind="domain",
            source="family.example",
            reason="A script",
            invalidated_at=now,
            signatures=3,
        )

    services.apply_retention()

    assert set(Signature.objects.filter(action=old).values_list("network", "email_domain")) == {
        ("", "")
    }
    assert set(Letter.objects.filter(case=old).values_list("network", "email_domain")) == {("", "")}
    assert not TrendingSource.objects.filter(action=old).exists()
    kept = Invalidation.objects.get(action=old)
    assert (kept.source, kept.kind, kept.reason, kept.signatures) == ("", "domain", "A script", 3)
    # A running case keeps them.
    assert Signature.objects.get(action=running).network == "2001:db8:1:2::/64"
    assert Letter.objects.get(case=running).email_domain == "family.example"
    assert TrendingSource.objects.filter(action=running).exists()
    assert Invalidation.objects.get(action=running).source == "family.example"
