"""Existing idea notifications (a comment, a move, a merge) had the actor's full name written
into their body, whoever read them. Each now keeps who acted instead (found from the idea its
link points at: the comment or the step of the workflow whose author and text match) and names
them at read time. A row whose actor cannot be found keeps its text, with the name taken out
when its reader is a customer (it may have been another account's member)."""

import re

from django.db import migrations

IDEA_LINK = re.compile(r"^/ideas/(\d+)/$")
KINDS = ("idea_comment", "idea_status", "idea_merged")
SOMEONE = "Someone"


def _escape(text):
    return text.replace("{", "{{").replace("}", "}}")


def _name(user):
    if user is None:
        return SOMEONE
    return f"{user.first_name} {user.last_name}".strip() or SOMEONE


def _separator(kind):
    return " moved it from " if kind == "idea_status" else ": "


def _candidates(apps, notification, idea_id):
    """(person, their text after the separator) of who may have caused the notification."""
    Comment = apps.get_model("ideas", "Comment")
    IdeaTransition = apps.get_model("ideas", "IdeaTransition")
    if notification.kind == "idea_comment":
        rows = Comment.objects.filter(idea_id=idea_id).select_related("author")
        return [(c.author, c.body[:300], c.created_at) for c in rows if c.author_id]
    if notification.kind == "idea_status":
        rows = IdeaTransition.objects.filter(idea_id=idea_id).select_related("actor")
    else:
        rows = IdeaTransition.objects.filter(
            idea__merged_into_id=idea_id, to_status="merged"
        ).select_related("actor")
    return [(t.actor, t.reason, t.created_at) for t in rows if t.actor_id]


def _actor(apps, notification, idea_id):
    separator = _separator(notification.kind)
    found = [
        (abs((at - notification.created_at).total_seconds()), person)
        for person, text, at in _candidates(apps, notification, idea_id)
        if notification.body.startswith(_name(person) + separator)
        and notification.body.endswith(text)
    ]
    return min(found, key=lambda pair: pair[0])[1] if found else None


def actors_from_ideas(apps, schema_editor):
    Notification = apps.get_model("community", "Notification")
    Idea = apps.get_model("ideas", "Idea")
    Membership = apps.get_model("accounts", "Membership")
    accounts = dict(Membership.objects.values_list("user_id", "account_id"))
    for notification in Notification.objects.filter(kind__in=KINDS, names_actor=False).iterator(
        chunk_size=2000
    ):
        separator = _separator(notification.kind)
        link = IDEA_LINK.match(notification.url or "")
        if separator not in notification.body or link is None:
            continue
        idea = Idea.objects.filter(pk=link.group(1)).first()
        actor = _actor(apps, notification, idea.pk) if idea is not None else None
        rest = notification.body[len(_name(actor)) :] if actor else ""
        if actor is not None:
            notification.actor_id = actor.pk
            notification.actor_account_id = accounts.get(actor.pk)
            notification.garden_id = idea.garden_id
            notification.names_actor = True
            notification.title = _escape(notification.title)
            notification.body = "{actor}" + _escape(rest)
        elif notification.user_id in accounts:
            rest = notification.body.split(separator, 1)[1]
            notification.body = SOMEONE + separator + rest
        else:
            continue
        notification.save(
            update_fields=["actor", "actor_account", "garden", "names_actor", "title", "body"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_api_tokens_from_drf"),
        ("community", "0018_notification_actor"),
        ("ideas", "0002_single_line_fields"),
    ]

    operations = [migrations.RunPython(actors_from_ideas, migrations.RunPython.noop)]
