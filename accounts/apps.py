"""The accounts app: when ready, syncs the role groups after each migrate, stamps each login
with the times the session limits are measured from, registers its audited models, forgets
the permissions' names it keeps when they may have changed, and has each new PostgreSQL
connection read timestamps with psycopg's C loader (config/db_timestamps.py)."""

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _sync_roles(**kwargs) -> None:
    from accounts.services import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and people"

    def ready(self) -> None:
        # Groups need the permissions of every app, which exist only after migrate.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.roles_sync")
        # Every app's reads: timestamps parsed in C, not in Python (config/db_timestamps.py).
        from config.db_timestamps import use_c_timestamp_loader

        connection_created.connect(use_c_timestamp_loader, dispatch_uid="config.c_timestamps")
        # A login stamps its session with the times the session limits are measured from.
        from accounts.middleware import session_times_start

        user_logged_in.connect(session_times_start, dispatch_uid="accounts.session_times_start")
        # Which of its models the audit trail records (accounts/audit.py).
        from accounts import audit

        audit.register()
        # Permissions are named from a table kept per process (accounts.permission_backend).
        from django.contrib.auth.models import Permission
        from django.contrib.contenttypes.models import ContentType
        from django.db.models.signals import post_delete, post_save

        from accounts.permission_backend import permission_names_forget

        post_migrate.connect(permission_names_forget, dispatch_uid="accounts.names_forget")
        for model in (Permission, ContentType):
            for signal in (post_save, post_delete):
                signal.connect(
                    permission_names_forget,
                    sender=model,
                    dispatch_uid=f"accounts.names_forget.{model.__name__}",
                )
