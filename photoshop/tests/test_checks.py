"""Deploy checks: a shared cache, and a trusted proxy when behind one."""

from photoshop.checks import check_client_address, check_shared_cache

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379/1"}}


def test_a_per_process_cache_is_an_error(settings):
    for backend in ["locmem.LocMemCache", "dummy.DummyCache"]:
        settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
        assert [m.id for m in check_shared_cache()] == ["photoshop.E001"]


def test_redis_passes(settings):
    settings.CACHES = REDIS
    assert check_shared_cache() == []


def test_behind_a_proxy_trusting_none_of_them_is_a_warning(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    assert [m.id for m in check_client_address()] == ["photoshop.W002"]

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert check_client_address() == []
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    assert check_client_address() == []


def test_without_a_proxy_nothing_is_said(settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert check_client_address() == []
