"""How Django learns who a session's person is and what they may do (`user.has_perm`):
Django's ModelBackend, reading a person together with their customer membership (one query
where it took two), and their permissions, their own and their groups', in one query instead of
its two.

accounts.access and ideas.access ask `has_perm` on most pages and API calls ("does this person
see every account?"), so the first question of a request costs this query; the answer is kept
on the user object for the rest of the request, as ModelBackend keeps it (`_perm_cache`).
A call with an API token reads them with the token, in the same query (PostgreSQL:
`granted_ids`, then `permissions_known`), so it asks no other. PostgreSQL sends the permissions'
ids, which are named from a table of every permission's name kept per process
(`permission_names`).
Passwords, active users and everything else are ModelBackend's own.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connections, router
from django.db.models import Func, IntegerField, OuterRef, Q, QuerySet

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


def granted_ids(user_id_column: str):
    """For another query (PostgreSQL) to select with its rows: the ids of the permissions given
    to the person whose id is its column `user_id_column`, or to their groups, as one array (an
    id given both ways comes twice); `permissions_known` names them and keeps them for the
    request. Ids, not names: naming 300 permissions in SQL (a join and a concatenation each)
    cost PostgreSQL more than the rest of a cheap API call's queries."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.contrib.postgres.fields import ArrayField

    own = User.user_permissions.through.objects.filter(user_id=OuterRef(user_id_column))
    of_groups = Group.permissions.through.objects.filter(
        group_id__in=User.groups.through.objects.filter(
            user_id=OuterRef(OuterRef(user_id_column))
        ).values("group_id")
    )
    return Func(
        ArraySubquery(own.values("permission_id")),
        ArraySubquery(of_groups.values("permission_id")),
        function="array_cat",
        output_field=ArrayField(IntegerField()),
    )


def permissions_known(user: User, ids: list[int]) -> None:
    """Keep the permissions `ids` (read by `granted_ids` in the query that loaded `user`) as the
    person's permissions for the rest of the request, as `get_all_permissions` would have read
    them, which then asks no query. A superuser's are every permission: those are read as
    before."""
    if not user.is_superuser:
        user._perm_cache = permission_names(ids, using=user._state.db or "default")


# Per database: each permission's name ("app_label.codename") by its id. A permission's row is
# written by migrate and not changed after (a renamed model keeps its permissions' codenames), so
# the names are read once, again when an id is not among them, and forgotten when a permission
# or a content type is saved or deleted in this process, or after migrate (connected in
# accounts.apps).
_NAMES: dict[str, dict[int, str]] = {}


def permission_names(ids, *, using: str) -> set[str]:
    """The names of the permissions `ids` (an id no permission has any more is left out)."""
    names = _NAMES.get(using)
    if names is None or not names.keys() >= set(ids):
        rows = Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
        names = _NAMES[using] = {pk: f"{app_label}.{codename}" for pk, app_label, codename in rows}
    return {names[pk] for pk in ids if pk in names}


def permission_names_forget(**kwargs) -> None:
    """Forget every database's names (a permission or content type changed, or migrate ran)."""
    _NAMES.clear()


# Asked on most requests with a session: its SQL, written by the ORM, costs more than running it.
_GRANTED_IDS = SqlOnce(
    User,
    lambda user_id: (
        User._default_manager.filter(pk=user_id)
        .annotate(granted=granted_ids("pk"))
        .values_list("granted", flat=True)[:1]
    ),
    user_id=int,
)


def _permission_names(user: User) -> set[str]:
    if user.is_superuser:
        rows = Permission.objects.values_list("content_type__app_label", "codename")
        return {f"{app_label}.{codename}" for app_label, codename in rows}
    alias = router.db_for_read(User)
    if connections[alias].vendor == "postgresql":
        return permission_names(_GRANTED_IDS.first(user_id=user.pk) or [], using=alias)
    return {f"{app_label}.{codename}" for app_label, codename in _granted(user.pk)}
