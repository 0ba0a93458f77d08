"""The list endpoints' cheaper reads (issue 16, item 4) give what the code they replaced gave:
each is compared with the old expression on every value it can meet, edge cases included."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory

from accounts.audit_trail import ACTIONS, _action
from accounts.models import AuditEntry
from community.api.discussions import PostSerializer, ReactionCountSerializer
from community.api.engagement import _level_label
from community.models import EngagementLevel, EngagementSnapshot
from community.models.alerts import alert_level_label
from community.selectors.discussions import ReactionCount

ODD_LEVELS = [None, "", "nonsense", "Dormant", "DORMANT", " dormant", 3, 0]


def test_a_levels_rank_is_its_place_among_the_levels():
    for level in [*EngagementLevel.values, *EngagementLevel, *ODD_LEVELS]:
        old = EngagementLevel.values.index(level) if level in EngagementLevel.values else 0
        assert EngagementLevel.rank(level) == old
    assert [EngagementLevel.rank(level) for level in EngagementLevel.values] == [0, 1, 2, 3, 4]


def test_an_alerts_level_label_is_the_levels_label_else_the_text():
    for level in [*EngagementLevel.values, *EngagementLevel, *ODD_LEVELS]:
        old = EngagementLevel(level).label if level in EngagementLevel.values else str(level)
        assert alert_level_label(level) == old
    assert alert_level_label("co_creating") == "Co-creating"
    assert alert_level_label(None) == "None"


def test_a_snapshots_level_label_is_djangos_display():
    for level in [*EngagementLevel.values, *ODD_LEVELS]:
        snapshot = EngagementSnapshot(level=level)
        assert _level_label(level) == snapshot.get_level_display()
    assert _level_label("observing") == "Observing"
    assert _level_label(None) is None


def test_an_audit_rows_action_is_its_word_else_its_label():
    # django-auditlog's actions: created, changed, deleted, and one ACTIONS has no word for.
    values = [value for value, _ in AuditEntry.Action.choices]
    assert set(values) - set(ACTIONS)
    for value in [*values, 99, None]:
        entry = AuditEntry(action=value)
        assert _action(entry) == ACTIONS.get(entry.action, str(entry.get_action_display()))
    assert _action(AuditEntry(action=AuditEntry.Action.DELETE)) == "Deleted"
    assert _action(AuditEntry(action=99)) == "99"


@pytest.mark.django_db
def test_a_pages_posts_give_their_reactions_as_a_serializer_per_post(member_a):
    request = APIRequestFactory().get("/")
    request.user = member_a
    counts = [
        [ReactionCount("thanks", "Thanks", 2, True), ReactionCount("agree", "Agree", 0, False)],
        [],
        [ReactionCount("agree", "Agree", 5, False)],
    ]
    serializer = PostSerializer(context={"request": request})
    posts = [type("P", (), {"reaction_counts": rows, "pk": i})() for i, rows in enumerate(counts)]

    given = [serializer.get_reactions(post) for post in posts]

    assert given == [ReactionCountSerializer(rows, many=True).data for rows in counts]
    assert given[0][0] == {"kind": "thanks", "label": "Thanks", "count": 2, "mine": True}
