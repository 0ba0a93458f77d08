"""The world of the naming crawl (tests/test_naming_crawl.py): the isolation matrix's world
(tests/isolation_cases.py), plus a garden open to both accounts ("Commons") where account A's
people, with distinctive names and addresses, take part in everything a person of another
account could be named by: ideas, comments, votes, a withdrawal, a merge, threads, posts,
replies and mentions, reactions, a pilot with their feedback, a harvest they inspired and whose
source is their thread. Every notification kind reaches account B's people with one of A's
people as the actor. The URL placeholders of the matrix point at the shared objects here."""

from __future__ import annotations

from django.core import mail

from accounts.models import User
from community.models import (
    Garden,
    HarvestAudience,
    HarvestKind,
    Notification,
    Post,
    ReactionKind,
)
from community.models.notifications import KINDS, actor_text
from community.services import discussions
from community.services.gardens import garden_join
from community.services.harvests import harvest_create, harvest_publish
from community.services.notifications import notify
from ideas.models import CheckIn, Comment, IdeaStatus
from ideas.services.ideas import (
    idea_comment,
    idea_follow,
    idea_merge,
    idea_propose,
    idea_transition,
    idea_vote_toggle,
)
from tests.accounts.factories import customer
from tests.ideas.factories import PilotFactory, agreement_accepted, enrolled, feedback_response
from tests.isolation_cases import World, build_world

# A's people: what B must never read (with the setting on, the first names may show).
A_PEOPLE = {
    "member_a": ("Alice", "Vexwood"),
    "admin_a": ("Anna", "Marchbanks"),
    "zelda": ("Zelda", "Quillfeather"),
}


def build_naming_world(*, shows_other_members: bool) -> World:
    world = build_world()
    p = world.people
    a = p["member_a"].membership.account
    for key, (first, last) in A_PEOPLE.items():
        if key in p:
            email = f"{first}.{last}@acme.example".lower()  # not the help texts' "alice@…"
            User.objects.filter(pk=p[key].pk).update(first_name=first, last_name=last, email=email)
            p[key].refresh_from_db()
    p["zelda"] = zelda = customer(
        a, first_name="Zelda", last_name="Quillfeather", email="zelda.quill@acme.example"
    )
    commons = Garden.objects.get(slug="commons")
    commons.shows_other_members = shows_other_members
    commons.save(update_fields=["shows_other_members"])
    for person in ("member_a", "admin_a", "zelda"):
        garden_join(garden=commons, user=p[person])
    ids = _shared_activity(world, commons, zelda)
    _every_kind_from_a(world, commons, zelda)
    world.ids.update(ids)
    mail.outbox.clear()
    return world


def _shared_activity(world: World, commons: Garden, zelda: User) -> dict:
    p = world.people
    b_member, b_admin = p["member_b"], p["admin_b"]
    idea = idea_propose(
        garden=commons, author=zelda, title="Shared offline", job_to_be_done="j", proposal="p"
    )
    duplicate = idea_propose(
        garden=commons, author=p["member_a"], title="Shared sync", job_to_be_done="j", proposal="p"
    )
    withdrawn = idea_propose(
        garden=commons, author=zelda, title="Shared maps", job_to_be_done="j", proposal="p"
    )
    for follower in (b_member, b_admin):
        for followed in (idea, duplicate, withdrawn):
            idea_follow(idea=followed, user=follower)
    idea_vote_toggle(idea=idea, user=p["admin_a"])
    idea_vote_toggle(idea=idea, user=b_member)
    idea_comment(idea=idea, author=zelda, body="Shared comment")
    idea_comment(idea=idea, author=b_member, body="Our comment")
    idea_transition(idea=withdrawn, actor=zelda, to_status=IdeaStatus.WITHDRAWN, reason="Gone")
    idea_merge(duplicate=duplicate, original=idea, actor=p["product_manager"], reason="Same")

    thread = discussions.thread_start(
        garden=commons, author=zelda, title="Shared roadmap", body="Hello @bob and @bea"
    )
    opening = Post.objects.get(thread=thread)
    b_thread = Post.objects.filter(thread__garden=commons, author=b_member).first().thread
    reply = discussions.post_reply(thread=b_thread, author=zelda, body="Shared reply, thanks @anna")
    discussions.post_reply(thread=thread, author=b_member, body="Thanks @zelda.quill")
    discussions.reaction_toggle(post=opening, user=b_member, kind=ReactionKind.HELPFUL)
    discussions.reaction_toggle(
        post=Post.objects.filter(thread=b_thread).first(), user=zelda, kind=ReactionKind.HELPFUL
    )

    b = b_member.membership.account
    a = zelda.membership.account
    pilot = PilotFactory(idea=idea, title="Shared pilot", accounts=[a, b])
    agreement_accepted(pilot, a, by=p["admin_a"])
    agreement_accepted(pilot, b, by=b_admin)
    zelda_enrolment = enrolled(pilot, zelda)
    b_enrolment = enrolled(pilot, b_member)
    check_in = CheckIn.objects.filter(pilot=pilot).order_by("position", "pk").first()
    feedback_response(zelda_enrolment, check_in)
    feedback_response(b_enrolment, check_in, draft=True)

    steward = p["steward"]
    commons.stewards.add(steward)
    harvest = harvest_create(
        created_by=steward,
        title="Shared harvest",
        summary="What we learned",
        kind=HarvestKind.PLAYBOOK,
        garden=commons,
        audience=HarvestAudience.GARDEN,
        source_thread=thread,
        inspired_by=[zelda, p["member_a"]],
    )
    harvest = harvest_publish(harvest=harvest, by=steward)
    return {
        "garden": commons.slug,
        "thread": thread.pk,
        "opening": opening.pk,
        "post": reply.pk,
        "idea": idea.pk,
        "duplicate": duplicate.pk,
        "comment": Comment.objects.filter(idea=idea, author=zelda).get().pk,
        "pilot": pilot.pk,
        "check_in": check_in.pk,
        "harvest": harvest.slug,
        "notification": Notification.objects.filter(user=b_member).order_by("pk").first().pk,
        "person": zelda.pk,
    }


def _every_kind_from_a(world: World, commons: Garden, zelda: User) -> None:
    """One notification of every registered kind to B's people with Zelda as its actor, named
    by the slot (the services above made the real ones of the kinds A's people cause)."""
    p = world.people
    for kind in KINDS:
        notify(
            users=[p["member_b"], p["admin_b"]],
            kind=kind,
            title=actor_text("{actor} did something: {kind}", kind=kind),
            body=actor_text("{actor} wrote it.", kind=kind),
            url="/notifications/",
            actor=zelda,
            garden=commons,
            names_actor=True,
        )
