import time

import pytest

from config.process_cache import ProcessCache


@pytest.fixture
def local():
    return ProcessCache("test", {"OPTIONS": {"MAX_ENTRIES": 3}})


def test_a_read_returns_the_stored_object_itself(local):
    value = {"actions": "/actions/"}
    local.set("links", value, 30)

    assert local.get("links") is value


def test_an_entry_is_gone_after_its_timeout(local, monkeypatch):
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now)
    local.set("case", "UA 58/20", 2)

    monkeypatch.setattr(time, "monotonic", lambda: now + 1.9)
    assert local.get("case") == "UA 58/20"
    monkeypatch.setattr(time, "monotonic", lambda: now + 2)
    assert local.get("case", "gone") == "gone"
    assert not local.has_key("case")


def test_add_keeps_a_live_entry_and_replaces_an_expired_one(local, monkeypatch):
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now)
    assert local.add("mark", 1, 1)
    assert not local.add("mark", 2, 1)
    assert local.get("mark") == 1

    monkeypatch.setattr(time, "monotonic", lambda: now + 1)
    assert local.add("mark", 3, 1)
    assert local.get("mark") == 3


def test_no_timeout_keeps_an_entry_until_deleted(local):
    local.set("blocklist", frozenset({"spam.example"}), None)

    assert local.get("blocklist") == frozenset({"spam.example"})
    assert local.delete("blocklist")
    assert not local.delete("blocklist")
    assert local.get("blocklist") is None


def test_the_least_recently_read_entry_makes_room(local):
    for key in ("a", "b", "c"):
        local.set(key, key, 30)
    local.get("a")

    local.set("d", "d", 30)

    assert local.get("b") is None
    assert [local.get(key) for key in ("a", "c", "d")] == ["a", "c", "d"]


def test_touch_gives_a_live_entry_a_new_timeout(local, monkeypatch):
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now)
    local.set("case", "open", 1)
    assert local.touch("case", 10)
    assert not local.touch("missing", 10)

    monkeypatch.setattr(time, "monotonic", lambda: now + 5)
    assert local.get("case") == "open"


def test_clear_and_many_at_once(local):
    local.set_many({"a": 1, "b": 2}, 30)

    assert local.get_many(["a", "b", "z"]) == {"a": 1, "b": 2}
    local.clear()
    assert local.get_many(["a", "b"]) == {}
