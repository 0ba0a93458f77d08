"""Factories and small builders of the accounts tests: people, accounts, memberships, account
teams and invitations; and, for the personal data tests, a member who did a bit of everything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from django.utils import timezone

from accounts import services
from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    Invitation,
    MemberRole,
    Membership,
    Segment,
    TeamRole,
    User,
)
from community.models import Garden, NotificationPreference, Post, Thread
from community.services import discussions
from community.services.notifications import notify
from ideas.models import Comment, FeedbackResponse, Idea, Pilot, PilotState
from ideas.services import ideas as idea_services

# --- People, accounts, teams and invitations --------------------------------------------------

PASSWORD = "correct horse battery staple"

# Sixteen spellings of one address that fold into it (accounts.addresses): mixed case, the
# dotless ı and long ſ PostgreSQL's upper() folds, the Kelvin sign K, full-width letters.
# Every one passes Django's EmailField.
LOOKALIKE_ADDRESS = "kristin.siska@acme.example"
LOOKALIKE_SPELLINGS = [
    "kristin.siska@acme.example",
    "KRISTIN.SISKA@ACME.EXAMPLE",
    "krıstin.siska@acme.example",
    "kristın.sıska@acme.example",
    "kriſtin.siska@acme.example",
    "kristin.ſiſka@acme.example",
    "\u212aristin.siska@acme.example",
    "kristin.siska@ａｃｍｅ.example",
    "kristin.siska@acme.ｅｘａｍｐｌｅ",
    "KRıSTIN.ſISKA@Acme.Example",
    "Krıſtın.Sıſka@ＡＣＭＥ.EXAMPLE",
    "kristin.siska@ACME.ｅxample",
    "krıſtın.sıſka@acme.example",
    "\u212arıſtın.sıſka@ａｃｍｅ.ｅｘａｍｐｌｅ",
    "KrIsTiN.SiSkA@aCmE.eXaMpLe",
    "kriſtin.siſka@Acme.example",
]


MEMBER_SINCE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n} GmbH")
    slug = factory.Sequence(lambda n: f"account-{n}")
    segment = Segment.MID_MARKET
    annual_contract_value = 120_000
    customer_since = dt.date(2021, 4, 1)
    renewal_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = MemberRole.MEMBER
    # A member since long before the days engagement tests compute (a member counts in an
    # account's breadth from the day the membership began).
    created_at = MEMBER_SINCE


def customer(account: Account, *, role: str = MemberRole.MEMBER, **fields) -> User:
    """A customer user who belongs to `account`."""
    return MembershipFactory(account=account, role=role, user=UserFactory(**fields)).user


def crowd(account: Account, size: int, *, tag: str = "crowd") -> list[User]:
    """`size` customers of `account` made set-based (two inserts, no password hashing), in id
    order: the large audiences of the fan-out tests."""
    people = User.objects.bulk_create(
        [User(email=f"{tag}{n}.{account.slug}@example.com", password="!") for n in range(size)],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(user=person, account=account, created_at=MEMBER_SINCE) for person in people],
        batch_size=2000,
    )
    return people


def internal(role: InternalRole, **fields) -> User:
    """An internal user holding `role` (through its group, as in production)."""
    return services.user_set_internal_role(user=UserFactory(**fields), role=role)


class TeamAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamAssignment

    user = factory.LazyFunction(lambda: internal(InternalRole.ACCOUNT_MANAGER))
    account = factory.SubFactory(AccountFactory)
    role = TeamRole.ACCOUNT_MANAGER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = MemberRole.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


# --- Personal data ----------------------------------------------------------------------------
# A member who did a bit of everything, for the personal data tests (download and erasure):
# Alice of Acme proposed an idea, voted for and commented on a colleague's, replied in a
# colleague's thread and reacted to it, was told something, enrolled in a pilot, gave feedback
# and accepted its agreement.

ALICE_LAST_NAME = "Abernathy-Quill"
ALICE_EMAIL = "alice@acme.example"
ALICE_TEXTS = {
    "idea": "Offline inspections for field crews",
    "comment": "A comment only the contributor wrote.",
    "reply": "The contributor's reply in the thread.",
    "verbatim": "A verbatim of the contributor: sync took ages.",
}


@dataclass
class Contributions:
    garden: Garden
    own_idea: Idea
    colleagues_idea: Idea
    comment: Comment
    thread: Thread
    reply: Post
    pilot: Pilot
    response: FeedbackResponse


def contributions_of(alice: User, colleague: User, outsider: User) -> Contributions:
    """`alice` and `colleague` (of one account) and `outsider` (another) in an open garden."""
    # The builders of the apps above accounts, imported here: they import this module.
    from tests.community.factories import garden_with, opening, reply, start
    from tests.ideas.factories import (
        IdeaFactory,
        PilotFactory,
        agreement_accepted,
        enrolled,
        feedback_response,
    )

    services.user_update_profile(
        user=alice, first_name="Alice", last_name=ALICE_LAST_NAME, job_title="Site lead"
    )
    garden = garden_with(alice, colleague, outsider, shows_other_members=True)
    own_idea = idea_services.idea_propose(
        garden=garden,
        author=alice,
        title=ALICE_TEXTS["idea"],
        job_to_be_done="Inspect where there is no network.",
        proposal="Queue inspections on the phone.",
    )
    colleagues_idea = IdeaFactory(
        garden=garden, author=colleague, author_account=colleague.membership.account
    )
    idea_services.idea_vote_toggle(idea=colleagues_idea, user=alice)
    idea_services.idea_vote_toggle(idea=colleagues_idea, user=colleague)
    comment = idea_services.idea_comment(
        idea=colleagues_idea, author=alice, body=ALICE_TEXTS["comment"]
    )
    idea_services.idea_comment(idea=colleagues_idea, author=colleague, body="The colleague's.")
    thread = start(garden, colleague, body="How do your crews sync?")
    alices_reply = reply(thread, alice, ALICE_TEXTS["reply"])
    reply(thread, outsider, "The outsider's reply.")
    discussions.reaction_toggle(post=opening(thread), user=alice, kind="helpful")
    discussions.post_flag(post=opening(thread), user=alice, reason="Off topic, maybe.")
    notify(users=[alice], kind="idea_comment", title="Something for Alice", email=False)
    NotificationPreference.objects.create(user=alice, kind="idea_status", delivery="weekly")
    pilot = PilotFactory(
        idea=colleagues_idea, accounts=[alice.membership.account], state=PilotState.RUNNING
    )
    enrolment = enrolled(pilot, alice)
    response = feedback_response(
        enrolment,
        pilot.check_ins.get(position=2),
        experienced={"useful": 6},
        recommend=9,
        unmet=ALICE_TEXTS["verbatim"],
    )
    agreement_accepted(pilot, alice.membership.account, by=alice)
    return Contributions(
        garden=garden,
        own_idea=own_idea,
        colleagues_idea=colleagues_idea,
        comment=comment,
        thread=thread,
        reply=alices_reply,
        pilot=pilot,
        response=response,
    )
