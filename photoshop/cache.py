"""Django's Redis cache with one client object per connection pool.

Django's client builds a new ``redis.Redis`` for every cache operation, and
building one copies redis-py's table of response callbacks: about 0.15 ms a
call, which made a signed-in page with a handful of cache reads measurably
slower (``bench/pages.py``). A ``redis.Redis`` is safe to share between
threads (each command takes a connection from the pool), so it is made once
per pool and kept.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write: bool = False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def delete_matching(self, pattern: str) -> int:
        """Delete the keys matching a glob ``pattern`` (before the key prefix is added); return how many."""
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=self.make_key(pattern), count=1000))
        return client.delete(*keys) if keys else 0
