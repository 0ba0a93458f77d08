"""Celery beat's schedule, read into base.py: every periodic task of ours and when it runs (the
audit trail's own purge comes from audit.py). Queues are config/task_queues.py's."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Tasks whose publish failed (the broker was down) are published from the outbox.
    "outbox-relay": {
        "task": "accounts.tasks.outbox_relay_task",
        "schedule": crontab(),  # every minute
    },
    "purge-stale-invitations": {
        "task": "accounts.tasks.invitations_purge_task",
        "schedule": crontab(minute=17, hour=3),
    },
    "purge-old-submissions": {  # form tokens and idempotency keys past their retention
        "task": "accounts.tasks.submissions_purge_task",
        "schedule": crontab(minute=23),  # hourly
    },
    "advance-pilot-schedules": {
        "task": "ideas.tasks.pilots_advance_schedule_task",
        "schedule": crontab(minute=5),  # hourly: pilots open and close early on their day
    },
    "feedback-reminders": {
        "task": "ideas.tasks.feedback_reminders_task",
        "schedule": crontab(minute=40, hour=8),  # daily, in the morning (UTC)
    },
    "engagement-incremental": {
        "task": "community.tasks.engagement_recompute_incremental_task",
        "schedule": crontab(minute="*/15"),  # accounts with new events since the last run
    },
    "engagement-nightly": {
        "task": "community.tasks.engagement_recompute_nightly_task",
        "schedule": crontab(minute=20, hour=0),  # every account, settling the day just over
    },
    # Loyalty over time (lifelines' fits) for the insights page's first view, off the request
    # path, a few minutes after each incremental run.
    "insights-loyalty-ahead": {
        "task": "community.tasks.insights_loyalty_ahead_task",
        "schedule": crontab(minute="9-59/15"),
    },
    "alert-digests": {
        "task": "community.tasks.alert_digests_task",
        "schedule": crontab(minute=0, hour=7),  # daily, before the working day (UTC)
    },
    "webhook-deliveries-requeue": {
        "task": "community.tasks.webhook_deliveries_requeue_task",
        "schedule": crontab(minute="*/5"),  # deliveries whose task was lost, queued again
    },
    # Milestones (badges): the people active lately, and everyone after the nightly run.
    "milestones-recent": {
        "task": "community.tasks.milestones_award_recent_task",
        "schedule": crontab(minute="7-59/15"),  # a few minutes after each incremental run
    },
    "milestones-nightly": {
        "task": "community.tasks.milestones_award_all_task",
        "schedule": crontab(minute=50, hour=0),  # after the nightly engagement run
    },
    # Notification digests: at most one per person and period however often they run.
    "notification-digests-daily": {
        "task": "community.tasks.notification_digests_daily_task",
        "schedule": crontab(minute=10, hour=7),  # daily, before the working day (UTC)
    },
    "notification-digests-weekly": {
        "task": "community.tasks.notification_digests_weekly_task",
        "schedule": crontab(minute=30, hour=7, day_of_week="mon"),  # Monday mornings
    },
}
