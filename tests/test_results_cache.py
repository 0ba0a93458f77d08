"""The "results" cache (config/results_cache.py): shared by every process, and a page stays up
when it cannot be reached."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings

from config.results_cache import RESULTS_CACHE, remembered
from tests.production_env import production_settings


def test_production_remembers_in_redis_shared_by_web_processes_and_workers():
    caches_setting = production_settings(names=["CACHES"])["CACHES"]

    assert caches_setting[RESULTS_CACHE]["BACKEND"] == (
        "django.core.cache.backends.redis.RedisCache"
    )


def test_a_result_is_computed_once_then_read_from_the_shared_cache_by_another_client(
    redis_url,
):
    """Two cache clients (as two processes would hold) on one Redis: what one computed, the
    other reads."""
    prefix = f"test-results-{uuid.uuid4().hex}"
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": prefix,
    }
    computed = []

    def compute():
        computed.append(1)
        return {"curve": [1, 0.9, 0.8]}

    with override_settings(CACHES={**settings.CACHES, RESULTS_CACHE: shared}):
        assert remembered("k", compute, seconds=60) == {"curve": [1, 0.9, 0.8]}
        caches[RESULTS_CACHE].close()
        del caches[RESULTS_CACHE]  # a new client, as another process has
        assert remembered("k", compute, seconds=60) == {"curve": [1, 0.9, 0.8]}
        assert len(computed) == 1
        client = caches[RESULTS_CACHE]._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_the_result_is_computed_when_the_cache_cannot_be_reached():
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    computed = []

    with override_settings(CACHES={**settings.CACHES, RESULTS_CACHE: unreachable}):
        results = [remembered("k", lambda: computed.append(1) or 42, seconds=60) for _ in range(2)]

    assert results == [42, 42] and len(computed) == 2


@pytest.mark.django_db
def test_the_loyalty_section_answers_when_the_cache_cannot_be_reached(client_for, product_manager):
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={**settings.CACHES, RESULTS_CACHE: unreachable}):
        response = client_for(product_manager).get(
            "/insights/loyalty/",
            {"period_from": "2026-01-01", "period_to": "2026-06-30"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert "Time to churn" in response.content.decode()
