"""How Django learns who a session's person is and what they may do (`user.has_perm`):
Django's ModelBackend, reading a person together with their customer membership (one query
where it took two), and their permissions, their own and their groups', in one query instead of
its two.

accounts.access and ideas.access ask `has_perm` on most pages and API calls ("does this person
see every account?"), so the first question of a request costs this query; the answer is kept
on the user object for the rest of the request, as ModelBackend keeps it (`_perm_cache`).
A call with an API token reads them with the token, in the same query (PostgreSQL:
`granted_names`, then `permissions_known`), so it asks no other.
Passwords, active users and everything else are ModelBackend's own.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat

from accounts.models import User
from config.sql_once import SqlOnce


class PermissionBackend(ModelBackend):
    """ModelBackend whose `get_user` brings the membership along and whose
    `get_all_permissions` is one query (a superuser: every permission)."""

    def get_user(self, user_id):
        """The session's person, with their customer membership and its account in the same
        query: `accounts.access.customer_membership`, asked on nearly every page, then reads
        them from the user object (None, also from there, for an internal user)."""
        if not isinstance(user_id, int):  # a session written by another user model's pk
            user_id = User._meta.pk.to_python(user_id)
        user = _SESSION_USER.first(user_id=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _permission_names(user_obj)
        return user_obj._perm_cache


# Asked on every request with a session: its SQL is written once per process.
_SESSION_USER = SqlOnce(
    User,
    lambda user_id: User._default_manager.select_related("membership__account").filter(pk=user_id)[
        :1
    ],
    user_id=int,
)


def _granted_permissions(user_id) -> QuerySet:
    """The permissions given to the person or to their groups."""
    own = User.user_permissions.through.objects.filter(user_id=user_id).values("permission_id")
    of_groups = Group.permissions.through.objects.filter(group__user=user_id).values(
        "permission_id"
    )
    return Permission.objects.filter(Q(pk__in=own) | Q(pk__in=of_groups)).order_by()


def _granted(user_id) -> QuerySet:
    """The (app label, codename) of the permissions given to the person or to their groups."""
    return _granted_permissions(user_id).values_list("content_type__app_label", "codename")


def granted_names(user_id_column: str):
    """For another query (PostgreSQL) to select with its rows: the names ("app.codename") of
    the permissions given to the person whose id is its column `user_id_column`, or to their
    groups, as an array; `permissions_known` keeps them for the request."""
    from django.contrib.postgres.expressions import ArraySubquery

    # Two levels out: the person's id is read inside the subqueries of the permissions' query.
    names = _granted_permissions(OuterRef(OuterRef(user_id_column))).values_list(
        Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
    )
    return ArraySubquery(names)


def permissions_known(user: User, names: list[str]) -> None:
    """Keep `names` (read by `granted_names` in the query that loaded `user`) as the person's
    permissions for the rest of the request, as `get_all_permissions` would have read them,
    which then asks no query. A superuser's are every permission: those are read as before."""
    if not user.is_superuser:
        user._perm_cache = set(names)


# Asked on most API calls: its SQL, written by the ORM, costs more than running it.
_GRANTED = SqlOnce(Permission, lambda user_id: _granted(user_id), user_id=int)


def _permission_names(user: User) -> set[str]:
    if user.is_superuser:
        rows = Permission.objects.values_list("content_type__app_label", "codename")
    else:
        rows = _GRANTED.all(user_id=user.pk)
    return {f"{app_label}.{codename}" for app_label, codename in rows}
