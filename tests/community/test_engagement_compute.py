"""The engagement computation against the formula of docs/product.md, worked by hand.

Every test computes "as of" a fixed day D, so event ages are exact: an event `n` days old
happened `n` days before the end of D (see `engagement_event`).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from community.models import ActivityKind, EngagementModel, EngagementSnapshot
from community.selectors.engagement_figures import chunks_of
from community.selectors.engagement_model import engagement_model_active
from community.services.engagement import engagement_snapshots_compute
from community.services.engagement_model import engagement_model_create
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import D, engagement_event

pytestmark = pytest.mark.django_db

K = ActivityKind


def _snapshot(account) -> EngagementSnapshot:
    return EngagementSnapshot.objects.get(account=account, day=D)


def _rows() -> list[tuple]:
    return list(
        EngagementSnapshot.objects.order_by("account_id", "day").values_list(
            "account_id",
            "day",
            "score",
            "level",
            "level_since",
            "activity",
            "breadth",
            "co_creation",
            "model_version",
        )
    )


def test_a_hand_built_accounts_score_equals_the_formula():
    account = AccountFactory()
    people = [customer(account) for _ in range(10)]  # 30% of 10 = 3: the minimum of 3 rules
    ann, ben, cid = people[:3]
    engagement_event(account, ann, K.VISIT, days_ago=2)
    engagement_event(account, ben, K.COMMENT, days_ago=10)
    engagement_event(account, cid, K.PILOT_ENROLLED, days_ago=60, pilot_ref=7)
    engagement_event(account, cid, K.FEEDBACK_GIVEN, days_ago=45, pilot_ref=7)
    engagement_event(account, cid, K.PILOT_ENROLLED, days_ago=100, pilot_ref=8)
    # None of these count: too old for activity, an account team's support, after D.
    engagement_event(account, ann, K.VOTE, days_ago=200)
    engagement_event(account, None, K.WORKSHOP_ATTENDED, days_ago=3, is_support=True)
    engagement_event(account, ben, K.REFERRAL, days_ago=-2)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    points = (
        1 * 0.5 ** (2 / 30)
        + 3 * 0.5 ** (10 / 30)
        + 5 * 0.5 ** (60 / 30)
        + 8 * 0.5 ** (45 / 30)
        + 5 * 0.5 ** (100 / 30)
    )
    activity = 1 - math.exp(-points / 40)
    breadth = 2 / max(3, 0.3 * 10)  # Ann and Ben in the last 30 days
    co_creation = 1 / 2  # feedback for pilot 7, none for pilot 8
    score = 100 * (0.5 * activity + 0.25 * breadth + 0.25 * co_creation)
    snapshot = _snapshot(account)
    assert abs(float(snapshot.score) - score) <= 0.05 + 1e-9
    assert snapshot.activity == pytest.approx(activity, abs=1e-6)
    assert snapshot.breadth == pytest.approx(breadth, abs=1e-6)
    assert snapshot.co_creation == pytest.approx(0.5)
    assert snapshot.level == "participating"  # 30 ≤ score < 50
    assert (snapshot.level_since, snapshot.model_version) == (D, 1)


def test_an_account_without_events_is_dormant_at_zero():
    account = AccountFactory()
    customer(account)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    snapshot = _snapshot(account)
    assert (snapshot.score, snapshot.level) == (Decimal("0.0"), "dormant")
    assert (snapshot.activity, snapshot.breadth, snapshot.co_creation) == (0, 0, 0)


def test_breadth_is_capped_at_one():
    account = AccountFactory()
    people = [customer(account) for _ in range(20)]  # needs max(3, 6) = 6 active people
    for person in people[:8]:
        engagement_event(account, person, K.VISIT, days_ago=1)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    assert _snapshot(account).breadth == 1.0


def test_breadth_of_a_small_account_counts_at_least_three_people():
    small, large = AccountFactory(), AccountFactory()
    alone = [customer(small) for _ in range(4)][0]  # 30% of 4 is 1.2; three are needed
    large_people = [customer(large) for _ in range(20)]  # 30% of 20 = 6
    engagement_event(small, alone, K.VISIT, days_ago=29)
    for person in large_people[:3]:
        engagement_event(large, person, K.VISIT, days_ago=5)
    engagement_event(large, large_people[3], K.VISIT, days_ago=31)  # outside the 30 days

    engagement_snapshots_compute(account_ids=[small.pk, large.pk], day=D)

    assert _snapshot(small).breadth == pytest.approx(1 / 3, abs=1e-6)
    assert _snapshot(large).breadth == pytest.approx(3 / 6, abs=1e-6)


def test_breadth_counts_only_active_users_as_members():
    account = AccountFactory()
    people = [customer(account) for _ in range(20)]
    for person in people[:10]:
        person.is_active = False
        person.save(update_fields=["is_active"])
    engagement_event(account, people[10], K.VISIT, days_ago=1)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    assert _snapshot(account).breadth == pytest.approx(1 / 3, abs=1e-6)  # max(3, 30% of 10)


def test_co_creation_is_the_share_of_enrolled_pilots_with_experience_feedback():
    account, other = AccountFactory(), AccountFactory()
    member, outsider = customer(account), customer(other)
    for pilot in (1, 2, 3, 4):
        engagement_event(account, member, K.PILOT_ENROLLED, days_ago=200, pilot_ref=pilot)
    engagement_event(account, member, K.FEEDBACK_GIVEN, days_ago=150, pilot_ref=1)
    engagement_event(account, member, K.FEEDBACK_GIVEN, days_ago=140, pilot_ref=1)  # same pilot
    engagement_event(account, member, K.EXPECTATION_GIVEN, days_ago=190, pilot_ref=2)  # not it
    engagement_event(other, outsider, K.FEEDBACK_GIVEN, days_ago=150, pilot_ref=3)  # not ours
    engagement_event(account, None, K.FEEDBACK_GIVEN, days_ago=150, pilot_ref=4, is_support=True)
    # Enrolled more than 365 days ago: not among the pilots counted.
    engagement_event(account, member, K.PILOT_ENROLLED, days_ago=400, pilot_ref=5)

    engagement_snapshots_compute(account_ids=[account.pk, other.pk], day=D)

    assert _snapshot(account).co_creation == pytest.approx(1 / 4)
    assert _snapshot(other).co_creation == 0  # feedback without an enrolment on record


def test_co_creation_is_zero_for_an_account_that_enrolled_in_no_pilot():
    account = AccountFactory()
    engagement_event(account, customer(account), K.FEEDBACK_GIVEN, days_ago=3)

    engagement_snapshots_compute(account_ids=[account.pk], day=D)

    assert _snapshot(account).co_creation == 0


def test_rerunning_a_day_writes_the_same_rows_and_no_duplicates():
    accounts = AccountFactory.create_batch(3)
    for number, account in enumerate(accounts):
        for day in range(number * 5):
            engagement_event(account, customer(account), K.VOTE, days_ago=day)
    ids = [a.pk for a in accounts]
    engagement_snapshots_compute(account_ids=ids, day=D)
    first = _rows()

    engagement_snapshots_compute(account_ids=ids, day=D)

    assert _rows() == first
    assert EngagementSnapshot.objects.count() == 3


def test_chunks_give_the_same_snapshots_as_one_chunk():
    accounts = AccountFactory.create_batch(7)
    for number, account in enumerate(accounts):
        person = customer(account)
        for day in range(number * 3):
            engagement_event(account, person, K.COMMENT, days_ago=day * 2)
    ids = [a.pk for a in accounts]
    engagement_snapshots_compute(account_ids=ids, day=D)
    together = _rows()
    EngagementSnapshot.objects.all().delete()

    chunks = chunks_of(ids, size=3)
    for chunk in chunks:
        engagement_snapshots_compute(account_ids=chunk, day=D)

    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    assert _rows() == together


@pytest.mark.parametrize("accounts", [2, 40])
def test_a_chunk_costs_the_same_queries_whatever_its_size(accounts, django_assert_num_queries):
    chunk = []
    for account in AccountFactory.create_batch(accounts):
        person = customer(account)
        engagement_event(account, person, K.VISIT, days_ago=1)
        engagement_event(account, person, K.PILOT_ENROLLED, days_ago=9, pilot_ref=3)
        chunk.append(account.pk)
    model = engagement_model_active()

    # 1 SAVEPOINT (the chunk's transaction), [PostgreSQL: SET LOCAL jit = off], 2 the
    # aggregate query over events, members, pilots and previous snapshots, 3 the upsert (one
    # INSERT … ON CONFLICT; on SQLite that holds up to 111 rows per statement), 4 RELEASE.
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 4):
        engagement_snapshots_compute(account_ids=chunk, day=D, model=model)

    assert EngagementSnapshot.objects.filter(day=D).count() == accounts


def test_a_new_model_version_computes_the_days_from_its_activation_on(programme_admin):
    account = AccountFactory()
    engagement_event(account, customer(account), K.REFERRAL, days_ago=1.5)
    engagement_snapshots_compute(account_ids=[account.pk], day=D)
    before = _snapshot(account)

    model = engagement_model_create(
        created_by=programme_admin,
        note="Referrals count double",
        weights={**engagement_model_active().weights, "referral": 20},
    )
    activated = dt.datetime.combine(D, dt.time(9), tzinfo=timezone.get_default_timezone())
    EngagementModel.objects.filter(pk=model.pk).update(activated_at=activated)
    engagement_snapshots_compute(account_ids=[account.pk], day=D)
    engagement_snapshots_compute(account_ids=[account.pk], day=D - dt.timedelta(days=1))

    after = _snapshot(account)
    day_before = EngagementSnapshot.objects.get(account=account, day=D - dt.timedelta(days=1))
    assert (before.model_version, after.model_version, day_before.model_version) == (1, 2, 1)
    assert after.activity > day_before.activity  # the referral weighs double from D on
    assert model.version == 2 and model.is_active
    assert list(EngagementModel.objects.values_list("version", "is_active")) == [
        (2, True),
        (1, False),
    ]
    assert after.activity == pytest.approx(1 - math.exp(-20 * 0.5 ** (1.5 / 30) / 40), abs=1e-6)
    assert after.activity > before.activity


def test_the_first_version_holds_product_md_defaults():
    model = engagement_model_active()

    assert model.version == 1
    assert model.weights == {
        "visit": 1, "harvest_read": 1, "vote": 2, "comment": 3, "discussion_post": 4,
        "expectation_given": 4, "pilot_enrolled": 5, "workshop_attended": 6,
        "idea_proposed": 6, "feedback_given": 8, "referral": 10,
        # Offline kinds not in the first list (docs/product.md), weighed like their nearest kin:
        "reference_call": 10, "executive_meeting": 6,
    }  # fmt: skip
    assert (model.half_life_days, model.window_days, model.activity_scale) == (30, 180, 40)
    assert (model.breadth_window_days, model.breadth_min_members) == (30, 3)
    assert (model.breadth_share, model.co_creation_window_days) == (0.3, 365)
    assert (model.weight_activity, model.weight_breadth, model.weight_co_creation) == (
        0.5, 0.25, 0.25,
    )  # fmt: skip
    assert model.thresholds == [0, 10, 30, 50, 70]
    assert (model.low_water_ratio, model.hold_days) == (0.9, 14)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"threshold_participating": 5}, "threshold_observing"),
        ({"threshold_co_creating": 120}, "threshold_observing"),
        ({"low_water_ratio": 1.5}, "low_water_ratio"),
        ({"breadth_share": 0}, "breadth_share"),
        ({"weight_activity": 0.9}, "weight_activity"),
        ({"weight_breadth": -0.25, "weight_activity": 1.0}, "weight_breadth"),
        ({"weights": {"visit": -1}}, "weights"),
        ({"weights": {"visit": "a lot"}}, "weights"),
        ({"weights": {"teleport": 3}}, "weights"),
        ({"half_life_days": 0}, "half_life_days"),
        ({"activity_scale": -40}, "activity_scale"),
    ],
)
def test_a_version_with_bad_numbers_is_refused_and_nothing_is_saved(values, field, programme_admin):
    with pytest.raises(ValidationError) as refused:
        engagement_model_create(created_by=programme_admin, **values)

    assert field in refused.value.message_dict
    assert list(EngagementModel.objects.values_list("version", "is_active")) == [(1, True)]


def test_a_chunk_that_fails_half_way_leaves_nothing_written():
    """A worker killed during the upsert: the chunk's transaction rolls back whole."""
    accounts = AccountFactory.create_batch(150)  # SQLite upserts 111 rows per statement
    inserts = []

    def fail_on_the_second_insert(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "community_engagementsnapshot"'):
            inserts.append(sql)
            if len(inserts) == 2 or connection.vendor == "postgresql":
                raise KeyboardInterrupt("killed")  # on PostgreSQL the one statement fails
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_the_second_insert), pytest.raises(KeyboardInterrupt):
        engagement_snapshots_compute(account_ids=[a.pk for a in accounts], day=D)

    assert len(inserts) == (1 if connection.vendor == "postgresql" else 2)
    assert EngagementSnapshot.objects.count() == 0
    engagement_snapshots_compute(account_ids=[a.pk for a in accounts], day=D)  # the next run
    assert EngagementSnapshot.objects.filter(day=D).count() == 150
