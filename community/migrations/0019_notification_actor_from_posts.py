"""Existing mention and reply notifications had the author's name written into their title,
named for the reader when they were made. Each now keeps who acted instead (the post's author,
account and garden, found from the post its link points at) and names them at read time.
A row whose post is gone keeps its text, with the name taken out when its reader is a customer
(it may have been another account's member)."""

import re

from django.db import migrations

POST_LINK = re.compile(r"^/gardens/[^/]+/threads/\d+/posts/(\d+)/$")
VERBS = {"mention": " mentioned you in ", "reply": " replied in "}
SOMEONE = "Someone"


def _escape(text):
    return text.replace("{", "{{").replace("}", "}}")


def actors_from_posts(apps, schema_editor):
    Notification = apps.get_model("community", "Notification")
    Post = apps.get_model("community", "Post")
    Membership = apps.get_model("accounts", "Membership")
    customers = set(Membership.objects.values_list("user_id", flat=True))
    rows = Notification.objects.filter(kind__in=list(VERBS), names_actor=False)
    for notification in rows.iterator(chunk_size=2000):
        verb = VERBS[notification.kind]
        if verb not in notification.title:
            continue
        rest = notification.title.split(verb, 1)[1]
        link = POST_LINK.match(notification.url or "")
        post = (
            Post.objects.select_related("thread").filter(pk=link.group(1)).first() if link else None
        )
        if post is not None and post.author_id is not None:
            notification.actor_id = post.author_id
            notification.actor_account_id = post.account_id
            notification.garden_id = post.thread.garden_id
            notification.names_actor = True
            notification.title = ("{actor}" + _escape(verb + rest))[:200]
            notification.body = _escape(notification.body)
        elif notification.user_id in customers:
            notification.title = (SOMEONE + verb + rest)[:200]
        else:
            continue
        notification.save(
            update_fields=["actor", "actor_account", "garden", "names_actor", "title", "body"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_api_tokens_from_drf"),
        ("community", "0018_notification_actor"),
    ]

    operations = [migrations.RunPython(actors_from_posts, migrations.RunPython.noop)]
