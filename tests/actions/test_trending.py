"""Trending sources (actions.trending) and the organizers' alert about them
(actions.services.alert_trending_sources): over or under the threshold, webmail domains,
one email per source per window."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from actions import services, trending
from campaigns.models import SourceKind, TrendingSource
from petitions.models import Signature
from tests.factories import (
    LetterFactory,
    SignatureFactory,
    SupporterFactory,
    UrgentActionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BOTNET = "203.0.113.0/24"
_serial = itertools.count()


@pytest.fixture(autouse=True)
def _trending_settings(settings):
    settings.PLUMA_TRENDING_THRESHOLD = 3
    settings.PLUMA_TRENDING_WINDOW_MINUTES = 60
    settings.PLUMA_TRENDING_SHARED_DOMAINS = ["gmail.com", "outlook.com"]
    settings.PLUMA_TRENDING_SHARED_PERCENT = 75
    settings.SITE_URL = "https://pluma.example.org"
    return settings


@pytest.fixture
def organizers():
    group = Group.objects.get(name="Organizers")
    first, second = UserFactory(email="ines@org.example"), UserFactory(email="omar@org.example")
    gone = UserFactory(email="gone@org.example", is_active=False)
    for user in (first, second, gone):
        user.groups.add(group)
    UserFactory(email="editor@org.example").groups.add(Group.objects.get(name="Editors"))
    return [first, second]


def signed(action, n, *, network=BOTNET, domain="bots.example", at=None, **fields):
    """``n`` sign-ups on the case from one source, signed ``at`` (default: now)."""
    rows = [
        SignatureFactory(
            action=action,
            supporter=SupporterFactory(email=f"s{next(_serial)}@{domain}"),
            network=network,
            email_domain=domain,
            **fields,
        )
        for _ in range(n)
    ]
    if at is not None:
        Signature.objects.filter(pk__in=[row.pk for row in rows]).update(signed_at=at)
    return rows


def found(*, since=None):
    since = since or timezone.now() - datetime.timedelta(hours=1)
    return {
        (count.action_id, count.kind, count.source): (count.signatures, count.letters)
        for count in trending.trending(since=since)
    }


def test_a_network_over_the_threshold_trends_and_one_under_it_does_not():
    case = UrgentActionFactory()
    for domain in ("a.example", "b.example", "c.example"):
        signed(case, 1, network=BOTNET, domain=domain)
    signed(case, 2, network="198.51.100.0/24", domain="d.example")
    assert found() == {(case.pk, SourceKind.NETWORK, BOTNET): (3, 0)}


def test_an_email_domain_over_the_threshold_trends_across_networks():
    case = UrgentActionFactory()
    for network in ("198.51.100.0/24", "192.0.2.0/24", "2001:db8:1:2::/64"):
        signed(case, 1, network=network, domain="throwaway.example")
    assert found() == {(case.pk, SourceKind.DOMAIN, "throwaway.example"): (3, 0)}


def test_letters_trend_by_themselves_and_are_counted_beside_sign_ups():
    case = UrgentActionFactory()
    for _ in range(3):
        LetterFactory(case=case, network=BOTNET, email_domain="c.example")
    signed(case, 1, network=BOTNET, domain="d.example")
    assert found()[(case.pk, SourceKind.NETWORK, BOTNET)] == (1, 3)


def test_only_the_window_counts_and_flagged_or_other_cases_rows_do_not():
    case, other = UrgentActionFactory(), UrgentActionFactory()
    signed(case, 2, at=timezone.now() - datetime.timedelta(minutes=90))
    signed(case, 1, is_flagged=True, flag_reason="honeypot")
    signed(case, 1, domain="x.example")
    signed(other, 2, domain="y.example")
    assert found() == {}


def test_a_closed_case_is_checked_for_its_last_window_only():
    recent = UrgentActionFactory(status="closed", closed_at=timezone.now(), outcome_kind="other")
    old = UrgentActionFactory(
        status="closed",
        closed_at=timezone.now() - datetime.timedelta(days=2),
        outcome_kind="other",
    )
    signed(recent, 3, domain="r.example")
    signed(old, 3, domain="o.example")
    assert set(found()) == {
        (recent.pk, SourceKind.NETWORK, BOTNET),
        (recent.pk, SourceKind.DOMAIN, "r.example"),
    }


def test_a_webmail_domain_trends_only_when_it_crowds_out_everyone_else():
    busy, flooded = UrgentActionFactory(), UrgentActionFactory()
    # A busy case: gmail.com passes the count, but is half of the window's sign-ups.
    for i in range(5):
        signed(busy, 1, network=f"10.0.{i}.0/24", domain="gmail.com")
        signed(busy, 1, network=f"10.1.{i}.0/24", domain=f"isp{i}.example")
    # A flooded one: gmail.com is 9 of its 10 sign-ups.
    for i in range(9):
        signed(flooded, 1, network=f"10.2.{i}.0/24", domain="gmail.com")
    signed(flooded, 1, network="10.3.0.0/24", domain="isp.example")

    assert found() == {(flooded.pk, SourceKind.DOMAIN, "gmail.com"): (9, 0)}
    page = trending.case_sources(busy, since=timezone.now() - datetime.timedelta(hours=1))
    (gmail,) = [row for row in page.domains if row.source == "gmail.com"]
    assert gmail.is_shared and gmail.signature_share == 50 and not gmail.is_trending


def test_the_check_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    cases = [UrgentActionFactory() for _ in range(3)]
    for case in cases:
        signed(case, 3, network=f"10.{case.pk % 250}.0.0/24", domain=f"d{case.pk}.example")
    # Cases, four grouped candidates, four grouped counts of them, two totals.
    with django_assert_max_num_queries(11) as few:
        assert len(trending.trending(since=timezone.now() - datetime.timedelta(hours=1))) == 6
    for case in cases:
        signed(case, 4, network=f"10.{case.pk % 250}.9.0/24", domain=f"e{case.pk}.example")
    with django_assert_max_num_queries(11) as more:
        assert len(trending.trending(since=timezone.now() - datetime.timedelta(hours=1))) == 12
    assert len(more.captured_queries) == len(few.captured_queries)


# --- the alert --------------------------------------------------------------------------


def test_organizers_are_emailed_once_per_source_per_window(organizers):
    case = UrgentActionFactory(number="58/20")
    now = timezone.now()
    signed(case, 3, domain="bots.example")

    assert services.alert_trending_sources(now=now) == 2  # the network and the domain
    assert sorted(message.to[0] for message in mail.outbox) == [
        "ines@org.example",
        "omar@org.example",
    ]
    email = mail.outbox[0]
    assert "UA 58/20" in email.subject and "2 sources are trending" in email.subject
    assert f"https://pluma.example.org/admin/petitions/dashboard/{case.pk}/sources/" in email.body
    assert "3 sign-ups and 0 letters" in email.body
    # The email names no network or domain: those stay behind the admin's login.
    assert BOTNET not in email.body and "bots.example" not in email.body

    # Later runs within the window tell nobody again, however the source grows.
    signed(case, 2, domain="bots.example")
    for minutes in (5, 30, 59):
        assert services.alert_trending_sources(now=now + datetime.timedelta(minutes=minutes)) == 0
    assert len(mail.outbox) == 2

    # A window later, still trending: told again, with the new counts.
    Signature.objects.filter(action=case).update(signed_at=now + datetime.timedelta(minutes=50))
    assert services.alert_trending_sources(now=now + datetime.timedelta(minutes=61)) == 2
    assert len(mail.outbox) == 4 and "5 sign-ups" in mail.outbox[-1].body
    row = TrendingSource.objects.get(kind="network")
    assert row.first_alerted_at == now and row.signatures == 5


def test_a_source_under_the_threshold_tells_nobody(organizers):
    signed(UrgentActionFactory(), 2)
    assert services.alert_trending_sources() == 0
    assert mail.outbox == [] and not TrendingSource.objects.exists()


def test_a_failed_email_is_sent_by_the_next_run(organizers, monkeypatch):
    from actions.services import sources

    case = UrgentActionFactory()
    signed(case, 3, domain="gmail.com")  # gmail.com: all of the window, so it trends too

    def refuse(**kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(sources, "send_template", refuse)
    with pytest.raises(ConnectionError):
        services.alert_trending_sources()
    assert TrendingSource.objects.filter(notified_at__isnull=True).count() == 2
    monkeypatch.undo()

    assert services.alert_trending_sources() == 2
    assert len(mail.outbox) == 2  # one email (two sources) to each organizer
    assert services.alert_trending_sources() == 0


def test_the_periodic_task_runs_the_check(organizers):
    from actions.tasks import alert_trending_sources

    signed(UrgentActionFactory(), 3, domain="gmail.com")
    assert alert_trending_sources() == 2


def test_the_beat_runs_the_check_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["alert-trending-sources"]
    assert entry == {"task": "actions.tasks.alert_trending_sources", "schedule": 300.0}


@pytest.mark.services
def test_the_check_reads_an_index_of_the_window_not_the_cases_signatures():
    """The check's grouped query, on cases with many older signatures: a range scan of
    the (action, signed_at) index, whatever the cases' size."""
    cases = [UrgentActionFactory(), UrgentActionFactory()]
    with connection.cursor() as cursor:
        # 100,000 sign-ups from two days ago, in two statements.
        cursor.execute(
            """
            INSERT INTO campaigns_supporter (email, email_canonical, name, country, postal_code,
                city, language, created_at, updated_at, access_nonce, public_id)
            SELECT 'old' || i || '@example.net', 'old' || i || '@example.net', '', 'CA', '', '',
                'en', now(), now(), '', gen_random_uuid() FROM generate_series(1, 100000) AS i
            """
        )
        cursor.execute(
            """
            INSERT INTO petitions_signature (action_id, supporter_id, status, name, country,
                postal_code, city, comment, language, source, is_flagged, flag_reason, network,
                email_domain, nonce, links_sent, notices_sent, signed_at, confirmed_at)
            SELECT CASE WHEN s.id %% 2 = 0 THEN %s ELSE %s END, s.id, 'confirmed', '', 'CA', '',
                '', '', 'en', '', false, '', '10.0.' || (s.id %% 250) || '.0/24', 'example.net',
                '', 1, 0, now() - interval '2 days', now() - interval '2 days'
            FROM campaigns_supporter AS s WHERE s.email LIKE 'old%%'
            """,
            [cases[0].pk, cases[1].pk],
        )
        cursor.execute("ANALYZE petitions_signature")
    signed(cases[0], 3)
    since = timezone.now() - datetime.timedelta(hours=1)
    assert {(c.action_id, c.source) for c in trending.trending(since=since)} == {
        (cases[0].pk, BOTNET),
        (cases[0].pk, "bots.example"),
    }
    grouped = (
        trending.recent_signatures([case.pk for case in cases], since)
        .values_list("action_id", "network")
        .annotate(n=Count("*"))
    )
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "signature_recent" in plan, plan
    assert "Seq Scan on petitions_signature" not in plan, plan
