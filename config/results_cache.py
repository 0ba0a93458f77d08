"""Results computed from many rows, remembered between requests and shared by every process:
the "results" cache (Redis when REDIS_URL is set; else files under var/cache/results, which the
demo's web server, worker and scheduler on one machine share).

A result is remembered under a key that names exactly the rows it was computed from (for
example community.selectors.loyalty's fingerprints), so it is never stale: changed rows are a
new key, and the old entry just expires. When the cache cannot be reached the result is computed
as if nothing were remembered, and the failure logged: an outage of the cache must not take a
page down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from redis.exceptions import RedisError

RESULTS_CACHE = "results"

logger = logging.getLogger(__name__)

T = TypeVar("T")


def remembered(key: str, compute: Callable[[], T], *, seconds: int) -> T:
    """The result remembered under `key`, or `compute()`'s, then remembered for `seconds`."""
    cache = caches[RESULTS_CACHE]
    try:
        found = cache.get(key)
    except (RedisError, OSError):
        logger.warning("Results cache cannot be reached: computing %s", key, exc_info=True)
        return compute()
    if found is not None:
        return found
    found = compute()
    try:
        cache.set(key, found, seconds)
    except (RedisError, OSError):
        logger.warning("Results cache cannot be reached: %s not remembered", key, exc_info=True)
    return found
