"""Who may see which gardens. Invite-only gardens get their invited accounts in issue 5."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import (
    access_account,
    customer_membership,
    is_internal,
    manages_all_accounts,
    visible_accounts,
)
from accounts.models import Account, AccountTeamAssignment, InternalRole, MemberRole, User
from community.models import (
    Alert,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    ImportBatch,
    Notification,
    Post,
    Thread,
    WebhookDelivery,
    WebhookEndpoint,
)


def visible_gardens(user: User) -> QuerySet[Garden]:
    """Internal users see every garden; customers see the open ones and the invite-only ones
    their account accepted. An account's admins also see the gardens their account is invited
    to (still unanswered), so they can answer; its other members do not until it accepts.
    Declined: invisible again (a new invitation makes it visible to the admins)."""
    if not user.is_authenticated or not user.is_active:
        return Garden.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return Garden.objects.all()  # internal users see every garden
    statuses = [GardenAccountStatus.ACCEPTED]
    if membership.role == MemberRole.ADMIN:
        statuses.append(GardenAccountStatus.INVITED)
    invited = GardenAccount.objects.filter(
        account_id=membership.account_id, status__in=statuses
    ).values("garden_id")
    return Garden.objects.filter(Q(visibility=GardenVisibility.OPEN) | Q(pk__in=invited))


def garden_account_accepted(user: User, garden: Garden) -> bool:
    """May the customer's account take part: the garden is open, or its account accepted."""
    membership = customer_membership(user)
    if membership is None:
        return False
    if garden.visibility == GardenVisibility.OPEN:
        return True
    return GardenAccount.objects.filter(
        garden=garden, account_id=membership.account_id, status=GardenAccountStatus.ACCEPTED
    ).exists()


def can_manage_gardens(user: User) -> bool:
    """Programme admins create and edit gardens (and steward every one)."""
    if not user.is_authenticated or not user.is_active or customer_membership(user) is not None:
        return False  # (customers: no permission query)
    return manages_all_accounts(user)


def access_garden(user: User, slug: str, *, for_write: bool = False) -> Garden:
    """A visible garden (else 404); for_write: its settings, programme admins only (else 403)."""
    garden = visible_gardens(user).filter(slug=slug).first()
    if garden is None:
        raise Http404("No such garden.")
    if for_write and not can_manage_gardens(user):
        raise PermissionDenied("Only programme admins change gardens.")
    return garden


def garden_is_member(user: User, garden: Garden) -> bool:
    """Has the customer joined the garden (internal users need no membership: False)."""
    membership = customer_membership(user)
    if membership is None or not user.is_active:
        return False
    return GardenMembership.objects.filter(
        garden=garden, user=user, account_id=membership.account_id
    ).exists()


def garden_is_steward(user: User, garden: Garden) -> bool:
    """A steward of the garden, or a programme admin / superuser (they steward every garden)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or manages_all_accounts(user):
        return True
    if customer_membership(user) is not None:
        return False
    return garden.stewards.filter(pk=user.pk).exists()


def garden_can_post(user: User, garden: Garden) -> bool:
    """Customers post where they are members; internal users everywhere they see."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_internal(user):
        return True
    return garden_is_member(user, garden)


def garden_can_invite(user: User, garden: Garden) -> bool:
    """Programme admins and the garden's stewards invite accounts (invite-only gardens)."""
    return garden_is_steward(user, garden)


def access_garden_for_invitations(user: User, slug: str) -> Garden:
    """A garden whose invitations the user manages: 404 if not visible, 403 if not a steward."""
    garden = access_garden(user, slug)
    if not garden_can_invite(user, garden):
        raise PermissionDenied("Only the garden's stewards and programme admins invite.")
    return garden


def visible_garden_invitations(user: User) -> QuerySet[GardenAccount]:
    """Invitations (GardenAccount rows) the user sees: programme admins all, stewards those of
    their gardens, a customer account's admins their own account's, everyone else none."""
    if not user.is_authenticated or not user.is_active:
        return GardenAccount.objects.none()
    if can_manage_gardens(user) or user.is_superuser:
        return GardenAccount.objects.all()
    membership = customer_membership(user)
    if membership is None:
        return GardenAccount.objects.filter(garden__stewards=user)
    if membership.role != MemberRole.ADMIN:
        return GardenAccount.objects.none()
    return GardenAccount.objects.filter(account_id=membership.account_id)


