"""The Redis cache (photoshop.cache) on a real Redis: Django's behaviour, with one client object per pool."""

from __future__ import annotations

import socket
import uuid

import pytest

from conftest import skip_or_fail_without
from photoshop.cache import RedisCache


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    skip_or_fail_without("Redis", _redis_up())
    cache = RedisCache("redis://127.0.0.1:6379/13", {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})
    yield cache
    cache.clear()


def test_it_stores_reads_and_deletes_like_djangos_and_reuses_one_client(redis_cache):
    redis_cache.set("a", {"x": 1}, 30)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.add("a", "other", 30) is False
    redis_cache.set_many({"b": 2, "c": 3})
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": {"x": 1}, "b": 2, "c": 3}
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.get("a") is None
    assert redis_cache.incr("c") == 4
    client = redis_cache._cache
    assert client.get_client("c") is client.get_client("d")
    assert client.get_client("c", write=True) is client.get_client("e", write=True)


def test_delete_matching_removes_only_the_matching_keys_of_its_own_prefix(redis_cache):
    other = RedisCache("redis://127.0.0.1:6379/13", {"KEY_PREFIX": f"other-{uuid.uuid4().hex[:8]}"})
    redis_cache.set_many({"pagecache:page:7:a": 1, "pagecache:page:7:b": 2, "pagecache:page:71:c": 3})
    other.set("pagecache:page:7:a", 4)
    assert redis_cache.delete_matching("pagecache:page:7:*") == 2
    assert redis_cache.get_many(["pagecache:page:7:a", "pagecache:page:7:b", "pagecache:page:71:c"]) == {
        "pagecache:page:71:c": 3
    }
    assert other.get("pagecache:page:7:a") == 4
    other.delete("pagecache:page:7:a")
