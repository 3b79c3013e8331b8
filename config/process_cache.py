"""A cache of this process's own objects, kept as they are: no pickling on the way in or out.

The "local" cache holds each web process's short-lived copies of hot, rarely changing
rows (a public case, the email blocklist, the site frame's links), read several times per
signing request. Django's LocMemCache pickles every value it stores and unpickles it on
every read, which for a case with its petition costs about as much CPU as the rest of the
lookup. Here a read returns the very object stored, shared by every thread of the
process: callers must treat what they get as read-only (campaigns/public.py says so).

Expiry and the size limit work as in LocMemCache: an entry is dropped when read after its
timeout, and the least recently used entries make room once MAX_ENTRIES is reached.
"""

import threading
import time
from collections import OrderedDict
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


class ProcessCache(BaseCache):
    def __init__(self, name: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self._entries: OrderedDict[str, tuple[object, float | None]] = OrderedDict()
        self._lock = threading.Lock()

    def _expires_at(self, timeout: float | None) -> float | None:
        # On the monotonic clock (BaseCache.get_backend_timeout answers in wall-clock time).
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else time.monotonic() + timeout

    def _live(self, key: str) -> tuple[object, float | None] | None:
        """The entry under `key` if it has not expired (dropping it if it has). Hold the lock."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at = entry[1]
        if expires_at is not None and expires_at <= time.monotonic():
            del self._entries[key]
            return None
        return entry

    def _store(self, key: str, value: object, timeout: float | None) -> None:
        self._entries[key] = (value, self._expires_at(timeout))
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def get(self, key: object, default: object = None, version: int | None = None) -> object:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            entry = self._live(key)
            if entry is None:
                return default
            self._entries.move_to_end(key)
            return entry[0]

    def set(
        self,
        key: object,
        value: object,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._store(key, value, timeout)

    def add(
        self,
        key: object,
        value: object,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._live(key) is not None:
                return False
            self._store(key, value, timeout)
            return True

    def touch(
        self, key: object, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            entry = self._live(key)
            if entry is None:
                return False
            self._entries[key] = (entry[0], self._expires_at(timeout))
            return True

    def delete(self, key: object, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._entries.pop(key, None) is not None

    def has_key(self, key: object, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            return self._live(key) is not None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
