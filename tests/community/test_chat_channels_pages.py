"""The chat channel settings pages (community/views/chat_channels.py): an account team's channels
and a garden's, adding with form errors on a bad URL and nothing saved, changing, removing,
"send test message" with its outcome in words; the URL never shown back whole.

Who may: an account's channels, its account team and programme admins (the account's own
customers and product managers 403, other accounts 404); a garden's, its stewards and
programme admins (customers 403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import InternalRole
from community.models import ChatChannel, ChatProvider
from community.models.notifications import NotifyKind
from community.services import chat_channels
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.community.factories import GardenFactory, a_steward

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnopWXYZ"
ALERTS = NotifyKind.ENGAGEMENT_ALERT
DECISIONS = NotifyKind.PILOT_DECISION
HARVESTS = NotifyKind.HARVEST_PUBLISHED


def _list_url(account) -> str:
    return reverse("community:account-chat-channels", kwargs={"slug": account.slug})


def _channel(account, by, url=SLACK_URL, provider=ChatProvider.SLACK) -> ChatChannel:
    return chat_channels.chat_channel_create(
        account=account,
        provider=provider,
        name="#acme-team",
        url=url,
        deliveries={ALERTS: "immediately", DECISIONS: "daily"},
        created_by=by,
    )


def test_the_account_team_adds_a_channel_and_sees_only_the_end_of_its_url(
    client_for, account_a, account_manager_a
):
    client = client_for(account_manager_a)
    response = client.post(
        _list_url(account_a),
        {
            "provider": "slack",
            "name": "#acme-team",
            "url": SLACK_URL,
            ALERTS: "daily",
            DECISIONS: "immediately",
        },
        follow=True,
    )

    assert response.status_code == 200
    channel = ChatChannel.objects.get()
    assert (channel.account, channel.url, channel.created_by) == (
        account_a,
        SLACK_URL,
        account_manager_a,
    )
    assert dict(channel.preferences.values_list("kind", "delivery")) == {
        ALERTS: "daily",
        DECISIONS: "immediately",
    }
    page = response.content.decode()
    assert "hooks.slack.com/…WXYZ" in page
    assert "abcdefghijklmnop" not in page
    assert "Engagement alerts on the account: <strong>Daily digest</strong>" in page
    assert "Added Slack #acme-team" in page


def test_a_bad_url_is_a_form_error_and_nothing_is_saved(client_for, account_a, account_manager_a):
    client = client_for(account_manager_a)
    data = {"provider": "slack", "name": "#x", ALERTS: "immediately", DECISIONS: "off"}

    wrong_host = client.post(_list_url(account_a), {**data, "url": "https://example.com/hook"})
    not_a_url = client.post(_list_url(account_a), {**data, "url": "hooks slack"})
    two_lines = client.post(_list_url(account_a), {**data, "url": SLACK_URL + "\nX"})
    bad_choice = client.post(_list_url(account_a), {**data, "url": SLACK_URL, ALERTS: "weekly"})

    assert wrong_host.status_code == 400
    assert "This is not a Slack incoming webhook URL" in wrong_host.content.decode()
    assert "Enter a valid URL" in not_a_url.content.decode()
    assert two_lines.status_code == 400 and bad_choice.status_code == 400
    assert 'id="id_url_errors"' in wrong_host.content.decode()
    assert not ChatChannel.objects.exists()


def test_the_list_reads_the_same_number_of_queries_for_one_channel_or_five(
    client_for, account_a, account_manager_a, django_assert_num_queries
):
    client = client_for(account_manager_a)
    _channel(account_a, account_manager_a)
    client.get(_list_url(account_a))  # the session's first queries out of the way

    # session, user with membership (none: internal), its permissions (own and groups'), the
    # account, the team assignment, the channels, their preferences; the header's counts (one
    # query)
    with django_assert_num_queries(8) as one:
        assert client.get(_list_url(account_a)).status_code == 200
    for _ in range(4):
        _channel(account_a, account_manager_a)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(_list_url(account_a)).content.decode().count("Send test message") == 5


def test_changing_a_channel_keeps_the_url_when_left_empty(client_for, account_a, account_manager_a):
    channel = _channel(account_a, account_manager_a)
    client = client_for(account_manager_a)
    edit = reverse("community:chat-channel-edit", args=[channel.pk])

    page = client.get(edit).content.decode()
    response = client.post(edit, {"name": "#renamed", "url": "", ALERTS: "off", DECISIONS: "daily"})

    assert "abcdefghijklmnop" not in page and "hooks.slack.com/…WXYZ" in page
    assert response.status_code == 302 and response["Location"] == _list_url(account_a)
    channel.refresh_from_db()
    assert (channel.name, channel.url) == ("#renamed", SLACK_URL)
    assert channel.preferences.get(kind=ALERTS).delivery == "off"
    bad = client.post(edit, {"name": "#x", "url": "https://example.com/x", ALERTS: "off"})
    assert bad.status_code == 400
    channel.refresh_from_db()
    assert channel.name == "#renamed"


def test_removing_a_channel(client_for, account_a, account_manager_a):
    channel = _channel(account_a, account_manager_a)

    response = client_for(account_manager_a).post(
        reverse("community:chat-channel-delete", args=[channel.pk])
    )

    assert response.status_code == 302
    assert not ChatChannel.objects.exists()


@pytest.mark.parametrize(
    ("codes", "says"),
    [
        ([], "The test message was posted to Slack #acme-team (HTTP 200)."),
        ([404], "not posted to Slack #acme-team: HTTP 404. The webhook may have been removed"),
        ([500], "not posted to Slack #acme-team: HTTP 500. Try again in a moment"),
    ],
)
def test_send_test_message_says_what_happened(
    client_for, chat_listener, account_a, account_manager_a, codes, says
):
    listener = chat_listener("slack")
    listener.codes = list(codes)
    channel = _channel(account_a, account_manager_a, url=listener.url)

    response = client_for(account_manager_a).post(
        reverse("community:chat-channel-test", args=[channel.pk]), follow=True
    )

    page = response.content.decode()
    assert says in page
    assert len(listener.posts) == 1 and listener.posts[0]["problems"] == []
    assert ("failed" in page) == bool(codes)  # the channel's last post beside it


def test_a_garden_steward_sets_the_gardens_channels(client_for, chat_listener):
    steward = a_steward()
    garden = GardenFactory(name="Field service")
    garden.stewards.add(steward)
    listener = chat_listener("teams")
    url = reverse("community:garden-chat-channels", kwargs={"slug": garden.slug})
    client = client_for(steward)

    assert "Chat channels" in client.get(garden.get_absolute_url()).content.decode()
    response = client.post(
        url,
        {
            "provider": "teams",
            "name": "Field news",
            "url": listener.url,
            HARVESTS: "weekly",
            DECISIONS: "immediately",
        },
    )

    assert response.status_code == 302
    channel = ChatChannel.objects.get()
    assert (channel.garden, channel.account) == (garden, None)
    assert channel.preferences.get(kind=HARVESTS).delivery == "weekly"


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member_a", 403),  # the account's own customers never see its internal channels
        ("admin_a", 403),
        ("product_manager", 403),
        ("member_b", 404),  # another account's
        ("programme_admin", 200),
        ("account_manager_a", 200),
    ],
)
def test_who_sees_an_accounts_channels(request, client_for, account_a, persona, status):
    user = request.getfixturevalue(persona)
    channel = _channel(account_a, request.getfixturevalue("programme_admin"))

    client = client_for(user)
    assert client.get(_list_url(account_a)).status_code == status
    assert client.get(reverse("community:chat-channel-edit", args=[channel.pk])).status_code == (
        status
    )
    test = client.post(reverse("community:chat-channel-test", args=[channel.pk]))
    assert test.status_code == (302 if status == 200 else status)


def test_another_accounts_manager_gets_404_and_changes_nothing(client_for, account_a):
    other_team = AccountFactory()
    manager_b = internal(InternalRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=manager_b, account=other_team)
    channel = _channel(account_a, manager_b)
    client = client_for(manager_b)

    assert client.get(_list_url(account_a)).status_code == 404
    delete = client.post(reverse("community:chat-channel-delete", args=[channel.pk]))
    rename = client.post(
        reverse("community:chat-channel-edit", args=[channel.pk]),
        {"name": "#hijack", ALERTS: "off", DECISIONS: "off"},
    )

    assert (delete.status_code, rename.status_code) == (404, 404)
    channel.refresh_from_db()
    assert channel.name == "#acme-team"


def test_a_garden_member_cannot_reach_its_channels(client_for, member_a):
    garden = GardenFactory()
    url = reverse("community:garden-chat-channels", kwargs={"slug": garden.slug})

    assert client_for(member_a).get(url).status_code == 403
    assert (
        "Chat channels" not in client_for(member_a).get(garden.get_absolute_url()).content.decode()
    )


def test_staff_see_channels_and_failed_posts_in_the_django_admin_without_the_url(
    client_for, account_a, programme_admin
):
    channel = _channel(account_a, programme_admin)
    channel.deliveries.create(
        kind=ALERTS,
        subject="alert:1",
        title="Acme Industrial: score fell",
        delivery="immediately",
        status="failed",
        last_error="HTTP 404",
    )
    client = client_for(programme_admin)

    channels = client.get(reverse("admin:community_chatchannel_changelist")).content.decode()
    change = client.get(
        reverse("admin:community_chatchannel_change", args=[channel.pk])
    ).content.decode()
    failed = client.get(
        reverse("admin:community_chatdelivery_changelist") + "?status__exact=failed"
    ).content.decode()

    assert "#acme-team" in channels
    assert "abcdefghijklmnop" not in channels + change
    assert "Acme Industrial: score fell" in failed


def test_a_channel_is_audited_and_its_url_kept_encrypted_never_in_the_trail(
    client_for, account_a, account_manager_a
):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from accounts.models import AuditEntry

    client_for(account_manager_a).post(
        _list_url(account_a),
        {
            "provider": "slack",
            "name": "#acme-team",
            "url": SLACK_URL,
            ALERTS: "daily",
            DECISIONS: "off",
        },
    )

    channel = ChatChannel.objects.get()
    assert channel.url == SLACK_URL
    with connection.cursor() as cursor:
        cursor.execute("SELECT url FROM community_chatchannel")
        (stored,) = cursor.fetchone()
    assert "hooks.slack.com" not in stored
    kind = ContentType.objects.get_for_model(ChatChannel)
    (made,) = AuditEntry.objects.filter(content_type=kind, object_id=channel.pk)
    assert made.actor_id == account_manager_a.pk
    assert made.account_id == account_a.pk
    assert made.changes["url"][1] == "(hidden)"
    assert "abcdefghijklmnop" not in str(made.changes)
