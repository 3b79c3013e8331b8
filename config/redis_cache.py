"""Django's Redis cache backend, minus a client object built for every cache call.

Django's RedisCacheClient.get_client() constructs a new redis.Redis around the pooled
connections on each call; with redis-py 8 that costs about as much CPU as the round trip
itself, and the hot paths (cached pages, counts, rate limits) make several calls per
request. A redis.Redis is thread-safe and holds no connection of its own, so one per pool
is kept and reused.
"""

import threading
from typing import Any

from django.core.cache.backends import redis as django_redis
from redis import Redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}
        self._clients_lock = threading.Lock()

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        try:
            return self._clients[index]
        except KeyError:
            with self._clients_lock:
                if index not in self._clients:
                    if index not in self._pools:
                        self._pools[index] = self._pool_class.from_url(
                            self._servers[index], **self._pool_options
                        )
                    self._clients[index] = self._client(connection_pool=self._pools[index])
                return self._clients[index]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
