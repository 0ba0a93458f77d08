"""Analytics reads on a read replica (config/db_router.py), against a real streaming replica.

The test starts its own primary and a standby made from it with `pg_basebackup -R`
(tests/pg_streaming.py), points Django's "default" and "replica" at them, and then reads the
portfolio, its CSV export, the insights page and its API as a programme admin: a row written on
the primary is read back from the replica. With the replica's replay paused it lags, and with the
replica stopped it does not answer: the same pages then answer from the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections, router

from accounts.models import Account, InternalRole
from config.db_router import (
    REPLICA,
    analytics_reads,
    replica_health,
    replica_health_forget,
)
from tests.accounts.factories import AccountFactory, internal
from tests.celery_workers import _database_url
from tests.pg_streaming import DATABASE, StreamingPair, streaming_pair

PAGES = ["/portfolio/", "/portfolio/?export=csv", "/insights/", "/api/v1/insights/outcome-rates/"]


def _wait_for(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@contextmanager
def _django_on(pair: StreamingPair) -> Iterator[None]:
    """Django's "default" on the pair's primary and "replica" on its standby, then back."""
    saved = {alias: connections.settings.get(alias) for alias in ("default", REPLICA)}
    base = {**connections.settings["default"], "NAME": DATABASE, "HOST": "127.0.0.1"}

    def _drop(alias: str) -> None:
        if alias in connections.settings:
            connections[alias].close()
            try:
                del connections[alias]
            except AttributeError:  # never opened in this thread
                pass

    for alias in saved:
        _drop(alias)
    connections.settings["default"] = {**base, "PORT": str(pair.primary_port)}
    connections.settings[REPLICA] = {
        **base,
        "PORT": str(pair.replica_port),
        "OPTIONS": {"connect_timeout": 2},
    }
    replica_health_forget()
    try:
        yield
    finally:
        for alias in saved:
            _drop(alias)
        for alias, value in saved.items():
            if value is None:
                connections.settings.pop(alias, None)
            else:
                connections.settings[alias] = value
        replica_health_forget()


def _get(client, url: str):
    """The page's response and the queries each database ran for it (a CSV is read whole).
    Recorded by execute wrappers, which (unlike CaptureQueriesContext) do not connect."""
    primary: list[str] = []
    replica: list[str] = []
    with (
        connections["default"].execute_wrapper(_recorder(primary)),
        connections[REPLICA].execute_wrapper(_recorder(replica)),
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    # The replica's health check is not a read of the page's.
    replica_reads = [sql for sql in replica if "pg_last_wal_replay_lsn" not in sql]
    return response.status_code, body.decode(), primary, replica_reads


def _recorder(log: list[str]):
    def record(execute, sql, params, many, context):
        log.append(sql)
        return execute(sql, params, many, context)

    return record


# A read of the accounts themselves; the session's person, read with their membership and its
# account (a join, accounts.permission_backend), always comes from the primary.
ACCOUNTS_READ = 'FROM "accounts_account"'


def _served_by(alias: str, client, pages=PAGES) -> None:
    other = "default" if alias == REPLICA else REPLICA
    for url in pages:
        status, _, primary, replica = _get(client, url)
        reads = {"default": primary, REPLICA: replica}
        assert status == 200, url
        assert any(ACCOUNTS_READ in sql for sql in reads[alias]), (url, reads)
        assert not any(ACCOUNTS_READ in sql for sql in reads[other]), (url, reads[other])


@pytest.mark.needs_postgres
def test_analytics_reads_go_to_a_real_replica_and_to_the_primary_when_it_lags_or_stops(
    django_db_setup, django_db_blocker, client, settings
):
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0  # every read checks: the test changes it
    with django_db_blocker.unblock():
        schema = _database_url()  # the test database: migrated, as the primary must be
        with streaming_pair(schema_from=schema) as pair, _django_on(pair):
            admin = internal(InternalRole.PROGRAMME_ADMIN, email="ada@garden.example")
            AccountFactory(name="Replicated Industries")
            client.force_login(admin)

            # Written on the primary, streamed to the replica.
            assert _wait_for(
                lambda: Account.objects.using(REPLICA).filter(name="Replicated Industries").exists()
            ), "the row did not reach the replica"
            with analytics_reads():
                alias = router.db_for_read(Account)
                with connections[alias].cursor() as cursor:
                    cursor.execute("SELECT pg_is_in_recovery()")
                    assert cursor.fetchone() == (True,)  # the standby answers analytics reads
            assert alias == REPLICA
            assert router.db_for_read(Account) == "default"  # outside analytics_reads()
            _served_by(REPLICA, client)
            status, body, _, _ = _get(client, "/portfolio/?export=csv")
            assert "Replicated Industries" in body

            # Replay paused: the replica falls behind the primary, and is left alone.
            settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1
            pair.sql(pair.replica_port, "SELECT pg_wal_replay_pause()")
            AccountFactory(name="Written While Lagging")
            assert _wait_for(lambda: not replica_health().usable), replica_health()
            assert replica_health().reason.startswith("lagging")
            _served_by("default", client)
            assert "Written While Lagging" in _get(client, "/portfolio/")[1]
            pair.sql(pair.replica_port, "SELECT pg_wal_replay_resume()")
            assert _wait_for(lambda: replica_health().usable), replica_health()

            # Stopped: every page still answers, from the primary.
            pair.stop_replica()
            _served_by("default", client)
            assert "Written While Lagging" in _get(client, "/portfolio/")[1]
            assert replica_health().reason.startswith("unreachable")


@pytest.mark.django_db
def test_without_a_replica_analytics_reads_go_to_the_primary():
    assert REPLICA not in connections.settings  # config/settings/test.py: never in tests
    with analytics_reads():
        assert router.db_for_read(Account) == "default"
    assert replica_health(fresh=True).reason == "not configured"
    assert router.db_for_write(Account) == "default"
    assert connection.alias == "default"
