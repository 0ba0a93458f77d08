"""The home's "What needs you", community's kinds: a customer admin's garden and colleague
invitations, mentions and replies, the account team's alerts, renewals and silent accounts,
the programme admin's flag queue, imports and failed deliveries. Each item links to a page that
opens for the viewer; another account's items never appear; the queries do not grow with the
items. (The ideas app's kinds: tests/ideas/test_home_todos.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import InternalRole, Invitation
from community.models import (
    Alert,
    AlertReason,
    ChatDelivery,
    EngagementLevel,
    GardenVisibility,
    ImportBatch,
    Notification,
    PostFlag,
    WebhookDelivery,
    WebhookDeliveryStatus,
)
from community.models.alerts import AlertResolution
from community.models.chat_channels import ChatPostStatus
from community.models.notifications import NotifyKind
from community.services import chat_channels, discussions, gardens, webhooks
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.community.factories import (
    EngagementSnapshotFactory,
    engagement_event,
    garden_with,
    reply,
    start,
)
from tests.community.todo_helpers import TODAY, home_items, home_queries, kinds, opens


def _invitation(account, email, *, by=None) -> Invitation:
    return Invitation.objects.create(
        account=account,
        email=email,
        invited_by=by,
        expires_at=timezone.now() + dt.timedelta(days=7),
        sent_at=timezone.now(),
    )


def _level(account, level: str) -> None:
    EngagementSnapshotFactory(account=account, day=TODAY, level=level, score=5)


# --- Empty ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "account_manager_a", "product_manager", "programme_admin"]
)
def test_every_home_starts_with_what_needs_you_and_says_so_when_nothing_does(
    request, client_for, frozen, persona, account_a, member_a
):
    if persona == "account_manager_a":  # an engaged account, active this week
        _level(account_a, EngagementLevel.CONTRIBUTING)
        engagement_event(account_a, member_a, "vote", days_ago=2, day=TODAY)
    page = client_for(request.getfixturevalue(persona)).get("/").content.decode()

    after_heading = page.split("</hgroup>", 1)[1]
    assert after_heading.index('<h2 id="todos-h">What needs you</h2>') == after_heading.index("<h2")
    assert "Nothing needs you right now." in page
    assert 'class="empty-state"' in page


# --- Customer admin -------------------------------------------------------------------------


def test_the_admin_sees_the_garden_invitation_and_the_colleagues_not_yet_in(
    client_for, frozen, admin_a, member_a, admin_b, programme_admin
):
    secret = garden_with(
        name="Secret roadmap", slug="secret", visibility=GardenVisibility.INVITE_ONLY
    )
    gardens.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    _invitation(admin_a.membership.account, "dora@acme.example", by=admin_a)
    _invitation(admin_b.membership.account, "gus@globex.example", by=admin_b)
    client = client_for(admin_a)

    items = home_items(client)

    assert kinds(items) == ["garden_invitation", "colleague_invitation"]
    assert "Answer the invitation to the garden Secret roadmap" in items[0].text
    assert items[0].url == "/gardens/secret/invitation/"
    assert "dora@acme.example has not accepted the invitation yet" in items[1].text
    assert "Expires 12 Dec 2026" in items[1].text
    assert items[1].url == "/accounts/acme/#invitations"
    assert all(opens(client, item.url) == 200 for item in items)


def test_a_member_who_is_not_admin_gets_no_invitations_to_answer(
    client_for, frozen, admin_a, member_a, programme_admin
):
    secret = garden_with(
        name="Secret roadmap", slug="secret", visibility=GardenVisibility.INVITE_ONLY
    )
    gardens.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    _invitation(admin_a.membership.account, "dora@acme.example", by=admin_a)

    assert home_items(client_for(member_a)) == []


def test_another_accounts_admin_sees_none_of_acmes_invitations(
    client_for, frozen, admin_a, admin_b, programme_admin
):
    secret = garden_with(
        name="Secret roadmap", slug="secret", visibility=GardenVisibility.INVITE_ONLY
    )
    gardens.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    _invitation(admin_a.membership.account, "dora@acme.example", by=admin_a)

    page = client_for(admin_b).get("/").content.decode()

    assert "Secret roadmap" not in page and "dora@acme.example" not in page
    assert "Nothing needs you right now." in page


# --- Mentions and replies -------------------------------------------------------------------


def test_a_member_sees_unread_mentions_and_replies_only(
    client_for, frozen, member_a, admin_a, member_b, account_manager_a
):
    garden = garden_with(member_a, admin_a, member_b)
    thread = start(garden, member_a, title="Offline inspections")
    reply(thread, admin_a, body="Good question, @Alice")  # a reply (and perhaps a mention)
    Notification.objects.create(user=member_a, kind=NotifyKind.IDEA_STATUS, title="Idea moved")
    Notification.objects.create(
        user=member_a, kind=NotifyKind.MENTION, title="Read already", read_at=timezone.now()
    )
    client = client_for(member_a)

    items = home_items(client)

    assert set(kinds(items)) <= {NotifyKind.MENTION, NotifyKind.REPLY} and items
    assert "Offline inspections" in items[0].text
    assert "Idea moved" not in str(items) and "Read already" not in str(items)
    assert all(opens(client, item.url) == 200 for item in items)
    assert home_items(client_for(member_b)) == []  # Bob was told nothing


# --- Account team ---------------------------------------------------------------------------


def test_the_account_manager_sees_open_alerts_renewals_and_silence_of_their_accounts_only(
    client_for, frozen, account_manager_a, account_a, account_b
):
    for account in (account_a, account_b):
        account.renewal_date = TODAY + dt.timedelta(days=30)
        account.save()
        _level(account, EngagementLevel.DORMANT)
        Alert.objects.create(account=account, reason=AlertReason.SCORE_FELL, details={})
    Alert.objects.create(
        account=account_a,
        reason=AlertReason.LEVEL_DROPPED,
        details={},
        resolved_at=timezone.now(),
        resolution_note="Called them.",
        resolution=AlertResolution.BY_PERSON,
    )
    client = client_for(account_manager_a)

    items = home_items(client)

    assert kinds(items) == ["alert", "renewal", "silent"]
    assert all("Globex" not in item.text for item in items)
    assert "Acme Industrial: score fell sharply" in items[0].text
    assert items[0].url == "/alerts/?account=acme"
    assert "Prepare the renewal of Acme Industrial: engagement is Dormant" in items[1].text
    assert "Renews 4 Jan 2027" in items[1].text
    assert "Acme Industrial is silent: no customer activity yet" in items[2].text
    assert all(opens(client, item.url) == 200 for item in items)


def test_silent_accounts_come_longest_silent_first_five_and_the_rest_counted(
    client_for, frozen, account_manager_a, account_a, member_a
):
    """Never active first (by name), then the oldest last activity; an account active within
    the 30 days is not silent; beyond five, "N more"."""
    engagement_event(account_a, member_a, "vote", days_ago=2, day=TODAY)  # not silent
    names = {}
    for name, days_ago in [
        ("Zeta", None),
        ("Alpha", None),
        ("Bravo", 40),
        ("Charlie", 90),
        ("Delta", 31),
        ("Echo", 200),
        ("Foxtrot", 60),
    ]:
        account = AccountFactory(name=f"{name} Ltd")
        TeamAssignmentFactory(user=account_manager_a, account=account)
        if days_ago is not None:
            engagement_event(account, member_a, "vote", days_ago=days_ago, day=TODAY)
        names[name] = account

    silent = [item for item in home_items(client_for(account_manager_a)) if item.kind == "silent"]

    firsts = [item.text.split(" is silent")[0] for item in silent[:5]]
    assert firsts == ["Alpha Ltd", "Zeta Ltd", "Echo Ltd", "Charlie Ltd", "Foxtrot Ltd"]
    assert "2 more silent accounts" in silent[5].text and len(silent) == 6
    assert all("Acme" not in item.text for item in silent)


def test_an_engaged_account_or_a_far_renewal_is_no_renewal_to_do(
    client_for, frozen, account_manager_a, account_a, member_a
):
    account_a.renewal_date = TODAY + dt.timedelta(days=30)
    account_a.save()
    _level(account_a, EngagementLevel.CONTRIBUTING)
    engagement_event(account_a, member_a, "vote", days_ago=2, day=TODAY)

    assert home_items(client_for(account_manager_a)) == []


def test_a_product_manager_sees_no_account_team_to_dos_nor_the_empty_assignment(
    client_for, frozen, product_manager, account_a
):
    Alert.objects.create(account=account_a, reason=AlertReason.SCORE_FELL, details={})

    page = client_for(product_manager).get("/").content.decode()

    assert "assigned to you" not in page
    assert "Acme Industrial: score fell" not in page


# --- Programme admin ------------------------------------------------------------------------


def test_the_programme_admin_sees_flags_imports_and_failed_deliveries(
    client_for, frozen, programme_admin, member_a, admin_a
):
    garden = garden_with(member_a, admin_a)
    thread = start(garden, member_a)
    post = reply(thread, member_a, body="Buy cheap watches")
    discussions.post_flag(post=post, user=admin_a, reason="Spam")
    ImportBatch.objects.create(
        kind="outcomes", status="rejected", file_name="renewals.csv", uploaded_by=programme_admin
    )
    ImportBatch.objects.create(kind="outcomes", status="imported", file_name="fine.csv")
    endpoint = webhooks.webhook_endpoint_create(
        url="https://hooks.example.com/garden", created_by=programme_admin
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="alert.raised", subject="1", status=WebhookDeliveryStatus.FAILED
    )
    channel = chat_channels.chat_channel_create(
        account=admin_a.membership.account,
        provider="slack",
        name="#acme",
        url="https://hooks.slack.com/services/T000/B000/XXXX",
        deliveries={},
        created_by=programme_admin,
    )
    ChatDelivery.objects.create(
        channel=channel, kind="alert", subject="alert:1", title="x", status=ChatPostStatus.FAILED
    )
    Notification.objects.create(
        user=member_a, kind=NotifyKind.MENTION, title="x", email_failed_at=timezone.now()
    )
    client = client_for(programme_admin)

    items = home_items(client)

    assert kinds(items) == ["flags", "import", "failed_webhooks", "failed_chat", "failed_email"]
    assert "1 flagged post to review in Onboarding journeys" in items[0].text
    assert "Import of renewals.csv was rejected" in items[1].text
    assert "1 webhook post failed" in items[2].text
    assert all(opens(client, item.url) == 200 for item in items)


def test_an_account_manager_sees_no_programme_admin_to_dos(
    client_for, frozen, account_manager_a, member_a, admin_a
):
    garden = garden_with(member_a, admin_a)
    post = reply(start(garden, member_a), member_a)
    discussions.post_flag(post=post, user=admin_a, reason="Spam")
    ImportBatch.objects.create(kind="outcomes", status="rejected", file_name="renewals.csv")

    assert "flags" not in kinds(home_items(client_for(account_manager_a)))
    assert "import" not in kinds(home_items(client_for(account_manager_a)))


# --- Gardens you can join -------------------------------------------------------------------


def test_gardens_you_can_join_leaves_out_the_gardens_already_joined(client_for, frozen, member_a):
    garden_with(member_a, name="Joined garden", slug="joined")
    garden_with(name="Open garden", slug="open")

    page = client_for(member_a).get("/").content.decode()
    can_join = page.split('id="gardens-h"', 1)[1].split("</section>", 1)[0]
    mine = page.split('id="my-gardens-h"', 1)[1].split("</section>", 1)[0]

    assert "Open garden" in can_join and "Joined garden" not in can_join
    assert "Joined garden" in mine


# --- Query counts ---------------------------------------------------------------------------


def test_the_account_team_home_costs_the_same_queries_for_1_or_4_accounts_with_to_dos(
    client_for, frozen, account_manager_a, account_a
):
    client = client_for(account_manager_a)

    def account_needing_attention(account):
        account.renewal_date = TODAY + dt.timedelta(days=30)
        account.save()
        Alert.objects.create(account=account, reason=AlertReason.SCORE_FELL, details={})

    account_needing_attention(account_a)
    one = home_queries(client)
    for _ in range(3):
        account = AccountFactory()
        TeamAssignmentFactory(user=account_manager_a, account=account)
        account_needing_attention(account)
    assert len(home_items(client)) == 12  # 4 alerts, 4 renewals, 4 silent
    assert home_queries(client) == one


def test_the_programme_admin_home_costs_the_same_queries_for_1_or_4_flagged_gardens(
    client_for, frozen, programme_admin, member_a, admin_a
):
    client = client_for(programme_admin)

    def flagged_garden(n: int) -> None:
        garden = garden_with(member_a, admin_a, name=f"Garden {n}", slug=f"garden-{n}")
        discussions.post_flag(
            post=reply(start(garden, member_a), member_a), user=admin_a, reason="x"
        )
        ImportBatch.objects.create(kind="outcomes", status="rejected", file_name=f"{n}.csv")

    flagged_garden(0)
    one = home_queries(client)
    for n in range(1, 4):
        flagged_garden(n)
    assert kinds(home_items(client)).count("flags") == 4
    assert home_queries(client) == one


def test_a_steward_who_is_not_programme_admin_sees_the_flags_of_their_garden_only(
    client_for, frozen, member_a, admin_a
):
    stella = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="stella@garden.example")
    mine = garden_with(member_a, admin_a, steward=stella)
    other = garden_with(member_a, admin_a, name="Other", slug="other")
    for garden in (mine, other):
        discussions.post_flag(
            post=reply(start(garden, member_a), member_a), user=admin_a, reason="x"
        )
    PostFlag.objects.update(created_at=frozen)  # its default reads the real clock

    items = home_items(client_for(stella))

    assert [i.text for i in items if i.kind == "flags"] == [
        "1 flagged post to review in Onboarding journeys First flagged 5 Dec 2026"
    ]
