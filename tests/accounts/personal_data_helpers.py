"""A member who did a bit of everything, for the personal data tests (download and erasure):
Alice of Acme proposed an idea, voted for and commented on a colleague's, replied in a
colleague's thread and reacted to it, was told something, enrolled in a pilot, gave feedback
and accepted its agreement."""

from __future__ import annotations

from dataclasses import dataclass

from accounts import services as account_services
from accounts.models import User
from community.models import Garden, NotificationPreference, Post, Thread
from community.services import discussions
from community.services.notifications import notify
from ideas.models import Comment, FeedbackResponse, Idea, Pilot, PilotState
from ideas.services import ideas as idea_services
from tests.community.discussions_helpers import garden_with, opening, reply, start
from tests.ideas.factories import (
    IdeaFactory,
    PilotFactory,
    agreement_accepted,
    enrolled,
    feedback_response,
)

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
    account_services.user_update_profile(
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
