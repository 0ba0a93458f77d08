"""The API's unfiltered list of alerts (an active internal user's open alerts, with their figures
as of today: community.selectors.alerts.open_alert_rows) as plain values instead of model
instances: making 13 alerts with their account, two people and nine figures cost more Python than
reading them. `AlertValues` is an alert as `alert_status` and the API's items read it: the same
attributes, the same values (the ORM's converters of the same columns).
"""

from __future__ import annotations

from functools import partial

from accounts.models import User
from accounts.people import PersonValues
from community.models import Alert
from community.selectors.alerts import (
    _MOMENTS,
    _OPEN_ALERTS,
    _open_internal_alerts,
    open_alert_read,
)
from config.sql_once import KeptRows, SqlOnce

_PEOPLE = ("acknowledged_by", "resolved_by")
_PERSON = ("email", "first_name", "last_name")
# What the API's list and alert_status read of an open alert: its own columns, its account's,
# its two people's (None for none) and its figures (with_alert_figures).
ALERT_VALUES = (
    "id",
    "reason",
    "details",
    "raised_at",
    "acknowledged_at",
    "resolved_at",
    "resolution",
    "resolution_note",
    "account__slug",
    "account__name",
    "account__renewal_date",
    *(f"{person}_id" for person in _PEOPLE),
    *(f"{person}__{name}" for person in _PEOPLE for name in _PERSON),
    "figures_day",
    "now_day",
    "now_level",
    "now_level_since",
    "now_score",
    "level_then",
    "peak_then",
    "recent_events",
    "recent_since",
    "last_activity_at",
)
_OWN = tuple(name for name in ALERT_VALUES if "__" not in name and not name.endswith("_by_id"))


def _open_alert_values(**values):
    return _open_internal_alerts(**values).values_list(*ALERT_VALUES)


# One kept SQL per branch of the visibility rule (every account, or those of the reader's
# account teams), as _OPEN_ALERTS; counted as those count.
_OPEN_ALERT_VALUES = {
    True: SqlOnce(Alert, partial(_open_alert_values, sees_all=True), **_MOMENTS),
    False: SqlOnce(Alert, partial(_open_alert_values, sees_all=False), user_id=int, **_MOMENTS),
}


def open_alert_value_rows(*, user: User) -> KeptRows | None:
    """open_alert_rows(user=user) as rows of ALERT_VALUES (make each an AlertValues), the same
    rows in the same order; None for anyone but an active internal user."""
    read = open_alert_read(user=user)
    if read is None:
        return None
    sees_all, values = read
    return _OPEN_ALERT_VALUES[sees_all].rows(counted_by=_OPEN_ALERTS[sees_all], **values)


class AlertAccount:
    """An alert's account as the list reads it."""

    __slots__ = ("slug", "name", "renewal_date")

    def __init__(self, slug: str, name: str, renewal_date) -> None:
        self.slug, self.name, self.renewal_date = slug, name, renewal_date


_AT = {name: at for at, name in enumerate(ALERT_VALUES)}


class AlertValues:
    """An alert made from a row of ALERT_VALUES, read as the model instance with its figures
    would be (`state` and `summary` are the model's own properties)."""

    __slots__ = (*_OWN, "pk", "account", *_PEOPLE)
    state = Alert.state
    summary = Alert.summary

    def __init__(self, row: tuple) -> None:
        for name in _OWN:
            setattr(self, name, row[_AT[name]])
        self.pk = self.id
        self.account = AlertAccount(
            row[_AT["account__slug"]], row[_AT["account__name"]], row[_AT["account__renewal_date"]]
        )
        for person in _PEOPLE:
            pk = row[_AT[f"{person}_id"]]
            values = {name: row[_AT[f"{person}__{name}"]] for name in _PERSON}
            setattr(self, person, None if pk is None else PersonValues(pk=pk, **values))
