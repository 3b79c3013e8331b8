import pytest

from letters import tokens
from tests.factories import DeliveryFactory


def test_a_token_reads_back_as_its_delivery_id():
    for delivery_id in (1, 2, 58, 10**9, 2**63 - 1):
        assert tokens.read_token(tokens.make_token(delivery_id)) == delivery_id


def test_a_token_does_not_show_the_id_and_neighbours_look_unrelated():
    first, second = tokens.make_token(1000), tokens.make_token(1001)
    assert "1000" not in first
    assert sum(a == b for a, b in zip(first, second, strict=True)) < len(first) // 2


def test_a_token_is_a_valid_lowercase_local_part():
    token = tokens.make_token(123)
    assert token.isalnum() and token == token.lower()
    assert len(f"r-{token}") <= 64


@pytest.mark.parametrize("position", [0, 5, 13, 20, 28])
def test_a_tampered_token_routes_nowhere(position):
    token = tokens.make_token(42)
    flipped = "a" if token[position] != "a" else "b"
    tampered = token[:position] + flipped + token[position + 1 :]
    assert tokens.read_token(tampered) is None


@pytest.mark.parametrize("junk", ["", "r-", "abc", "!!!!", "a" * 200, "r-" + "a" * 29])
def test_malformed_tokens_route_nowhere(junk):
    assert tokens.read_token(junk) is None


def test_a_token_made_with_another_key_is_refused(settings):
    forged = tokens.make_token(42, secret="someone else's key")
    assert tokens.read_token(forged) is None


def test_a_token_made_before_a_key_rotation_still_routes(settings):
    token = tokens.make_token(42, secret="the old key")
    settings.SECRET_KEY_FALLBACKS = ["the old key"]
    assert tokens.read_token(token) == 42


@pytest.mark.django_db
def test_route_token_finds_the_delivery_from_its_reply_address():
    delivery = DeliveryFactory()
    address = tokens.reply_address(delivery.pk)
    local_part = address.partition("@")[0]
    assert tokens.route_token(local_part) == delivery
    assert tokens.route_token(local_part.upper()) == delivery
    assert tokens.route_token(tokens.make_token(delivery.pk + 1000)) is None