def access_garden_invitation(
    user: User, invitation_id: int, *, for_answer: bool = False
) -> GardenAccount:
    """An invitation the user sees (else 404); for_answer: only the invited account's admins
    accept or decline it (else 403)."""
    invitation = (
        visible_garden_invitations(user)
        .select_related("garden", "account")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    if for_answer:
        membership = customer_membership(user)
        if membership is None or membership.account_id != invitation.account_id:
            raise PermissionDenied("Only the invited account's admins answer an invitation.")
    return invitation


def access_notification(user: User, notification_id: int) -> Notification:
    """A person's own notification; anyone else's does not exist for them."""
    notification = Notification.objects.filter(user=user, pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    return notification


def access_account_engagement(user: User, account_id: int | str) -> Account:
    """An account's engagement, for its account team, product managers, programme admins and
    the account's own customer admins. Other customers: 404 (the account is not visible to
    them); a member of the account who is not its admin: 403 (they see the account, not this)."""
    account = access_account(user, account_id)
    membership = customer_membership(user)
    if membership is not None and membership.role != MemberRole.ADMIN:
        raise PermissionDenied("Only the account's admins see its engagement.")
    return account


def sees_engagement_details(user: User) -> bool:
    """Internal readers see why a level is what it is, the timeline and support events;
    a customer admin sees the reduced view (level, trend, what would raise it)."""
    return is_internal(user)


def portfolio_accounts(user: User) -> QuerySet[Account]:
    """The accounts of an internal user's portfolio: assigned ones for the account team, all
    for product managers and programme admins. Customers have no portfolio (403)."""
    if customer_membership(user) is not None:
        raise PermissionDenied("The portfolio is for account teams.")
    return visible_accounts(user)


# --- Loyalty outcomes and imports (issue 4) ------------------------------------------------
# Outcomes are internal: customers never see them, not even their own account's (403). The
# account team sees and records its accounts' outcomes; product managers see all (read-only);
# programme admins see and record all, and alone import CSV files.


def visible_outcome_accounts(user: User) -> QuerySet[Account]:
    """The accounts whose loyalty outcomes the user sees; customers: 403."""
    if customer_membership(user) is not None:
        raise PermissionDenied("Loyalty outcomes are for internal users.")
    return visible_accounts(user)


def access_account_for_outcomes(
    user: User, account_id: int | str, *, for_write: bool = False
) -> Account:
    """The account, if the user may see (or, for_write, record) its outcomes. Another account's
    customer: 404; the account's own customers: 403; product managers writing: 403."""
    account = access_account(user, account_id)
    if customer_membership(user) is not None:
        raise PermissionDenied("Loyalty outcomes are for internal users.")
    if for_write and not can_record_outcomes(user, account):
        raise PermissionDenied("Only the account's team and programme admins record outcomes.")
    return account


def can_record_outcomes(user: User, account: Account) -> bool:
    return manages_all_accounts(user) or (
        is_internal(user)
        and AccountTeamAssignment.objects.filter(user=user, account=account).exists()
    )


def can_import(user: User) -> bool:
    return user.is_authenticated and manages_all_accounts(user)


def access_import_batch(user: User, batch_id: int) -> ImportBatch:
    if not can_import(user):
        raise PermissionDenied("Only programme admins import files.")
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No such import.")
    return batch


# --- Alerts (issue 4) ------------------------------------------------------------------------
# Alerts are internal: customers get 403 on every alert route. The account team sees its
# accounts' alerts, product managers and programme admins see all; acknowledging and resolving
# is for the account's team and programme admins (product managers read only: 403).


def visible_alerts(user: User) -> QuerySet[Alert]:
    """The alerts of the accounts the user sees; customers: 403."""
    if customer_membership(user) is not None:
        raise PermissionDenied("Alerts are for account teams.")
    if not user.is_authenticated or not user.is_active:
        return Alert.objects.none()
    return Alert.objects.filter(account__in=visible_accounts(user))


def access_alert(user: User, alert_id: int, *, for_write: bool = False) -> Alert:
    """An alert of a visible account (else 404); for_write: the account's team or a programme
    admin (else 403)."""
    alert = visible_alerts(user).select_related("account").filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    if for_write and not (
        manages_all_accounts(user)
        or AccountTeamAssignment.objects.filter(user=user, account_id=alert.account_id).exists()
    ):
        raise PermissionDenied("Only the account's team and programme admins act on alerts.")
    return alert


# --- Engagement model settings, recomputes and offline events (issue 4) ----------------------


def can_tune_engagement(user: User) -> bool:
    """Programme admins change the engagement model and recompute any account (or all)."""
    return user.is_authenticated and manages_all_accounts(user)


def access_account_for_recompute(user: User, account_id: int | str) -> Account:
    """An account the user may recompute now: programme admins any, the account team its own
    accounts. Another account (or customer): 404; visible but not allowed (PMs, the account's
    own customers): 403."""
    account = access_account(user, account_id)
    if not can_record_outcomes(user, account):  # programme admins and the account's team
        raise PermissionDenied("Only the account's team and programme admins recompute it.")
    return account


# --- Webhooks (issue 4) ----------------------------------------------------------------------
# Outgoing webhooks are programme admins' settings: everyone else gets 403.


def require_webhook_admin(user: User) -> None:
    if not (user.is_authenticated and user.is_active and manages_all_accounts(user)):
        raise PermissionDenied("Only programme admins manage webhooks.")


def access_webhook_endpoint(user: User, endpoint_id: int) -> WebhookEndpoint:
    require_webhook_admin(user)
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def access_webhook_delivery(user: User, delivery_id: int) -> WebhookDelivery:
    require_webhook_admin(user)
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such webhook delivery.")
    return delivery


def access_account_for_offline_events(user: User, account_id: int | str) -> Account:
    """An account whose offline events (workshops, referrals) the user records: its account
    team and programme admins. Another account: 404; its own customers and PMs: 403."""
    account = access_account(user, account_id)
    if not can_record_outcomes(user, account):  # programme admins and the account's team
        raise PermissionDenied("Only the account's team and programme admins record events.")
    return account


def access_account_offline_event_list(user: User, account_id: int | str) -> Account:
    """An account whose offline events (with the team's notes) the user reads: internal users
    who see it. Another account: 404; the account's own customers: 403 (the notes are
    internal; the events count in the engagement they see)."""
    account = access_account(user, account_id)
    if not sees_engagement_details(user):
        raise PermissionDenied("Offline events and their notes are for internal users.")
    return account


# --- Harvests (issue 5) ----------------------------------------------------------------------
# Who sees a harvest: internal users every published one (and the drafts they may write);
# customers a published harvest targeted at their account (all customers, their segment, or a
# garden their account takes part in), and any harvest of a garden their account may take part
# in (open, or invite-only and accepted). A harvest of an invite-only garden that reaches an
# uninvited account (by segment or "all") is shown to it without its garden: see
# `harvest_garden_shown`. Stewards of the garden, product managers (they close the loop on
# pilots) and programme admins write and publish harvests.


def _account_gardens(account_id: int) -> QuerySet[Garden]:
    """The gardens an account may take part in: open ones, and invite-only ones it accepted."""
    accepted = GardenAccount.objects.filter(
        account_id=account_id, status=GardenAccountStatus.ACCEPTED
    ).values("garden_id")
    return Garden.objects.filter(Q(visibility=GardenVisibility.OPEN) | Q(pk__in=accepted))


def harvest_garden_shown_q(account_id: int) -> Q:
    """Harvest rows whose garden the account may see (name, link, source): open gardens and
    invite-only gardens it accepted. Others come from a garden it must not learn about."""
    accepted = GardenAccount.objects.filter(
        account_id=account_id, status=GardenAccountStatus.ACCEPTED
    ).values("garden_id")
    return Q(garden__visibility=GardenVisibility.OPEN) | Q(garden_id__in=accepted)


def harvest_targeted_q(account_id: int, segment: str) -> Q:
    """Published harvests aimed at the account: all customers, its segment, or a garden it takes
    part in (an open garden one of its members joined, an invite-only garden it accepted)."""
    joined_open = GardenMembership.objects.filter(
        account_id=account_id, garden__visibility=GardenVisibility.OPEN
    ).values("garden_id")
    accepted = GardenAccount.objects.filter(
        account_id=account_id, status=GardenAccountStatus.ACCEPTED
    ).values("garden_id")
    return Q(published_at__isnull=False) & (
        Q(audience=HarvestAudience.ALL)
        # A JSON list, matched as text so it works on SQLite and PostgreSQL alike.
        | Q(audience=HarvestAudience.SEGMENTS, segments__icontains=f'"{segment}"')
        | Q(audience=HarvestAudience.GARDEN, garden_id__in=joined_open)
        | Q(audience=HarvestAudience.GARDEN, garden_id__in=accepted)
    )


def can_write_harvests(user: User, garden: Garden | None = None) -> bool:
    """Write and publish harvests (of `garden`, or without a garden when None): programme
    admins and product managers anywhere, stewards in their gardens."""
    if not user.is_authenticated or not user.is_active or customer_membership(user) is not None:
        return False
    if user.is_superuser or manages_all_accounts(user):
        return True
    if user.has_role(InternalRole.PRODUCT_MANAGER):
        return True
    return garden is not None and garden.stewards.filter(pk=user.pk).exists()


def harvest_writable_gardens(user: User) -> QuerySet[Garden]:
    """The gardens whose harvests the user writes (stewards: theirs; PMs, admins: all)."""
    if not user.is_authenticated or not user.is_active or customer_membership(user) is not None:
        return Garden.objects.none()
    if user.is_superuser or manages_all_accounts(user):
        return Garden.objects.all()
    if user.has_role(InternalRole.PRODUCT_MANAGER):
        return Garden.objects.all()
    return Garden.objects.filter(stewards=user)


def visible_harvests(user: User) -> QuerySet[Harvest]:
    if not user.is_authenticated or not user.is_active:
        return Harvest.objects.none()
    membership = customer_membership(user)
    if membership is None:
        if can_write_harvests(user, None):
            return Harvest.objects.all()
        published_or_mine = Q(published_at__isnull=False) | Q(garden__stewards=user)
        return Harvest.objects.filter(pk__in=Harvest.objects.filter(published_or_mine).values("pk"))
    account = membership.account
    return Harvest.objects.filter(
        harvest_targeted_q(account.pk, account.segment)
        | Q(published_at__isnull=False, garden__in=_account_gardens(account.pk))
    )


def targeted_harvests(user: User) -> QuerySet[Harvest]:
    """The harvest feed's rows: published harvests aimed at the customer's account; internal
    users: every published harvest."""
    if not user.is_authenticated or not user.is_active:
        return Harvest.objects.none()
    membership = customer_membership(user)
    if membership is None:
        return Harvest.objects.filter(published_at__isnull=False)
    return Harvest.objects.filter(
        harvest_targeted_q(membership.account_id, membership.account.segment)
    )


def access_harvest(user: User, slug: str, *, for_write: bool = False) -> Harvest:
    """A visible harvest (else 404); for_write: its garden's stewards, product managers and
    programme admins (else 403)."""
    harvest = visible_harvests(user).select_related("garden").filter(slug=slug).first()
    if harvest is None:
        raise Http404("No such harvest.")
    if for_write and not can_write_harvests(user, harvest.garden):
        raise PermissionDenied("Only the garden's stewards, product managers and programme admins.")
    return harvest


def harvest_garden_shown(user: User, harvest: Harvest) -> bool:
    """May the user see where the harvest comes from (its garden's name, link and sources)."""
    if harvest.garden_id is None:
        return True
    membership = customer_membership(user)
    if membership is None:
        return True
    return (
        Harvest.objects.filter(pk=harvest.pk)
        .filter(harvest_garden_shown_q(membership.account_id))
        .exists()
    )


# --- Discussions (issue 5) -------------------------------------------------------------------
# Threads and posts live in a garden: who sees the garden sees its discussions. Hidden posts
# (and a thread whose opening post is hidden) vanish for customers: 404, as if they never were;
# internal users still see them, marked. Posting needs garden_can_post (403 otherwise);
# moderating needs garden_is_steward (403).


def sees_hidden_posts(user: User) -> bool:
    """Internal users (stewards among them) see hidden posts, marked; customers never."""
    return is_internal(user)


def discussion_gardens(user: User) -> QuerySet[Garden]:
    """Gardens whose discussions the user reads: internal users all; customers the open ones
    and those their account accepted (an admin who still has to answer an invitation sees
    the garden, not its conversations)."""
    gardens = visible_gardens(user)
    membership = customer_membership(user)
    if membership is None:
        return gardens
    accepted = GardenAccount.objects.filter(
        account_id=membership.account_id, status=GardenAccountStatus.ACCEPTED
    ).values("garden_id")
    return gardens.filter(Q(visibility=GardenVisibility.OPEN) | Q(pk__in=accepted))


def access_garden_discussions(user: User, slug: str) -> Garden:
    """A garden whose discussions the user reads: 404 if not visible, 403 if visible only to
    answer its invitation."""
    garden = access_garden(user, slug)
    if customer_membership(user) is not None and not garden_account_accepted(user, garden):
        raise PermissionDenied("Accept the invitation first: then your account takes part.")
    return garden


def visible_threads(user: User) -> QuerySet[Thread]:
    """The threads of the gardens whose discussions the user reads (hidden ones only for
    internal users)."""
    threads = Thread.objects.filter(garden__in=discussion_gardens(user))
    if not sees_hidden_posts(user):
        threads = threads.filter(hidden_at__isnull=True)
    return threads


def access_thread(
    user: User, thread_id: int | str, *, slug: str | None = None, for_write: bool = False
) -> Thread:
    """A visible thread (of the garden `slug` when given), else 404; for_write: the user may
    post in its garden, else 403."""
    threads = visible_threads(user).select_related("garden", "author", "account")
    if slug is not None:
        threads = threads.filter(garden__slug=slug)
    thread = threads.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("No such thread.")
    if for_write and not garden_can_post(user, thread.garden):
        raise PermissionDenied("Join the garden to take part in its discussions.")
    return thread


def access_post(
    user: User,
    post_id: int | str,
    *,
    thread: Thread | None = None,
    for_write: bool = False,
    for_moderation: bool = False,
) -> Post:
    """A visible post (of `thread` when given), else 404; for_write: the user may post in its
    garden, for_moderation: a steward of its garden, else 403."""
    posts = Post.objects.select_related("thread__garden", "author", "account", "hidden_by")
    if thread is not None:
        posts = posts.filter(thread=thread)
    else:
        posts = posts.filter(thread__in=visible_threads(user))
    if not sees_hidden_posts(user):
        posts = posts.filter(hidden_at__isnull=True)
    post = posts.filter(pk=post_id).first()
    if post is None:
        raise Http404("No such post.")
    if thread is not None:
        post.thread = thread  # the caller's, already checked and loaded
    garden = post.thread.garden
    if for_moderation and not garden_is_steward(user, garden):
        raise PermissionDenied("Only the garden's stewards moderate its discussions.")
    if for_write and not garden_can_post(user, garden):
        raise PermissionDenied("Join the garden to take part in its discussions.")
    return post


# --- Recognition: people's profiles (issue 5) ------------------------------------------------


def access_profile(user: User, person_id: int | str) -> User:
    """A person whose profile (contributions, badges) the user sees: a customer sees the active
    people of their own account; internal users see internal people and the people of the
    accounts they see (account teams: their accounts). Everyone else: 404, as if no one."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such person.")
    person = User.objects.select_related("membership__account").filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    try:
        person_account_id = person.membership.account_id
    except User.membership.RelatedObjectDoesNotExist:
        person_account_id = None  # an internal person
    viewer = customer_membership(user)
    if viewer is not None:
        visible = person.is_active and person_account_id == viewer.account_id
    elif person_account_id is None:
        visible = True
    else:
        visible = visible_accounts(user).filter(pk=person_account_id).exists()
    if not visible:
        raise Http404("No such person.")
    return person
