"""/alerts/: the account team's inbox. Account-team members see their accounts' alerts,
product managers and programme admins all; customers get 403. Acknowledging and resolving
(with a required note) is for the account's team and programme admins."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from community.models import ActivityKind, Alert, AlertReason, NotificationPreference
from community.services import alerts
from community.services.engagement import activity_record, offline_event_record
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer
from tests.api_helpers import api_login
from tests.community.factories import EngagementSnapshotFactory
from tests.frame_nav import nav_count

URL = "/alerts/"


def _alert(account, reason=AlertReason.LEVEL_DROPPED, **fields) -> Alert:
    details = {"day": "2026-06-30", "from_level": "participating", "to_level": "observing"}
    return Alert.objects.create(account=account, reason=reason, details=details, **fields)


def _accounts(response) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.content.decode()
    )


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- Who sees what ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    assert client.get(URL)["Location"] == "/login/?next=/alerts/"


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
@pytest.mark.parametrize("export", [{}, {"export": "csv"}])
def test_customers_have_no_alerts(request, client_for, persona, export, account_a):
    _alert(account_a)

    response = client_for(request.getfixturevalue(persona)).get(URL, export)

    assert response.status_code == 403
    assert b"Acme" not in response.content


def test_an_account_manager_sees_only_the_alerts_of_their_accounts(
    client_for, account_manager_a, account_a, account_b
):
    _alert(account_a)
    _alert(account_b)

    response = client_for(account_manager_a).get(URL)

    assert response.status_code == 200
    assert _accounts(response) == ["Acme Industrial"]
    assert b"Globex" not in response.content
    assert nav_count(response.content, "Alerts") == 1


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_see_every_alert(
    request, client_for, persona, account_a, account_b
):
    _alert(account_a)
    _alert(account_b)

    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert sorted(_accounts(response)) == ["Acme Industrial", "Globex Logistics"]
    assert nav_count(response.content, "Alerts") == 2


# --- Filters and export ----------------------------------------------------------------------


def test_it_lists_open_alerts_by_default_and_filters_by_state_reason_and_account(
    client_for, programme_admin, account_a, account_b
):
    _alert(account_a, AlertReason.SCORE_FELL)
    _alert(account_b, AlertReason.LEVEL_DROPPED, acknowledged_at=timezone.now())
    _alert(
        account_b,
        AlertReason.SCORE_FELL,
        resolved_at=timezone.now(),
        resolution_note="Workshop booked.",
        resolution="person",
    )
    client = client_for(programme_admin)

    assert len(_accounts(client.get(URL))) == 2
    assert _accounts(client.get(URL, {"state": "resolved"})) == ["Globex Logistics"]
    assert _accounts(client.get(URL, {"state": "new"})) == ["Acme Industrial"]
    assert _accounts(client.get(URL, {"state": "acknowledged"})) == ["Globex Logistics"]
    assert len(_accounts(client.get(URL, {"state": "all"}))) == 3
    assert _accounts(client.get(URL, {"reason": "score_fell"})) == ["Acme Industrial"]
    assert _accounts(client.get(URL, {"account": "globex"})) == ["Globex Logistics"]
    assert _accounts(client.get(URL, {"q": "acme ind"})) == ["Acme Industrial"]  # by name
    assert _accounts(client.get(URL, {"q": "globex"})) == ["Globex Logistics"]  # or slug


def test_a_bad_filter_is_a_clear_form_error(client_for, programme_admin):
    response = client_for(programme_admin).get(URL, {"reason": "bored"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_csv_export_has_the_filtered_alerts(
    client_for, account_manager_a, account_a, account_b
):
    _alert(account_a, AlertReason.SCORE_FELL)
    _alert(account_a, AlertReason.LEVEL_DROPPED)
    _alert(account_b)

    response = client_for(account_manager_a).get(URL, {"reason": "score_fell", "export": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    assert [(r["account_slug"], r["reason"], r["state"]) for r in rows] == [
        ("acme", "score_fell", "new")
    ]


def test_the_inbox_takes_the_same_queries_for_few_and_many_alerts(
    client_for, account_manager_a, account_a, django_assert_num_queries
):
    client = client_for(account_manager_a)
    _alert(account_a)
    for count in (1, 12):
        for account in AccountFactory.create_batch(count):
            TeamAssignmentFactory(user=account_manager_a, account=account)
            _alert(
                account,
                AlertReason.SCORE_FELL,
                acknowledged_by=account_manager_a,
                acknowledged_at=timezone.now(),
            )
        # session; user with membership (none: internal); permissions, own and groups' (does the
        # user see all accounts?); the page's count; the header's counts (open alerts,
        # flagged posts and unread notifications, one query); the page's alerts with their
        # accounts, the people who acted and the figures of whether each still holds
        # (subqueries of the same query); the user's email choice (digest or not)
        with django_assert_num_queries(7):
            assert client.get(URL).status_code == 200


# --- Whether each alert still holds ----------------------------------------------------------


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def _history(account, *levels_since: tuple[int, str, int]) -> None:
    """Snapshots (days ago, level, level since days ago), as the engine leaves them."""
    for days_ago, level, since in levels_since:
        EngagementSnapshotFactory(
            account=account, day=_day(days_ago), level=level, level_since=_day(since), score=30
        )


@pytest.fixture
def two_drops(account_a, account_b):
    """Both dropped from Participating to Observing 5 days ago (alerts raised then); Acme is
    back at Participating since yesterday, and the engine has not run since."""
    for account in (account_a, account_b):
        account.renewal_date = None
        account.save()
        _history(account, (6, "participating", 30), (5, "observing", 5))
    alerts.alerts_raise(account_ids=[account_a.pk, account_b.pk], day=_day(5))
    _history(account_a, (1, "participating", 1))
    _history(account_b, (1, "observing", 5))


def test_the_inbox_says_whether_each_open_alert_still_holds(client_for, programme_admin, two_drops):
    page = client_for(programme_admin).get(URL).content.decode()

    def cell(slug):
        row = re.search(
            rf'<tr id="alert-(\d+)">\s*<th scope="row"><a href="/accounts/{slug}/.*?</tr>',
            page,
            re.S,
        )
        return re.search(r"<td data-holds=.*?</td>", row.group(0), re.S).group(0)

    since_yesterday = date_format(_day(1), "j M Y")
    assert cell("acme") == (
        '<td data-holds="no"><mark>No longer true</mark><br>'
        f"<small>Back at Participating since {since_yesterday}</small></td>"
    )
    assert cell("globex") == (
        '<td data-holds="yes"><strong>Still true</strong><br>'
        f"<small>Observing since {date_format(_day(5), 'j M Y')}</small></td>"
    )


def test_the_csv_says_whether_each_alert_still_holds_and_how_it_was_resolved(
    client_for, programme_admin, account_a, two_drops
):
    client = client_for(programme_admin)
    before = {r["account_slug"]: r for r in _csv(client.get(URL, {"export": "csv"}))}
    alerts.alerts_raise(account_ids=[account_a.pk], day=timezone.localdate())  # the next run
    after = {r["account_slug"]: r for r in _csv(client.get(URL, {"state": "all", "export": "csv"}))}

    assert (before["acme"]["still_true"], before["globex"]["still_true"]) == ("no", "yes")
    assert before["acme"]["still_true_note"].startswith("Back at Participating since ")
    assert (after["acme"]["state"], after["acme"]["resolution"]) == ("resolved", "no_longer_true")
    assert after["acme"]["resolution_note"] == before["acme"]["still_true_note"]
    assert after["acme"]["still_true"] == ""
    resolved = client.get(URL, {"state": "resolved"}).content.decode()
    assert "No longer true, resolved automatically on " in resolved
    assert f"No longer true: {before['acme']['still_true_note']}" in resolved


def test_the_inbox_and_the_portfolio_say_the_same_of_an_accounts_level_and_last_activity(
    client_for, programme_admin, account_b, two_drops
):
    """Globex also went silent before its renewal (its last event 40 days ago), and then an
    offline event 35 days back was recorded late: "silent since" moves with the portfolio's
    last activity; the drop alerts speak of the levels the portfolio shows."""
    account_b.renewal_date = timezone.localdate() + dt.timedelta(days=60)
    account_b.save()
    activity_record(
        account=account_b,
        user=customer(account_b),
        kind=ActivityKind.VISIT,
        occurred_at=timezone.now() - dt.timedelta(days=40),
    )
    alerts.alerts_raise(account_ids=[account_b.pk], day=timezone.localdate())
    offline_event_record(account=account_b, kind="referral", occurred_on=_day(35), recorded_by=None)
    client = client_for(programme_admin)

    portfolio = {r["slug"]: r for r in _csv(client.get("/portfolio/", {"export": "csv"}))}
    inbox = {(r["account_slug"], r["reason"]): r for r in _csv(client.get(URL, {"export": "csv"}))}

    assert portfolio["acme"]["level"] == "participating"
    acme_drop = inbox["acme", AlertReason.LEVEL_DROPPED]
    assert acme_drop["still_true"] == "no"
    assert acme_drop["still_true_note"].startswith("Back at Participating since ")
    assert portfolio["globex"]["level"] == "observing"
    globex_drop = inbox["globex", AlertReason.LEVEL_DROPPED]
    assert globex_drop["still_true"] == "yes"
    assert globex_drop["still_true_note"].startswith("Observing since ")
    last = dt.datetime.fromisoformat(portfolio["globex"]["last_customer_activity"])
    last_day = date_format(timezone.localdate(last), "j M Y")
    assert last_day == date_format(_day(35), "j M Y")  # the late offline event
    silent = inbox["globex", AlertReason.SILENT_BEFORE_RENEWAL]
    assert silent["summary"].startswith(f"No customer activity since {last_day} ")
    assert silent["still_true_note"] == f"Silent since {last_day}"


# --- Acknowledge and resolve -----------------------------------------------------------------


def test_the_account_manager_acknowledges_an_alert(client_for, account_manager_a, account_a):
    alert = _alert(account_a)

    response = client_for(account_manager_a).post(
        f"/alerts/{alert.pk}/acknowledge/", {"next_query": "reason=level_dropped"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/alerts/?reason=level_dropped"
    alert.refresh_from_db()
    assert alert.acknowledged_by == account_manager_a
    assert alert.acknowledged_at is not None
    assert alert.resolved_at is None


def test_the_account_manager_resolves_an_alert_with_a_note(
    client_for, account_manager_a, account_a
):
    alert = _alert(account_a)
    client = client_for(account_manager_a)

    assert "What was done about it" in client.get(f"/alerts/{alert.pk}/resolve/").content.decode()
    response = client.post(f"/alerts/{alert.pk}/resolve/", {"note": "  Exec call booked.  "})

    assert response.status_code == 302
    assert response["Location"] == "/alerts/"
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.resolution_note) == (account_manager_a, "Exec call booked.")
    assert alert.acknowledged_by == account_manager_a  # resolving acknowledges too
    assert nav_count(client.get(URL).content, "Alerts") == 0


@pytest.mark.parametrize("note", ["", "   "])
def test_resolving_without_a_note_is_a_clear_form_error(
    client_for, account_manager_a, account_a, note
):
    alert = _alert(account_a)

    response = client_for(account_manager_a).post(f"/alerts/{alert.pk}/resolve/", {"note": note})

    assert response.status_code == 400
    assert 'id="id_note_errors"' in response.content.decode()
    alert.refresh_from_db()
    assert alert.resolved_at is None and alert.resolution_note == ""


def test_an_alert_cannot_be_resolved_twice(client_for, account_manager_a, account_a):
    alert = _alert(account_a)
    alerts.alert_resolve(alert=alert, user=account_manager_a, note="First.")

    response = client_for(account_manager_a).post(f"/alerts/{alert.pk}/resolve/", {"note": "Again"})

    assert response.status_code == 400
    assert "already resolved" in response.content.decode()
    alert.refresh_from_db()
    assert alert.resolution_note == "First."


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_an_account_manager_cannot_act_on_another_accounts_alert(
    client_for, account_manager_a, account_b, action
):
    alert = _alert(account_b)

    response = client_for(account_manager_a).post(f"/alerts/{alert.pk}/{action}/", {"note": "x"})

    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.resolved_at is None


@pytest.mark.parametrize(
    ("persona", "status"), [("member_a", 403), ("member_b", 403), ("product_manager", 403)]
)
@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_customers_and_read_only_roles_cannot_act_on_alerts(
    request, client_for, account_a, persona, status, action
):
    alert = _alert(account_a)

    response = client_for(request.getfixturevalue(persona)).post(
        f"/alerts/{alert.pk}/{action}/", {"note": "x"}
    )

    assert response.status_code == status
    alert.refresh_from_db()
    assert alert.acknowledged_at is None and alert.resolved_at is None


def test_a_programme_admin_may_act_on_any_alert(client_for, programme_admin, account_b):
    alert = _alert(account_b)

    client_for(programme_admin).post(f"/alerts/{alert.pk}/resolve/", {"note": "Handled."})

    alert.refresh_from_db()
    assert alert.resolved_by == programme_admin


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_anonymous_visitors_cannot_act(client, account_a, action):
    alert = _alert(account_a)

    response = client.post(f"/alerts/{alert.pk}/{action}/", {"note": "x"})

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


# --- The portfolio's open alerts column ------------------------------------------------------


def test_the_portfolio_counts_each_accounts_open_alerts(client_for, programme_admin, account_a):
    _alert(account_a, AlertReason.SCORE_FELL)
    _alert(account_a, AlertReason.LEVEL_DROPPED)
    _alert(
        account_a,
        AlertReason.SILENT_BEFORE_RENEWAL,
        resolved_at=timezone.now(),
        resolution_note="ok",
        resolution="person",
    )

    html = client_for(programme_admin).get("/portfolio/").content.decode()

    assert '<a href="/alerts/?account=acme">2</a>' in html


# --- How new alerts are emailed --------------------------------------------------------------


def test_an_account_manager_switches_to_the_daily_digest_and_back(client_for, account_manager_a):
    client = client_for(account_manager_a)

    response = client.post("/alerts/email/", {"daily_digest": "on", "next_query": "state=all"})

    assert response.status_code == 302
    assert response["Location"] == "/alerts/?state=all"
    assert _alert_delivery(account_manager_a) == "daily"
    assert 'name="daily_digest" role="switch" checked' in client.get(URL).content.decode()

    client.post("/alerts/email/", {})

    assert _alert_delivery(account_manager_a) == "immediately"
    assert 'name="daily_digest" role="switch">' in client.get(URL).content.decode()


def _alert_delivery(user) -> str:
    return NotificationPreference.objects.get(user=user, kind="engagement_alert").delivery


def test_the_inbox_switch_and_the_settings_page_are_one_stored_choice(
    client_for, account_manager_a
):
    client = client_for(account_manager_a)

    client.post("/alerts/email/", {"daily_digest": "on"})  # on in the inbox ...
    assert _settings_form(client)["engagement_alert"] == "daily"  # ... is daily on the page

    client.post(SETTINGS, {**_settings_form(client), "engagement_alert": "immediately"})
    assert 'role="switch" checked' not in client.get(URL).content.decode()  # off in the inbox

    client.post(SETTINGS, {**_settings_form(client), "engagement_alert": "daily"})
    assert 'role="switch" checked' in client.get(URL).content.decode()  # on again

    client.post("/alerts/email/", {})  # off in the inbox ...
    assert _settings_form(client)["engagement_alert"] == "immediately"  # ... and on the page
    assert list(
        NotificationPreference.objects.filter(kind="engagement_alert").values_list(
            "user__email", "delivery"
        )
    ) == [(account_manager_a.email, "immediately")]


def test_the_api_sets_the_same_alert_digest_choice_as_the_inbox(api, client_for, account_manager_a):
    api_login(api, account_manager_a)
    url = "/api/v1/notification-preferences/engagement_alert/"

    response = api.put(url, {"delivery": "daily"}, format="json")

    assert response.status_code == 200
    assert 'role="switch" checked' in client_for(account_manager_a).get(URL).content.decode()
    client_for(account_manager_a).post("/alerts/email/", {})
    assert api.get(url).json()["delivery"] == "immediately"


SETTINGS = "/notifications/settings/"


def _settings_form(client) -> dict[str, str]:
    """The notification settings form as the page shows it (every kind, its delivery)."""
    form = client.get(SETTINGS).context["form"]
    return {name: form[name].value() for name in form.fields}


@pytest.mark.parametrize("persona", ["member_a", "member_b"])
def test_customers_have_no_alert_email_choice(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).post(
        "/alerts/email/", {"daily_digest": "on"}
    )

    assert response.status_code == 403
    assert not NotificationPreference.objects.exists()


def test_anonymous_visitors_have_no_alert_email_choice(client, db):
    response = client.post("/alerts/email/", {"daily_digest": "on"})

    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not NotificationPreference.objects.exists()
