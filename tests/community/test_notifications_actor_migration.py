"""The data migrations that turn the names once written into idea, mention and reply
notifications into the person who acted (community 0019, ideas 0003): run on rows made the old
way, then read by their person."""

from __future__ import annotations

import importlib

from django.apps import apps

from community.models import Notification
from community.services.discussions import post_reply, thread_start
from ideas.services.ideas import idea_comment, idea_propose
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory

from_ideas = importlib.import_module("ideas.migrations.0003_notification_actor_from_ideas")
from_posts = importlib.import_module("community.migrations.0019_notification_actor_from_posts")
ANOTHER = "A member of another account"


def _old_row(user, **fields) -> Notification:
    return Notification.objects.create(user=user, names_actor=False, **fields)


def test_an_old_comment_notification_names_its_actor_for_the_reader(
    account_a, member_b, product_manager
):
    zelda = customer(account_a, first_name="Zelda", last_name="Quillfeather")
    idea = idea_propose(
        garden=GardenFactory(),
        author=zelda,
        title="Offline {mode}",
        job_to_be_done="j",
        proposal="p",
    )
    idea_comment(idea=idea, author=zelda, body="We need it.")
    Notification.objects.all().delete()
    body = "Zelda Quillfeather: We need it."
    for reader in (member_b, product_manager):
        _old_row(
            reader,
            kind="idea_comment",
            title=f"New comment on “{idea.title}”",
            body=body,
            url=idea.get_absolute_url(),
        )
    lost = _old_row(member_b, kind="idea_comment", title="t", body=body, url="/ideas/999999/")

    from_ideas.actors_from_ideas(apps, None)

    outsider = Notification.objects.get(user=member_b, url=idea.get_absolute_url())
    internal = Notification.objects.get(user=product_manager)
    assert outsider.actor == zelda and outsider.names_actor
    assert outsider.shown_body == f"{ANOTHER}: We need it."
    assert outsider.shown_title == "New comment on “Offline {mode}”"
    assert internal.shown_body == body
    lost.refresh_from_db()
    assert lost.actor is None and lost.shown_body == "Someone: We need it."


def test_an_old_reply_notification_names_its_author_for_the_reader(account_a, member_b):
    zelda = customer(account_a, first_name="Zelda", last_name="Quillfeather")
    garden = GardenFactory()
    from community.services.gardens import garden_join

    garden_join(garden=garden, user=zelda)
    garden_join(garden=garden, user=member_b)
    thread = thread_start(garden=garden, author=member_b, title="Roadmap", body="Hello")
    post = post_reply(thread=thread, author=zelda, body="Answer")
    Notification.objects.all().delete()
    url = f"/gardens/{garden.slug}/threads/{thread.pk}/posts/{post.pk}/"
    old = _old_row(
        member_b,
        kind="reply",
        title="Zelda Quillfeather replied in “Roadmap”",
        body="Answer",
        url=url,
    )

    from_posts.actors_from_posts(apps, None)

    old.refresh_from_db()
    assert old.actor == zelda and "Quillfeather" not in old.title
    assert old.shown_title == f"{ANOTHER} replied in “Roadmap”"
