"""How often the API may be called: DRF's throttling, answering 429 with `Retry-After` in the
API's one error format (config.api's exception handler).

Four rates (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, read from the environment by settings):

- "user": every call of a signed-in caller (token or session), per person;
- "write": POST, PUT, PATCH and DELETE of a signed-in caller, per person, on top of "user";
- "scim": every call of an account's SCIM token (provisioning by its identity provider), per
  token;
- "anon": calls of a caller who is nobody (no credentials, or credentials that fail), per IP
  address (behind API_NUM_PROXIES proxies).

DRF checks throttles only after authentication and permissions, so an anonymous caller, who is
refused with 401 by IsAuthenticated, would never meet the "anon" rate
(encode/django-rest-framework#5234). So anonymous calls are counted before that refusal:
by `AnonymousCallsThrottled`, the first of DEFAULT_PERMISSION_CLASSES (as DRF's maintainers
suggest), and, for a token that fails (which DRF refuses while authenticating, before any
permission), by the token authentication (accounts.api.authentication).

Counts live in the "throttle" cache (Redis, shared by every web process, when REDIS_URL is
set). In Redis a caller's window is a sorted set of their calls' times, checked and added to by
one Lua script (`_WINDOW_SCRIPT`): one round trip per throttle, atomic across web processes,
where DRF's own way (read the list of times, write it back) costs two and lets two processes
count one call. Other caches (this process's, in development and tests without Redis) keep
DRF's way. The two answer alike: the same window, the same refusals, the same Retry-After.
When the cache cannot be reached, calls are let through and the failure logged: an outage of
the counter must not take the API down. Rates are read when a request is checked,
so `override_settings` changes them in tests.
"""

from __future__ import annotations

import ipaddress
import logging
import uuid

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from redis.exceptions import RedisError
from rest_framework.exceptions import Throttled
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger(__name__)

THROTTLE_CACHE = "throttle"


def client_address(request) -> str | None:
    """The client's IP address, as the "anon" rate counts it: the connection's address, or the
    one X-Forwarded-For gives behind API_NUM_PROXIES proxies (DRF's `get_ident`). None when that
    is no IP address (a proxy's header that is not one)."""
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(ident.strip()))
    except (AttributeError, ValueError):
        return None


# KEYS[1]: the caller's window; ARGV: now, the window's length (s), the rate's number of calls,
# a name for this call. Forgets the calls older than the window (as DRF's throttle does); past
# the rate, answers {0, calls in the window, the oldest one's time} and records nothing; else
# records this call and answers {1, calls in the window, 0}. A time goes out as Redis's string
# of the score: a Lua number would be cut to a whole number.
_WINDOW_SCRIPT = """
local key, now, duration = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - duration)
local count = redis.call('ZCARD', key)
if count >= tonumber(ARGV[3]) then
  return {0, count, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, math.ceil(duration))
return {1, count + 1, 0}
"""


# The window script of each Redis connection pool, with a client of its own: Django's cache
# makes a new client per call (redis-py fills ~170 reply parsers in each), and a new script
# object hashes the script again; both cost more than the round trip.
_scripts: dict[int, tuple[object, Script]] = {}


def _window_script(cache: RedisCache, key: str) -> Script:
    # Django's cache keeps no sorted sets: its client (a private attribute) reaches Redis.
    pool = cache._cache._get_connection_pool(True)  # what get_client(key, write=True) uses
    found = _scripts.get(id(pool))
    if found is None or found[0] is not pool:
        client = cache._cache._client(connection_pool=pool)
        found = _scripts[id(pool)] = (pool, client.register_script(_WINDOW_SCRIPT))
    return found[1]


class _Throttle(SimpleRateThrottle):
    """A DRF rate throttle whose rate is read at each check and whose counts are in the
    "throttle" cache; it lets a call through when that cache is down."""

    # (calls in the window, the oldest one's time) as the Redis script saw them; None when the
    # counts are DRF's list of times (`history`).
    _window: tuple[int, float] | None = None

    @property
    def cache(self):
        return caches[THROTTLE_CACHE]

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view) -> bool:
        try:
            cache = self.cache
            if isinstance(cache, RedisCache):
                return self._allow_in_redis(cache, request, view)
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("API throttling skipped: its cache cannot be reached", exc_info=True)
            return True

    def _allow_in_redis(self, cache: RedisCache, request, view) -> bool:
        """DRF's check of the rate, in one round trip to Redis."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        allowed, count, oldest = _window_script(cache, self.key)(
            keys=[cache.make_and_validate_key(self.key)],
            args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex],
        )
        self._window = (int(count), float(oldest))
        return bool(allowed)

    def wait(self) -> float | None:
        """Seconds until a call may be made again, as DRF's `wait` reckons it."""
        if self._window is None:
            return super().wait()
        count, oldest = self._window
        available = self.num_requests - count + 1
        if available <= 0:
            return None
        return (self.duration - (self.now - oldest)) / available


class UserThrottle(_Throttle):
    """Every call of a signed-in caller, counted per person."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None  # anonymous callers are counted by AnonymousCallsThrottled
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class WriteThrottle(UserThrottle):
    """The writes (POST, PUT, PATCH, DELETE) of a signed-in caller, counted per person."""

    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class AnonymousThrottle(_Throttle):
    """Calls by nobody, counted per IP address. Never reads `request.user`, so it may run while
    the request is being authenticated."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ScimThrottle(_Throttle):
    """SCIM provisioning (accounts/api/scim.py): every call of an account's SCIM token, counted
    per token (its caller is no person), at the "scim" rate."""

    scope = "scim"

    def get_cache_key(self, request, view) -> str | None:
        token = getattr(request, "auth", None)
        if token is None:
            return None  # refused before any throttle; counted by anonymous_call_count
        return self.cache_format % {"scope": self.scope, "ident": f"token-{token.pk}"}


def anonymous_call_count(request) -> None:
    """Count a call by nobody; raise Throttled (429, Retry-After) past the "anon" rate."""
    throttle = AnonymousThrottle()
    if not throttle.allow_request(request, None):
        raise Throttled(wait=throttle.wait())


class AnonymousCallsThrottled(BasePermission):
    """First of DEFAULT_PERMISSION_CLASSES: permits everything, but counts a call by nobody
    against the "anon" rate before IsAuthenticated refuses it."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            anonymous_call_count(request)
        return True
