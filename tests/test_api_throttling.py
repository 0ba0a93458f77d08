"""The API's throttling (config/throttling.py), with rates lowered for these tests (the test
settings keep them out of reach of the rest of the suite): 429 with Retry-After in the API's
error format, per person for every call and for writes, per IP address for callers who are
nobody, failed tokens included; the counts start again when the window has passed; the API
stays up when the counter's cache is down; the rates come from the environment. Each test runs
with the counts in this process and in Redis."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from rest_framework.test import APIClient

from accounts import services
from config import throttling
from config.env import ImproperlyConfiguredEnv, env_rate
from tests.api_helpers import api_error, api_login
from tests.production_env import production_settings

ME = "/api/v1/me/"
READ_ALL = "/api/v1/notifications/read-all/"  # a write any person may make


def _rates(anon="1000/minute", user="1000/minute", write="1000/minute"):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user, "write": write},
        }
    )


@pytest.fixture(autouse=True, params=["this process", "redis"])
def _counts(request):
    """Every test counts in this process (DRF's list of times, as without Redis) and in Redis
    (config.throttling's one-round-trip script, as in production), under a prefix of its own:
    other test runs share that Redis, so nothing there is flushed."""
    if request.param == "this process":
        caches[throttling.THROTTLE_CACHE].clear()
        yield
        caches[throttling.THROTTLE_CACHE].clear()
        return
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": request.getfixturevalue("redis_url"),
        "KEY_PREFIX": prefix,
    }
    with override_settings(CACHES={**settings.CACHES, "throttle": redis_cache}):
        yield
        client = caches[throttling.THROTTLE_CACHE]._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, which a test moves on: `clock[0] += 61`."""
    now = [time.time()]
    monkeypatch.setattr(throttling._Throttle, "timer", staticmethod(lambda: now[0]))
    return now


def _assert_throttled(response) -> int:
    assert response.status_code == 429, response.content
    error = api_error(response)
    assert (error["type"], error["code"], error["attr"]) == ("client_error", "throttled", None)
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    assert f"Expected available in {retry_after} second" in error["detail"]
    return retry_after


@_rates(user="3/minute")
def test_a_person_past_the_user_rate_gets_429_with_retry_after(api, member_a, admin_a):
    api_login(api, member_a)

    statuses = [api.get(ME).status_code for _ in range(3)]
    throttled = api.get(ME)

    assert statuses == [200, 200, 200]
    _assert_throttled(throttled)
    api_login(api, admin_a)  # the rate is per person
    assert api.get(ME).status_code == 200


@_rates(user="3/minute")
def test_a_token_is_counted_as_its_owner(member_a):
    _, token = services.api_token_create(user=member_a, name="Script")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert [api.get(ME).status_code for _ in range(3)] == [200, 200, 200]
    _assert_throttled(api.get(ME))


@_rates(write="2/minute")
def test_writes_have_a_rate_of_their_own_and_reads_go_on(api, member_a):
    api_login(api, member_a)

    writes = [api.post(READ_ALL, {}).status_code for _ in range(2)]
    throttled = api.post(READ_ALL, {})

    assert writes == [200, 200]
    _assert_throttled(throttled)
    assert api.get(ME).status_code == 200


@_rates(anon="3/minute")
def test_a_caller_who_is_nobody_gets_429_instead_of_401_past_the_anon_rate(api, db):
    refused = [api.get(ME).status_code for _ in range(3)]
    throttled = api.get(ME)

    assert refused == [401, 401, 401]
    _assert_throttled(throttled)
    assert api.get(ME, REMOTE_ADDR="10.0.0.9").status_code == 401  # per IP address


@_rates(anon="3/minute")
def test_wrong_tokens_count_against_the_anon_rate_and_a_real_token_still_works(api, member_a):
    _, token = services.api_token_create(user=member_a, name="Script")
    guesses = [api.get(ME, HTTP_AUTHORIZATION=f"Token {n:064x}").status_code for n in range(3)]
    throttled = api.get(ME, HTTP_AUTHORIZATION=f"Token {99:064x}")

    assert guesses == [401, 401, 401]
    _assert_throttled(throttled)
    # The owner of a real token, from the same address, is somebody: not counted as nobody.
    assert api.get(ME, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


@_rates(user="2/minute")
def test_the_count_starts_again_once_the_window_has_passed(api, member_a, clock):
    api_login(api, member_a)
    api.get(ME)
    api.get(ME)
    retry_after = _assert_throttled(api.get(ME))

    clock[0] += retry_after - 1
    _assert_throttled(api.get(ME))
    clock[0] += 2
    assert api.get(ME).status_code == 200


@_rates(user="1/minute", anon="1/minute")
def test_the_api_stays_up_when_the_counters_cache_cannot_be_reached(api, member_a):
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    api_login(api, member_a)

    with override_settings(CACHES={**settings.CACHES, "throttle": unreachable}):
        statuses = [api.get(ME).status_code for _ in range(3)]
        anonymous = [APIClient().get(ME).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert anonymous == [401, 401, 401]


# --- The rates are settings, read from the environment ----------------------------------------


def test_the_rates_default_to_60_anonymous_600_per_person_and_120_writes_a_minute_600_scim():
    rates = production_settings(names=["REST_FRAMEWORK"])["REST_FRAMEWORK"]

    assert rates["DEFAULT_THROTTLE_RATES"] == {
        "anon": "60/minute",
        "user": "600/minute",
        "write": "120/minute",
        "scim": "600/minute",
    }
    assert rates["NUM_PROXIES"] == 0


def test_the_rates_and_proxies_come_from_the_environment():
    configured = production_settings(
        names=["REST_FRAMEWORK"],
        API_THROTTLE_ANON="10/minute",
        API_THROTTLE_USER="5000/hour",
        API_THROTTLE_WRITE="2/second",
        API_THROTTLE_SCIM="100/minute",
        API_NUM_PROXIES="1",
    )["REST_FRAMEWORK"]

    assert configured["DEFAULT_THROTTLE_RATES"] == {
        "anon": "10/minute",
        "user": "5000/hour",
        "write": "2/second",
        "scim": "100/minute",
    }
    assert configured["NUM_PROXIES"] == 1


@pytest.mark.parametrize("value", ["60", "60/fortnight", "sixty/minute", "60 / minute", ""])
def test_a_rate_that_is_no_rate_stops_the_process_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("API_THROTTLE_USER", value)

    with pytest.raises(ImproperlyConfiguredEnv, match="^API_THROTTLE_USER=.* is not a rate"):
        env_rate("API_THROTTLE_USER")


def test_production_counts_in_redis_shared_by_every_web_process():
    caches_setting = production_settings(names=["CACHES"])["CACHES"]

    assert caches_setting["throttle"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
