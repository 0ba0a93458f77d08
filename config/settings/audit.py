"""The audit trail's settings (django-auditlog; accounts/audit.py says what is audited), read
by base.py."""

from celery.schedules import crontab

from config.env import env_int

# Its rows are ours (accounts.AuditEntry); changes are kept as JSON values, secrets masked.
AUDITLOG_LOGENTRY_MODEL = "accounts.AuditEntry"
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # loaddata's fixtures are no one's change
# Rows older than this many days are deleted every night (accounts.tasks.audit_purge_task).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730, minimum=30)
AUDIT_BEAT_SCHEDULE = {
    "purge-old-audit-entries": {
        "task": "accounts.tasks.audit_purge_task",
        "schedule": crontab(minute=47, hour=3),
    },
}
