import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from petitions import counts, services, tokens
from petitions.models import Signature, SignatureCountShard
from tests.factories import PetitionFactory, SignatureFactory, UrgentActionFactory

pytestmark = pytest.mark.django_db


def confirm_new_signatures(action, n: int) -> None:
    for signature in SignatureFactory.create_batch(n, action=action):
        services.confirm_signature(
            token=tokens.make_token(signature_id=signature.pk, nonce=signature.nonce)
        )


def table_count(action) -> int:
    return Signature.objects.filter(
        action=action, status=Signature.Status.CONFIRMED, is_flagged=False
    ).count()


def test_the_shards_equal_the_table():
    action, other = UrgentActionFactory(), UrgentActionFactory()
    confirm_new_signatures(action, 40)
    confirm_new_signatures(other, 3)
    SignatureFactory.create_batch(5, action=action)  # pending: not counted

    shards = SignatureCountShard.objects.filter(action=action)
    assert shards.aggregate(n=Sum("confirmed"))["n"] == table_count(action) == 40
    assert shards.count() == counts.SHARDS
    counts.forget(action.pk)
    assert counts.confirmed_count(action.pk) == 40
    assert counts.confirmed_counts([action.pk, other.pk]) == {action.pk: 40, other.pk: 3}


def test_reading_the_count_costs_one_query_and_is_cached(django_assert_num_queries):
    action = UrgentActionFactory()
    confirm_new_signatures(action, 30)
    counts.forget(action.pk)
    with django_assert_num_queries(1):
        counts.confirmed_count(action.pk)
    with django_assert_num_queries(0):
        counts.confirmed_count(action.pk)


def test_counts_add_paper_and_show_the_goal():
    petition = PetitionFactory(goal=200)
    confirm_new_signatures(petition.action, 50)
    counts.forget(petition.action.pk)
    result = counts.counts_for(petition.action)
    assert result.as_dict() == {"online": 50, "paper": 0, "total": 50, "goal": 200}
    assert result.percent == 25


def test_a_process_reads_a_cases_counts_from_the_shared_cache_once_a_second(monkeypatch):
    action = UrgentActionFactory()
    confirm_new_signatures(action, 3)
    counts.forget(action.pk)
    counts.counts_for(action)
    reads = []
    original = counts.cache.get_many
    monkeypatch.setattr(counts.cache, "get_many", lambda keys: reads.append(keys) or original(keys))

    assert [counts.counts_for(action).online for _ in range(3)] == [3, 3, 3]
    assert reads == []
    counts.forget_paper(action.pk)  # an organizer's paper tally, recorded in this process
    assert counts.counts_for(action).online == 3
    assert len(reads) == 1


def test_reconcile_counts_repairs_shards_from_the_table():
    action = UrgentActionFactory()
    confirm_new_signatures(action, 7)
    SignatureCountShard.objects.filter(action=action).update(confirmed=99)
    # A signature confirmed behind the services' back, e.g. restored from a backup.
    SignatureFactory(action=action, status=Signature.Status.CONFIRMED, confirmed_at=timezone.now())

    call_command("reconcile_counts", action.slug)

    total = SignatureCountShard.objects.filter(action=action).aggregate(n=Sum("confirmed"))["n"]
    assert total == table_count(action) == 8
    assert counts.confirmed_count(action.pk) == 8


def test_reconcile_counts_refuses_unknown_numbers():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="99/99"):
        call_command("reconcile_counts", "99-99")
