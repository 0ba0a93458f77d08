"""The account engagement page's history table (templates/community/account_engagement.html).

A year of daily snapshots is 365 rows of six cells: written by a template, each row cost a dozen
variable lookups and filter calls (about 15 ms of CPU per page). Here each row is one
`format_html` (`config.html.html_rows`, its faster twin) with its display values prepared once:
the day as `accounts.formats` writes it, the score as the template wrote the Decimal, the
level's badge (`levels.level_badge`) and the components as `floatformat:2` writes them
(`accounts.formats.format_decimal`). The HTML is the same.

{% load engagement_tags %}
{% engagement_history_rows engagement.history %}   newest first; a row saying so when empty
"""

from __future__ import annotations

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import date, linebreaksbr
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from accounts.formats import format_date, format_datetime, format_decimal
from accounts.people import FROM_MEMBERSHIP, person_name
from community.templatetags.levels import level_badge
from config.html import html_format, html_rows

register = template.Library()

# Each row with the line breaks the template's loop wrote around it.
_ROW = (
    "\n        <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n      "
)
EMPTY_ROW = '<tr><td colspan="6">No snapshot in the last year.</td></tr>'


@register.simple_tag
def engagement_history_rows(history) -> SafeString:
    """The table's rows for `history` (snapshots oldest first), newest first."""
    if not history:
        return mark_safe(EMPTY_ROW)  # noqa: S308 (a constant)
    return html_rows(
        _ROW,
        (
            (
                format_date(s.day),
                f"{s.score:f}",
                level_badge(s.level),
                format_decimal(s.activity, 2),
                format_decimal(s.breadth, 2),
                format_decimal(s.co_creation, 2),
            )
            for s in reversed(history)
        ),
    )


# The timelines' rows, as the template's loops wrote them (with their line breaks). Each person
# is named once per page (`accounts.people.person_name`, the one naming rule), not once per row.
_ACTIVITY_ROW = "\n    \n    <li>{}</li>\n    \n  "
_SUPPORT_ROW = "\n    <li>{}</li>\n  "
_SUPPORT_KINDS = {
    "loop_closed": "Closed the loop (“you said, we did”)",
    "comment": "Commented on their idea",
}


class _Names:
    """`person_name` for one viewer, asked once per person and account."""

    def __init__(self, viewer):
        self._viewer, self._names = viewer, {}

    def __call__(self, person, account_id=FROM_MEMBERSHIP) -> str:
        key = (person.pk, account_id)
        if key not in self._names:
            self._names[key] = person_name(
                viewer=self._viewer, person=person, person_account_id=account_id
            )
        return self._names[key]


def _moment(event) -> SafeString:
    return html_format(
        '<time datetime="{}">{}</time>',
        date(template_localtime(event.occurred_at), "c"),
        format_datetime(event.occurred_at),
    )


def _by(event, names: _Names) -> SafeString | str:
    return html_format(" by {}", names(event.user, event.account_id)) if event.user else ""


def _activity_item(event, names: _Names) -> SafeString:
    try:
        offline = event.offline_record
    except ObjectDoesNotExist:
        offline = None
    if not offline:
        return html_format("{} — {}{}", _moment(event), event.get_kind_display(), _by(event, names))
    return html_format(
        '<time datetime="{}">{}</time> — {} <small class="muted">(offline{})</small>{}',
        date(offline.occurred_on, "Y-m-d"),
        format_date(offline.occurred_on),
        event.get_kind_display(),
        html_format(", recorded by {}", names(offline.recorded_by)) if offline.recorded_by else "",
        html_format(
            '<br><small class="offline-note">{}</small>',
            linebreaksbr(offline.note, autoescape=True),
        )
        if offline.note
        else "",
    )


def _support_item(event, names: _Names) -> SafeString:
    return html_format(
        "{} — {}{}",
        _moment(event),
        _SUPPORT_KINDS.get(event.kind) or event.get_kind_display(),
        _by(event, names),
    )


@register.simple_tag(takes_context=True)
def customer_activity_rows(context, page) -> SafeString:
    """The customer activity timeline's items for `page` (events with their offline record)."""
    if not page:
        return mark_safe('<li class="muted">No customer activity yet.</li>')  # noqa: S308
    names = _Names(context["request"].user)
    return html_rows(_ACTIVITY_ROW, ((_activity_item(e, names),) for e in page))


@register.simple_tag(takes_context=True)
def support_activity_rows(context, page) -> SafeString:
    """The account team's support timeline's items for `page`."""
    if not page:
        return mark_safe('<li class="muted">No support recorded yet.</li>')  # noqa: S308
    names = _Names(context["request"].user)
    return html_rows(_SUPPORT_ROW, ((_support_item(e, names),) for e in page))
