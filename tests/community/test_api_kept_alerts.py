"""The alerts API's kept page (community.api.alerts.alert_items: the items made without
AlertSerializer) gives the bytes the serializer gives: people who acted on an alert named by
the one naming rule (a company person with no name is "Someone"), every reason and its label,
details of every kind of value, moments in the request's time zone. Compared with the same
call through the ORM's path (an ignored parameter) and with the serializer put back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import InternalRole
from community.api import alerts as alerts_api
from community.models import Alert, AlertReason
from community.selectors import alerts as alert_selectors
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.api_helpers import api_login

ALERTS = "/api/v1/alerts/"


@pytest.fixture
def alerts(db):
    """Open alerts of two accounts, one acknowledged by a nameless manager, one by a named
    one; details with nested, empty and null values; a resolved alert (not listed)."""
    account, other = AccountFactory(name="Acme"), AccountFactory(name="Beta")
    manager = internal(InternalRole.ACCOUNT_MANAGER, first_name="", last_name="")
    TeamAssignmentFactory(user=manager, account=account)
    named = internal(InternalRole.PROGRAMME_ADMIN, first_name="Ada", last_name="Lovelace")
    now = timezone.now()
    details = {"from_level": "participating", "to_level": None, "day": "2026-11-02", "x": [1]}
    for n, (acct, reason, by) in enumerate(
        [
            (account, AlertReason.LEVEL_DROPPED, manager),
            (account, AlertReason.SCORE_FELL, None),
            (other, AlertReason.SILENT_BEFORE_RENEWAL, named),
            (other, AlertReason.LEVEL_DROPPED, None),
        ]
    ):
        Alert.objects.create(
            account=acct,
            reason=reason,
            details={**details, "n": {"deep": n}} if n % 2 else {},
            raised_at=now - dt.timedelta(hours=n, microseconds=n),
            acknowledged_at=by and now,
            acknowledged_by=by,
        )
    Alert.objects.create(
        account=account,
        reason=AlertReason.SCORE_FELL,
        raised_at=now,
        resolved_at=now,
        resolved_by=named,
        resolution="person",
        resolution_note="Called",
    )
    return manager, named


def _answers(api, user, params: dict) -> tuple[int, bytes]:
    api_login(api, user)
    response = api.get(ALERTS, params)
    return response.status_code, response.content


def test_a_kept_page_of_alerts_is_the_serializers(api, alerts, monkeypatch):
    made = []
    items = alerts_api.alert_items
    monkeypatch.setattr(alerts_api, "alert_items", lambda *a, **k: made.append(1) or items(*a, **k))
    pages = [{}, {"page_size": 1}, {"page_size": 1, "page": 2}, {"page_size": 25}]
    for user in alerts:
        for params in pages:
            kept = _answers(api, user, params)
            assert kept[0] == 200
            built = _answers(api, user, {**params, "orm": "1"})
            assert kept == (built[0], built[1].replace(b"orm=1&", b"").replace(b"?orm=1", b""))
            with monkeypatch.context() as patched:  # the serializer put back on the kept path
                patched.setattr(alerts_api.AlertViewSet, "kept_rows", _model_rows)
                patched.setattr(alerts_api.AlertViewSet, "kept_data", _serialized)
                assert _answers(api, user, params) == kept
    assert len(made) == len(alerts) * len(pages)  # the kept calls, and no other
    api_login(api, alerts[1])
    acted = [row["acknowledged_by"] for row in api.get(ALERTS).json()["results"]]
    assert [person and person["name"] for person in acted] == [
        "Someone",
        None,
        "Ada Lovelace",
        None,
    ]


def _model_rows(self):
    """The kept page as model instances with their figures (before it was read as values)."""
    return alert_selectors.open_alert_rows(user=self.request.user)


def _serialized(self, page):
    return self.get_serializer(page, many=True).data


def test_a_kept_page_of_alerts_makes_no_model_instance(api, alerts, monkeypatch):
    made = []
    from_db = Alert.from_db.__func__
    monkeypatch.setattr(Alert, "from_db", classmethod(lambda *a: made.append(1) or from_db(*a)))
    manager, named = alerts
    for user, listed in ((manager, 2), (named, 4)):  # their team's account's; every account's
        api_login(api, user)
        assert len(api.get(ALERTS, {"page_size": 25}).json()["results"]) == listed
    assert made == []  # read as values (community.selectors.alert_rows)
    api.get(ALERTS, {"page_size": 25, "orm": "1"})
    assert len(made) == 4  # the ORM's path, for comparison
