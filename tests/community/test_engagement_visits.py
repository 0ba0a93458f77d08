"""Visits: a customer who opens the product's pages records one visit a day (site time zone),
through community.middleware.VisitMiddleware and community.services.engagement.visit_record. The
day is remembered in the session, so the pages after the first cost no query; the service locks the
person's membership row, so two requests at the same moment record one visit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.middleware import VISIT_DAY_SESSION_KEY, _is_page_view
from community.models import ActivityEvent, ActivityKind
from community.services.engagement import visit_record
from tests.db_locks import someone_waits_for_a_lock


def _visits():
    return ActivityEvent.objects.filter(kind=ActivityKind.VISIT)


def _visit_queries(context: CaptureQueriesContext) -> list[str]:
    """The queries a request made for the visit: the lock, the check, the insert, the session."""
    return [
        q["sql"]
        for q in context.captured_queries
        if "community_activityevent" in q["sql"]
        or q["sql"].startswith('SELECT "accounts_membership"."id" AS "pk"')  # the lock
        or q["sql"].startswith('UPDATE "django_session"')
    ]


# --- Through pages ---------------------------------------------------------------------------


def test_two_pages_on_one_day_record_one_visit(client_for, member_a, account_a):
    client = client_for(member_a)

    assert client.get("/").status_code == 200
    assert client.get("/gardens/").status_code == 200

    visit = _visits().get()
    assert (visit.account, visit.user, visit.is_support) == (account_a, member_a, False)
    assert timezone.localtime(visit.occurred_at).date() == timezone.localdate()
    assert client.session[VISIT_DAY_SESSION_KEY] == timezone.localdate().isoformat()


def test_the_second_page_of_the_day_costs_no_query_for_the_visit(client_for, member_a):
    client = client_for(member_a)

    with CaptureQueriesContext(connection) as first:
        client.get("/")
    with CaptureQueriesContext(connection) as second:
        client.get("/")

    # The first page: lock the membership row, look for a visit of today, record one, save
    # the day in the session. The second: none of these (the session knows the day).
    assert len(_visit_queries(first)) == 4
    assert _visit_queries(second) == []


def test_the_next_day_records_a_second_visit(client_for, member_a, monkeypatch):
    client = client_for(member_a)
    client.get("/")
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)

    client.get("/")
    client.get("/")

    days = sorted(timezone.localtime(v.occurred_at).date() for v in _visits())
    assert days == [tomorrow.date() - dt.timedelta(days=1), tomorrow.date()]


def test_a_second_browser_on_the_same_day_records_no_second_visit(client, member_a):
    client.force_login(member_a)
    other = Client()
    other.force_login(member_a)

    client.get("/")
    other.get("/")  # its session does not know: the service finds today's visit

    assert _visits().count() == 1
    assert other.session[VISIT_DAY_SESSION_KEY] == timezone.localdate().isoformat()


@pytest.mark.parametrize("persona", ["account_manager_a", "product_manager", "programme_admin"])
def test_internal_users_record_no_visit(request, client_for, persona, account_a):
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/").status_code == 200
    assert client.get("/accounts/acme/").status_code == 200

    assert not ActivityEvent.objects.exists()


def test_anonymous_visitors_record_nothing(client, account_a):
    client.get("/")
    client.get("/login/")

    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/me/", {}),  # the API, as JSON
        ("/api/v1/me/", {"HTTP_ACCEPT": "text/html"}),  # and as DRF's browsable HTML
        ("/api/docs/", {}),
        ("/healthz/", {}),
        ("/static/css/garden.css", {}),
        ("/gardens/", {"HTTP_HX_REQUEST": "true"}),  # a fragment of a page already open
        ("/no-such-page/", {}),  # 404
    ],
)
def test_what_is_not_a_page_records_no_visit(client_for, member_a, path, headers):
    client_for(member_a).get(path, **headers)

    assert not _visits().exists()


def test_a_form_post_records_no_visit(client_for, member_a):
    client_for(member_a).post("/notifications/read-all/")

    assert not _visits().exists()


@pytest.mark.parametrize(
    ("response", "counts"),
    [
        (HttpResponse("<p>page</p>"), True),
        (HttpResponse("a,b\n", content_type="text/csv"), False),  # an export
        (StreamingHttpResponse(iter(["<p>"]), content_type="text/html"), False),
        (HttpResponse("<p>moved</p>", status=302), False),
    ],
)
def test_only_a_rendered_html_page_counts(rf, member_a, response, counts):
    request = rf.get("/")
    request.user = member_a

    assert _is_page_view(request, response) is counts


# --- The service -----------------------------------------------------------------------------


def test_the_service_records_nothing_for_someone_who_is_not_a_member(
    account_a, account_b, member_b, account_manager_a
):
    assert visit_record(user=member_b, account=account_a) is None
    assert visit_record(user=account_manager_a, account=account_a) is None

    assert not ActivityEvent.objects.exists()


def test_a_visit_of_yesterday_does_not_count_for_today(account_a, member_a):
    ActivityEvent.objects.create(
        account=account_a,
        user=member_a,
        kind=ActivityKind.VISIT,
        occurred_at=timezone.now() - dt.timedelta(days=1),
    )

    assert visit_record(user=member_a, account=account_a) is not None
    assert visit_record(user=member_a, account=account_a) is None
    assert _visits().count() == 2


# --- Two requests at the same moment (PostgreSQL) --------------------------------------------


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_record_one_visit(account_a, member_a):
    recorded: dict[str, object] = {}

    def the_other_tab() -> None:
        try:
            recorded["other"] = visit_record(user=member_a, account=account_a)
        finally:
            connections.close_all()

    with transaction.atomic():
        recorded["first"] = visit_record(user=member_a, account=account_a)
        other = threading.Thread(target=the_other_tab)
        other.start()
        assert someone_waits_for_a_lock()  # on the membership row the first visit locked
    other.join(timeout=10)

    assert recorded["first"] is not None
    assert recorded["other"] is None
    assert _visits().count() == 1
