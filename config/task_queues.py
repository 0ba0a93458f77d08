"""Which Celery queue each of our tasks goes to, so each kind of work can have workers of its
own, on other machines (docs/scaling.md):

- engagement: the engagement engine's recomputes and the milestones computed from its events;
  long, heavy on the database, and fine to run a few minutes late;
- email: every task that sends email (invitations, notifications, digests, reminders);
- webhooks: posts to other systems (webhooks, chat channels), which wait on the network;
- default: the rest (the outbox relay, purges, pilot schedules): short and few.

Every task of ours is named here: tests/test_task_queues.py fails for one that is not, rather
than let it fall to the default queue unnoticed. Queue names carry CELERY_QUEUE_PREFIX (empty
in production), so a test's or a benchmark's worker consumes its own queues only.
"""

from __future__ import annotations

from typing import Any

DEFAULT = "default"
ENGAGEMENT = "engagement"
EMAIL = "email"
WEBHOOKS = "webhooks"
QUEUES = (DEFAULT, ENGAGEMENT, EMAIL, WEBHOOKS)

TASK_QUEUES: dict[str, str] = {
    # accounts
    "accounts.tasks.invitation_send_task": EMAIL,
    "accounts.tasks.outbox_relay_task": DEFAULT,
    "accounts.tasks.invitations_purge_task": DEFAULT,
    "accounts.tasks.audit_purge_task": DEFAULT,
    "accounts.tasks.submissions_purge_task": DEFAULT,
    # community: email
    "community.tasks.notification_email_task": EMAIL,
    "community.tasks.notification_emails_task": EMAIL,
    "community.tasks.notification_digests_daily_task": EMAIL,
    "community.tasks.notification_digests_weekly_task": EMAIL,
    "community.tasks.alert_digests_task": EMAIL,
    # community: a large audience told in chunks (writes notifications; their emails are
    # queued on the email queue by each chunk)
    "community.tasks.notification_fanout_task": DEFAULT,
    # community: the engagement engine and what it awards
    "community.tasks.engagement_recompute_task": ENGAGEMENT,
    "community.tasks.engagement_repair_task": ENGAGEMENT,
    "community.tasks.engagement_recompute_all_task": ENGAGEMENT,
    "community.tasks.engagement_recompute_nightly_task": ENGAGEMENT,
    "community.tasks.engagement_recompute_incremental_task": ENGAGEMENT,
    "community.tasks.engagement_recompute_accounts_task": ENGAGEMENT,
    "community.tasks.insights_loyalty_ahead_task": ENGAGEMENT,
    "community.tasks.milestones_award_task": ENGAGEMENT,
    "community.tasks.milestones_award_recent_task": ENGAGEMENT,
    "community.tasks.milestones_award_all_task": ENGAGEMENT,
    # community: posts to other systems
    "community.tasks.webhook_deliver_task": WEBHOOKS,
    "community.tasks.webhook_deliveries_requeue_task": WEBHOOKS,
    "community.tasks.chat_delivery_post_task": WEBHOOKS,
    "community.tasks.chat_digest_post_task": WEBHOOKS,
    "community.tasks.chat_digests_daily_task": WEBHOOKS,
    "community.tasks.chat_digests_weekly_task": WEBHOOKS,
    "community.tasks.chat_posts_requeue_task": WEBHOOKS,
    # ideas
    "ideas.tasks.feedback_reminders_task": EMAIL,
    "ideas.tasks.pilots_advance_schedule_task": DEFAULT,
}


def queue_name(queue: str, prefix: str) -> str:
    """The broker's name of one of QUEUES for a deployment (prefix "") or a test's worker."""
    return f"{prefix}{queue}"


def task_route(name: str, args, kwargs, options, task=None, **kw) -> dict[str, Any]:
    """CELERY_TASK_ROUTES: the queue of `name` under the app's CELERY_QUEUE_PREFIX (Celery's
    own tasks, such as chord callbacks, go to the default queue)."""
    from config.celery import app

    prefix = app.conf.get("queue_prefix", "") or ""
    return {"queue": queue_name(TASK_QUEUES.get(name, DEFAULT), prefix)}
