"""The engagement page's two timelines (customer activity, support) are drawn by tags
(community/templatetags/engagement_tags.py) that name each person once per page: their HTML must
be what the template's loops wrote, kept here, for every kind of row and every viewer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind
from community.selectors.engagement import TIMELINE_PAGE_SIZE, activity_timeline
from community.selectors.engagement_timeline import activity_timeline_page
from community.services.engagement import offline_event_record
from tests.accounts.factories import customer

# The template's loops as they were before the tags (templates/community/account_engagement.html).
OLD_LOOPS = """{% load formats people %}<ol>
  {% for e in timeline %}
    {% with offline=e.offline_record %}
    <li>{% if offline %}<time datetime="{{ offline.occurred_on|date:'Y-m-d' }}">{{ offline.occurred_on|day }}</time> — {{ e.get_kind_display }} <small class="muted">(offline{% if offline.recorded_by %}, recorded by {% person_name offline.recorded_by %}{% endif %})</small>{% if offline.note %}<br><small class="offline-note">{{ offline.note|linebreaksbr }}</small>{% endif %}{% else %}<time datetime="{{ e.occurred_at|date:'c' }}">{{ e.occurred_at|moment }}</time> — {{ e.get_kind_display }}{% if e.user %} by {% person_name e.user e.account_id %}{% endif %}{% endif %}</li>
    {% endwith %}
  {% empty %}<li class="muted">No customer activity yet.</li>{% endfor %}
  </ol><ol>
  {% for e in support %}
    <li><time datetime="{{ e.occurred_at|date:'c' }}">{{ e.occurred_at|moment }}</time> — {% if e.kind == "loop_closed" %}Closed the loop (“you said, we did”){% elif e.kind == "comment" %}Commented on their idea{% else %}{{ e.get_kind_display }}{% endif %}{% if e.user %} by {% person_name e.user e.account_id %}{% endif %}</li>
  {% empty %}<li class="muted">No support recorded yet.</li>{% endfor %}
  </ol>"""  # noqa: E501

NEW_TAGS = """{% load engagement_tags %}<ol>
  {% customer_activity_rows timeline %}
  </ol><ol>
  {% support_activity_rows support %}
  </ol>"""


def _pages(account, number=None) -> dict:
    return {
        "timeline": Paginator(
            activity_timeline(account=account, support=False), TIMELINE_PAGE_SIZE
        ).get_page(number),
        "support": Paginator(
            activity_timeline(account=account, support=True), TIMELINE_PAGE_SIZE
        ).get_page(number),
    }


def _both(viewer, account, number=None) -> tuple[str, str]:
    request = RequestFactory().get("/")
    request.user = viewer
    engine = engines["django"]
    old = engine.from_string(OLD_LOOPS).render(_pages(account, number), request)
    new = engine.from_string(NEW_TAGS).render(_pages(account, number), request)
    return old, new


@pytest.fixture
def busy_account(account_a, account_b, account_manager_a, programme_admin):
    """Rows of every shape: offline with and without recorder and note (with markup and line
    breaks), customers' events with and without a person, a person of another account, the
    same person many times, support of each kind, moments with microseconds."""
    alice = customer(account_a, first_name="Alice", last_name="O'Hara <b>")
    bob = customer(account_b, first_name="Bob", last_name="Lee & Co")
    moment = timezone.now().replace(microsecond=123456) - dt.timedelta(days=2)
    for n, (user, kind) in enumerate(
        [(alice, ActivityKind.VOTE), (None, ActivityKind.VISIT), (bob, ActivityKind.COMMENT)] * 9
    ):
        ActivityEvent.objects.create(
            account=account_a, user=user, kind=kind, occurred_at=moment - dt.timedelta(hours=n)
        )
    for n, kind in enumerate(
        [ActivityKind.LOOP_CLOSED, ActivityKind.COMMENT, ActivityKind.VISIT] * 8
    ):
        ActivityEvent.objects.create(
            account=account_a,
            user=[account_manager_a, None, programme_admin][n % 3],
            kind=kind,
            occurred_at=moment - dt.timedelta(minutes=7 * n),
            is_support=True,
        )
    today = timezone.localdate()
    offline_event_record(
        account=account_a,
        kind=ActivityKind.WORKSHOP_ATTENDED,
        occurred_on=today - dt.timedelta(days=1),
        note="Line one <script>\n\nLine & two",
        recorded_by=account_manager_a,
    )
    offline_event_record(
        account=account_a,
        kind=ActivityKind.REFERENCE_CALL,
        occurred_on=today - dt.timedelta(days=1),
        recorded_by=None,
    )
    return account_a


@pytest.mark.parametrize("viewer", ["account_manager_a", "programme_admin", "member_a", "member_b"])
@pytest.mark.parametrize("number", [None, "2", "9"])
def test_the_timelines_are_the_html_the_loops_wrote(request, busy_account, viewer, number):
    old, new = _both(request.getfixturevalue(viewer), busy_account, number)

    assert new == old
    assert "offline-note" in new or number  # the offline rows are on the first page


def test_empty_timelines_say_so_as_before(account_a, account_manager_a):
    old, new = _both(account_manager_a, account_a)

    assert new == old
    assert "No customer activity yet." in new
    assert "No support recorded yet." in new


def test_each_person_is_named_once_per_timeline(
    busy_account, account_manager_a, programme_admin, monkeypatch
):
    from accounts.models import User
    from community.templatetags import engagement_tags

    asked = []
    real = engagement_tags.person_name
    monkeypatch.setattr(
        engagement_tags,
        "person_name",
        lambda **kwargs: asked.append(kwargs["person"].pk) or real(**kwargs),
    )
    _both(account_manager_a, busy_account)

    alice, bob = (User.objects.get(first_name=name).pk for name in ("Alice", "Bob"))
    # The customer timeline: the recorder, Alice, Bob; the support timeline: its two people.
    assert sorted(asked) == sorted(
        [account_manager_a.pk, alice, bob, account_manager_a.pk, programme_admin.pk]
    )


@pytest.mark.parametrize("number", [None, "1", "2", "0", "nine", "99"])
def test_a_timeline_page_has_the_rows_the_paginator_gave(
    busy_account, account_manager_a, number, django_assert_num_queries
):
    for support in (False, True):
        expected = Paginator(
            activity_timeline(account=busy_account, support=support), TIMELINE_PAGE_SIZE
        ).get_page(number)

        page = activity_timeline_page(account=busy_account, support=support, number=number)

        assert page.number == expected.number
        assert [e.pk for e in page] == [e.pk for e in expected]
        with django_assert_num_queries(0):  # the people and offline records come with them
            [(e.user, getattr(e, "offline_record", None)) for e in page]


def test_an_empty_timeline_reads_only_its_count(account_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = activity_timeline_page(account=account_a, support=False, number=None)
        assert list(page) == []
