"""The API's throttling in Redis stays exact when many web processes count the same person at
the same moment (config/throttling.py: one Lua script checks and adds atomically): threads with
their own Redis connections stand in for gunicorn's workers."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from config import throttling


def test_calls_at_the_same_moment_are_each_counted_once(redis_url):
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": prefix,
    }
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "20/minute"}
    caller = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=1), method="GET")

    def call(_) -> bool:
        return throttling.UserThrottle().allow_request(caller, None)

    with override_settings(
        CACHES={**settings.CACHES, "throttle": redis_cache},
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
    ):
        try:
            with ThreadPoolExecutor(max_workers=8) as workers:
                allowed = list(workers.map(call, range(80)))
        finally:
            client = caches[throttling.THROTTLE_CACHE]._cache.get_client(write=True)
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)

    assert allowed.count(True) == 20
