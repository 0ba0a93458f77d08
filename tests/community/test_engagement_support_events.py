"""Support events: internal users' own actions for an account — an answer in the comments of an
idea the account proposed, a closed loop ("you said, we did": an idea decided, a pilot decided)
— are recorded for that account with `is_support=True`, apart from the customer's engagement,
which they never change. The account's engagement page lists them under support."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind, EngagementSnapshot
from community.services.engagement import engagement_snapshots_compute
from ideas.models import Enrolment, IdeaStatus, PilotDecision, PilotState
from ideas.services import ideas as idea_services
from ideas.services import pilots as pilot_services
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory

K = ActivityKind


@pytest.fixture
def garden(db):
    return GardenFactory(name="Field work", slug="field-work")


@pytest.fixture
def acme_idea(garden, member_a):
    """An idea that account A proposed (through the service: A's own customer event)."""
    return idea_services.idea_propose(
        garden=garden,
        author=member_a,
        title="Offline inspections",
        job_to_be_done="Record inspections where there is no network.",
        proposal="Queue work offline and sync later.",
    )


def _support() -> list[tuple]:
    return list(
        ActivityEvent.objects.filter(is_support=True)
        .order_by("account__slug", "kind")
        .values_list("account__slug", "user__email", "kind", "object_type")
    )


# --- Comments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["account_manager_a", "product_manager", "programme_admin"])
def test_an_internal_users_comment_is_support_for_the_account_that_proposed_the_idea(
    request, acme_idea, persona
):
    user = request.getfixturevalue(persona)

    idea_services.idea_comment(idea=acme_idea, author=user, body="We are looking at it.")

    assert _support() == [("acme", user.email, K.COMMENT, "ideas.idea")]
    # The customer's own engagement holds the proposal only.
    assert list(ActivityEvent.objects.filter(is_support=False).values_list("kind", flat=True)) == [
        K.IDEA_PROPOSED
    ]


def test_a_customers_comment_stays_their_own_accounts_engagement(acme_idea, member_b):
    idea_services.idea_comment(idea=acme_idea, author=member_b, body="We want this too.")

    assert _support() == []
    assert ActivityEvent.objects.filter(
        kind=K.COMMENT, account__slug="globex", user=member_b, is_support=False
    ).exists()


def test_an_internal_comment_on_an_internal_idea_records_nothing(garden, product_manager):
    idea = IdeaFactory(garden=garden, author=product_manager, author_account=None)

    idea_services.idea_comment(idea=idea, author=product_manager, body="Draft thoughts.")

    assert not ActivityEvent.objects.exists()


# --- Closing the loop --------------------------------------------------------------------------


def test_declining_an_accounts_idea_with_a_reason_closes_the_loop(acme_idea, product_manager):
    idea_services.idea_transition(
        idea=acme_idea,
        actor=product_manager,
        to_status=IdeaStatus.DECLINED,
        reason="Out of scope this year.",
    )

    assert _support() == [("acme", "pat@garden.example", K.LOOP_CLOSED, "ideas.idea")]


def test_moving_an_idea_along_the_way_closes_no_loop(acme_idea, product_manager):
    for status in (IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED):
        idea_services.idea_transition(
            idea=acme_idea, actor=product_manager, to_status=status, reason="Next step."
        )

    assert _support() == []


def test_adopting_an_evaluated_idea_closes_the_loop_once(acme_idea, product_manager):
    acme_idea.status = IdeaStatus.EVALUATED
    acme_idea.save(update_fields=["status"])

    idea_services.idea_transition(
        idea=acme_idea, actor=product_manager, to_status=IdeaStatus.ADOPTED, reason="Shipped."
    )

    assert _support() == [("acme", "pat@garden.example", K.LOOP_CLOSED, "ideas.idea")]


def test_a_pilot_decision_closes_the_loop_with_the_proposer_and_every_account_taking_part(
    garden, acme_idea, account_a, member_a, member_b, product_manager
):
    pilot = PilotFactory(idea=acme_idea, state=PilotState.CLOSED)
    acme_idea.status = IdeaStatus.PILOTING
    acme_idea.save(update_fields=["status"])
    colleague = customer(account_a)
    for person in (member_a, colleague, member_b):  # two of Acme, one of Globex
        Enrolment.objects.create(pilot=pilot, user=person, account=person.membership.account)

    pilot_services.pilot_decide(
        pilot=pilot, actor=product_manager, decision=PilotDecision.ADOPT, outcome_note="Shipped."
    )

    assert _support() == [
        ("acme", "pat@garden.example", K.LOOP_CLOSED, "ideas.pilot"),
        ("globex", "pat@garden.example", K.LOOP_CLOSED, "ideas.pilot"),
    ]


def test_a_decided_pilot_of_an_internal_idea_closes_the_loop_with_its_participants_only(
    garden, member_b, product_manager
):
    idea = IdeaFactory(
        garden=garden, author=product_manager, author_account=None, status=IdeaStatus.PILOTING
    )
    pilot = PilotFactory(idea=idea, state=PilotState.CLOSED)
    Enrolment.objects.create(pilot=pilot, user=member_b, account=member_b.membership.account)

    pilot_services.pilot_decide(
        pilot=pilot, actor=product_manager, decision=PilotDecision.DECLINE, outcome_note="No."
    )

    assert _support() == [("globex", "pat@garden.example", K.LOOP_CLOSED, "ideas.pilot")]


# --- The engine ignores them -----------------------------------------------------------------


def test_support_events_change_no_score(
    acme_idea, account_a, member_a, product_manager, account_manager_a
):
    for _ in range(3):
        customer(account_a)
    today = timezone.localdate()
    engagement_snapshots_compute(account_ids=[account_a.pk], day=today)
    before = EngagementSnapshot.objects.values(
        "score", "level", "activity", "breadth", "co_creation"
    ).get(account=account_a, day=today)
    assert before["score"] > 0  # the proposal counts

    # Many internal actions for Acme, by several internal people (who would also count as
    # active members, were support counted).
    for _ in range(20):
        idea_services.idea_comment(idea=acme_idea, author=product_manager, body="On it.")
    for _ in range(5):  # heavy kinds too, recorded as support
        ActivityEvent.objects.create(
            account=account_a, user=account_manager_a, kind=K.REFERRAL, is_support=True
        )
    idea_services.idea_transition(
        idea=acme_idea, actor=product_manager, to_status=IdeaStatus.DECLINED, reason="No."
    )
    assert ActivityEvent.objects.filter(is_support=True).count() == 26
    engagement_snapshots_compute(account_ids=[account_a.pk], day=today)

    after = EngagementSnapshot.objects.values(
        "score", "level", "activity", "breadth", "co_creation"
    ).get(account=account_a, day=today)
    assert after == before


# --- The engagement page -----------------------------------------------------------------------


def test_the_engagement_page_lists_support_apart_with_plain_labels(
    client_for, acme_idea, account_manager_a, product_manager
):
    idea_services.idea_comment(idea=acme_idea, author=account_manager_a, body="Noted, thanks.")
    idea_services.idea_transition(
        idea=acme_idea, actor=product_manager, to_status=IdeaStatus.DECLINED, reason="No."
    )

    page = client_for(account_manager_a).get("/accounts/acme/engagement/").text

    customer_part = page[page.index('id="customer-activity"') : page.index('id="support-h"')]
    support_part = page[page.index('id="support-activity"') :]
    assert "Idea proposed by Alice" in customer_part
    assert "Commented" not in customer_part and "Closed the loop" not in customer_part
    assert "Commented on their idea by Carol" in support_part
    assert "Closed the loop (“you said, we did”) by Pat" in support_part


def test_the_customer_admin_sees_no_support_events(client_for, acme_idea, admin_a, product_manager):
    idea_services.idea_comment(idea=acme_idea, author=product_manager, body="Noted.")

    page = client_for(admin_a).get("/accounts/acme/engagement/").text

    assert "Commented on their idea" not in page
    assert "Support from your account team" not in page
