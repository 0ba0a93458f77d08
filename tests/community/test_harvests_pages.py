"""Harvest pages: the feed on every customer's home (recommended first for Dormant and
Observing accounts), the feed page, a harvest's page, writing and publishing, and the reach."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import InternalRole, Segment
from community.models import (
    ActivityEvent,
    EngagementSnapshot,
    GardenTheme,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    HarvestKind,
    HarvestRead,
    Notification,
)
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import (
    EngagementSnapshotFactory,
    GardenFactory,
    HarvestFactory,
    accept,
    join,
)


@pytest.fixture
def steward(db):
    return internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="sam@garden.example")


@pytest.fixture
def open_garden(steward):
    garden = GardenFactory(
        name="Onboarding journeys", slug="onboarding", theme=GardenTheme.CUSTOMER_JOURNEY
    )
    garden.stewards.add(steward)
    return garden


@pytest.fixture
def secret_garden(steward, account_a):
    garden = GardenFactory(
        name="Secret roadmap",
        slug="secret",
        visibility=GardenVisibility.INVITE_ONLY,
        theme=GardenTheme.ROBUSTNESS,
    )
    garden.stewards.add(steward)
    accept(garden, account_a)
    return garden


# --- The home's feed and "recommended for you" ----------------------------------------------


def test_a_dormant_accounts_member_sees_a_recommended_harvest_with_an_invitation_to_join(
    client_for, member_b, open_garden
):
    EngagementSnapshotFactory(account=member_b.membership.account, level="dormant", score=4)
    HarvestFactory(title="Onboarding in a week", garden=open_garden)

    page = client_for(member_b).get("/").content.decode()

    assert "Recommended for you" in page
    section = page[page.index("Recommended for you") :]
    assert "Onboarding in a week" in section
    assert "Join the garden “Onboarding journeys”" in section
    assert 'href="/gardens/onboarding/"' in section


def test_a_participating_account_gets_the_feed_without_recommendations(
    client_for, member_a, open_garden
):
    EngagementSnapshotFactory(account=member_a.membership.account, level="participating")
    HarvestFactory(title="Onboarding in a week", garden=open_garden)

    page = client_for(member_a).get("/").content.decode()

    assert "Recommended for you" not in page
    assert "Harvests: what the gardens learnt" in page and "Onboarding in a week" in page


def test_recommendations_put_the_accounts_segment_and_unread_harvests_first(member_b, open_garden):
    from community.selectors.harvests import harvest_recommended
    from community.services.harvests import harvest_read

    globex = member_b.membership.account
    globex.segment = Segment.SMB
    globex.save()
    EngagementSnapshotFactory(account=globex, level="observing", score=15)
    general = HarvestFactory(title="For everyone")
    read = HarvestFactory(title="Already read", audience=HarvestAudience.SEGMENTS, segments=["smb"])
    for_smb = HarvestFactory(
        title="For small businesses", audience=HarvestAudience.SEGMENTS, segments=["smb"]
    )
    from_garden = HarvestFactory(title="From a garden you may join", garden=open_garden)
    harvest_read(harvest=read, user=member_b)

    ranked = harvest_recommended(user=member_b, limit=4)

    assert [h.title for h in ranked] == [
        for_smb.title,
        from_garden.title,
        general.title,
        read.title,
    ]
    assert [h.can_join for h in ranked] == [False, True, False, False]


def test_no_invitation_to_a_garden_the_account_may_not_join_nor_its_name(
    client_for, member_b, secret_garden
):
    EngagementSnapshotFactory(account=member_b.membership.account, level="dormant", score=2)
    HarvestFactory(title="What the secret garden learnt", garden=secret_garden)  # all customers

    page = client_for(member_b).get("/").content.decode()

    assert "What the secret garden learnt" in page
    assert "Secret roadmap" not in page and "/gardens/secret/" not in page
    assert "Join the garden" not in page


def test_the_home_runs_the_same_queries_whatever_the_number_of_harvests(
    client_for, member_b, open_garden, django_assert_num_queries
):
    EngagementSnapshotFactory(account=member_b.membership.account, level="dormant", score=4)
    client = client_for(member_b)
    HarvestFactory.create_batch(2, garden=open_garden)
    client.get("/")  # the first request of a session does more (last login …)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    HarvestFactory.create_batch(20, garden=open_garden)
    HarvestFactory.create_batch(10, audience=HarvestAudience.SEGMENTS, segments=["mid_market"])

    # session, user with membership (+account), the to-dos (mentions and replies with their
    # count, check-ins due, pilots to join), the account's level, the recommended harvests, the
    # latest harvests, the bell's unread count, the gardens joined and those to join, account
    # team (+ its first person), colleagues with their count. (15 before the mentions' count
    # and the colleague count came with their rows, a count over the window: 13.)
    with django_assert_num_queries(13):
        response = client.get("/")

    assert response.status_code == 200
    assert len(few) == 13
    assert len(response.context["harvests"].recommended) == 3
    assert len(response.context["harvests"].latest) == 5


# --- The feed page ---------------------------------------------------------------------------


def test_the_feed_page_is_paginated_and_constant_in_queries(
    client_for, member_a, open_garden, django_assert_num_queries
):
    join(open_garden, member_a)
    EngagementSnapshotFactory(account=member_a.membership.account, level="observing", score=12)
    HarvestFactory.create_batch(3, garden=open_garden, audience=HarvestAudience.GARDEN)
    client = client_for(member_a)
    client.get("/harvests/")  # the first request of a session does more (last login …)
    with CaptureQueriesContext(connection) as few:
        client.get("/harvests/")
    HarvestFactory.create_batch(30, garden=open_garden, audience=HarvestAudience.GARDEN)

    # session, user with membership (+account), the filter's gardens, the count, the account's
    # level, the recommended harvests, the bell's unread count, the page's rows
    with django_assert_num_queries(8):
        response = client.get("/harvests/")

    assert len(few) == 8
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 33
    assert len(response.context["page"].object_list) == 20
    assert len(client.get("/harvests/?page=2").context["page"].object_list) == 13


def test_the_feed_filters_by_kind_garden_and_theme(client_for, member_a, open_garden):
    other = GardenFactory(name="Robust ops", slug="robust", theme=GardenTheme.ROBUSTNESS)
    HarvestFactory(title="Playbook here", garden=open_garden, kind=HarvestKind.PLAYBOOK)
    HarvestFactory(title="Result here", garden=open_garden, kind=HarvestKind.RESULT)
    HarvestFactory(title="Playbook there", garden=other, kind=HarvestKind.PLAYBOOK)
    client = client_for(member_a)

    def titles(query):
        return {h.title for h in client.get(f"/harvests/?{query}").context["page"]}

    assert titles("kind=playbook") == {"Playbook here", "Playbook there"}
    assert titles("garden=onboarding") == {"Playbook here", "Result here"}
    assert titles("theme=robustness") == {"Playbook there"}
    assert titles("kind=result&garden=onboarding") == {"Result here"}
    assert client.get("/harvests/?garden=nowhere").status_code == 400


def test_the_feed_never_offers_an_invite_only_garden_to_an_uninvited_account(
    client_for, member_b, secret_garden
):
    HarvestFactory(title="Secret learning", garden=secret_garden, audience=HarvestAudience.GARDEN)

    response = client_for(member_b).get("/harvests/")
    page = response.content.decode()

    assert "Secret" not in page and "secret" not in page
    assert client_for(member_b).get("/harvests/?garden=secret").status_code == 400


def test_the_feed_exports_csv(client_for, member_a, open_garden):
    HarvestFactory(title="=cmd()", garden=open_garden)

    response = client_for(member_a).get("/harvests/?export=csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["title", "kind", "garden", "published_at", "url"]
    assert rows[1][0] == "'=cmd()" and rows[1][2] == "Onboarding journeys"


# --- A harvest's page -------------------------------------------------------------------------


def test_opening_a_harvest_renders_it_safely_and_records_the_read_once(
    client_for, member_a, open_garden
):
    harvest = HarvestFactory(
        garden=open_garden,
        body='Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))',
    )
    client = client_for(member_a)

    page = client.get(f"/harvests/{harvest.slug}/").content.decode()
    client.get(f"/harvests/{harvest.slug}/")

    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page and '<img src="x"' not in page
    assert 'href="javascript:' not in page
    assert HarvestRead.objects.filter(harvest=harvest, user=member_a).count() == 1
    assert ActivityEvent.objects.filter(kind="harvest_read", user=member_a).count() == 1


def test_the_harvest_page_links_its_sources(client_for, member_a, open_garden):
    harvest = HarvestFactory(garden=open_garden, source_pilot_ref=7, source_url="/ideas/3/")

    page = client_for(member_a).get(f"/harvests/{harvest.slug}/").content.decode()

    assert 'href="/pilots/7/"' in page and 'href="/ideas/3/"' in page
    assert 'href="/gardens/onboarding/"' in page


def test_outsiders_never_see_a_harvest_aimed_at_an_invite_only_garden(
    client, client_for, member_a, member_b, secret_garden
):
    harvest = HarvestFactory(garden=secret_garden, audience=HarvestAudience.GARDEN)

    assert client_for(member_a).get(f"/harvests/{harvest.slug}/").status_code == 200
    assert client_for(member_b).get(f"/harvests/{harvest.slug}/").status_code == 404
    client.logout()
    assert client.get(f"/harvests/{harvest.slug}/").status_code == 302


def test_an_outsider_reads_a_segment_harvest_without_its_invite_only_garden(
    client_for, member_b, secret_garden
):
    harvest = HarvestFactory(
        title="Fewer outages",
        garden=secret_garden,
        audience=HarvestAudience.SEGMENTS,
        segments=["mid_market"],
        source_pilot_ref=9,
        source_url="/gardens/secret/",
    )

    page = client_for(member_b).get(f"/harvests/{harvest.slug}/").content.decode()

    assert "Fewer outages" in page and "from one of our gardens" in page
    assert "Secret roadmap" not in page and "/gardens/secret/" not in page
    assert "/pilots/9/" not in page
    read = HarvestRead.objects.get(user=member_b)
    assert read.outside_garden


def test_customers_do_not_see_drafts(client_for, member_a, open_garden):
    draft = HarvestFactory(garden=open_garden, published_at=None)

    assert client_for(member_a).get(f"/harvests/{draft.slug}/").status_code == 404


# --- Writing, publishing, reach --------------------------------------------------------------


def test_a_steward_writes_and_publishes_a_harvest_for_a_segment(
    client_for, steward, open_garden, member_a, member_b
):
    globex = member_b.membership.account
    globex.segment = Segment.SMB
    globex.save()
    client = client_for(steward)

    response = client.post(
        "/harvests/new/",
        {
            "title": "Setup in one afternoon",
            "summary": "You said setup was slow; we cut it to an afternoon.",
            "body": "- step one\n- step two",
            "kind": "you_said_we_did",
            "garden": open_garden.pk,
            "audience": "segments",
            "segments": ["smb"],
            "inspired_by": member_a.email,
        },
    )

    harvest = Harvest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/harvests/{harvest.slug}/"
    assert harvest.published_at is None and list(harvest.inspired_by.all()) == [member_a]
    assert not Notification.objects.exists()

    response = client.post(f"/harvests/{harvest.slug}/publish/")

    harvest.refresh_from_db()
    assert response.status_code == 302 and harvest.published_at is not None
    assert list(Notification.objects.values_list("user", flat=True)) == [member_b.pk]


def test_the_form_shows_the_services_errors(client_for, steward, open_garden):
    response = client_for(steward).post(
        "/harvests/new/",
        {"title": "T", "summary": "S", "kind": "result", "audience": "segments", "segments": []},
    )

    assert response.status_code == 400
    assert "Choose at least one segment." in response.content.decode()
    assert not Harvest.objects.exists()


def test_a_steward_edits_a_harvest(client_for, steward, open_garden):
    harvest = HarvestFactory(garden=open_garden, audience=HarvestAudience.GARDEN)

    response = client_for(steward).post(
        f"/harvests/{harvest.slug}/edit/",
        {
            "title": "Better title",
            "summary": harvest.summary,
            "kind": harvest.kind,
            "garden": open_garden.pk,
            "audience": "garden",
        },
    )

    assert response.status_code == 302
    harvest.refresh_from_db()
    assert harvest.title == "Better title"


@pytest.mark.parametrize(
    "url", ["/harvests/new/", "/harvests/{slug}/edit/", "/harvests/{slug}/reach/"]
)
def test_customers_and_other_internal_users_may_not_write_or_see_the_reach(
    client_for, member_a, account_manager_a, open_garden, url
):
    harvest = HarvestFactory(garden=open_garden)
    for person in (member_a, account_manager_a):
        assert client_for(person).get(url.format(slug=harvest.slug)).status_code == 403
    response = client_for(account_manager_a).post(f"/harvests/{harvest.slug}/publish/")
    assert response.status_code == 403


def test_the_steward_sees_how_far_a_harvest_travelled_by_level_at_read_time(
    client_for, steward, open_garden, member_a, member_b
):
    from community.services.harvests import harvest_read

    join(open_garden, member_a)
    harvest = HarvestFactory(garden=open_garden)
    EngagementSnapshotFactory(account=member_a.membership.account, level="contributing")
    EngagementSnapshotFactory(account=member_b.membership.account, level="dormant", score=1)
    harvest_read(harvest=harvest, user=member_a)
    harvest_read(harvest=harvest, user=member_b)
    colleague = customer(member_b.membership.account)
    harvest_read(harvest=harvest, user=colleague)
    EngagementSnapshotFactory(  # Globex moved up since: the page keeps the level at read time
        account=member_b.membership.account,
        level="participating",
        day=EngagementSnapshotFactory._meta.model.objects.first().day.replace(year=2100),
    )
    client = client_for(steward)

    response = client.get(f"/harvests/{harvest.slug}/reach/")

    reach = response.context["reach"]
    assert (reach.accounts, reach.readers, reach.outside_garden) == (2, 3, 1)
    levels = {r.level: r.accounts for r in reach.by_level}
    assert levels["dormant"] == 1 and levels["contributing"] == 1 and levels["participating"] == 0
    assert 'id="harvest-reach-data"' in response.content.decode()
    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(f"/harvests/{harvest.slug}/reach/?export=csv").streaming_content
                ).decode()
            )
        )
    )
    assert csv_rows[0][:4] == ["account", "segment", "level_at_read", "outside_garden"]
    # The steward is not on these accounts' teams: counted, not named.
    assert {r[0] for r in csv_rows[1:]} == {"Another account"}


def test_the_reach_counts_an_account_at_its_level_on_the_day_it_read_as_the_history_stands(
    client_for, programme_admin, open_garden, member_a, account_a
):
    from community.services.engagement import (
        engagement_history_compute,
        engagement_repair,
        offline_event_record,
    )
    from community.services.harvests import harvest_read

    today = timezone.localdate()
    engagement_history_compute(days=30)  # a quiet month: Dormant every day
    harvest = HarvestFactory(garden=open_garden)
    harvest_read(harvest=harvest, user=member_a)
    HarvestRead.objects.update(read_at=timezone.now() - dt.timedelta(days=20))
    client = client_for(programme_admin)

    def level_read() -> str:
        [row] = client.get(f"/harvests/{harvest.slug}/reach/").context["reach"].rows
        return row["level"]

    assert level_read() == "dormant"
    for _ in range(2):  # two referrals 25 days back, recorded late: Observing 20 days ago
        offline_event_record(
            account=account_a,
            kind="referral",
            occurred_on=today - dt.timedelta(days=25),
            recorded_by=None,
        )
    engagement_repair(account_ids=[account_a.pk])

    then = EngagementSnapshot.objects.get(account=account_a, day=today - dt.timedelta(days=20))
    assert then.level == "observing"
    assert level_read() == then.level  # the reach follows the chart, not what was stored


def test_a_programme_admin_sees_the_reading_accounts_names(
    client_for, programme_admin, open_garden, member_a
):
    from community.services.harvests import harvest_read

    harvest = HarvestFactory(garden=open_garden)
    harvest_read(harvest=harvest, user=member_a)

    reach = client_for(programme_admin).get(f"/harvests/{harvest.slug}/reach/").context["reach"]

    assert [r["account"] for r in reach.rows] == ["Acme Industrial"]


def test_the_garden_home_lists_its_latest_harvests(client_for, member_a, open_garden):
    join(open_garden, member_a)
    HarvestFactory(title="Garden learning", garden=open_garden)
    HarvestFactory(title="Unrelated")

    page = client_for(member_a).get("/gardens/onboarding/").content.decode()

    assert "Latest harvests" in page and "Garden learning" in page
    assert "Unrelated" not in page


def test_accounts_in_other_segments_are_not_reached(client_for, member_a):
    AccountFactory(segment=Segment.SMB)
    HarvestFactory(
        title="Only public sector", audience=HarvestAudience.SEGMENTS, segments=["public_sector"]
    )

    assert "Only public sector" not in client_for(member_a).get("/harvests/").content.decode()


def test_the_people_who_inspired_a_harvest_are_named_once_each_as_the_reader_may_see_them(
    client_for, member_a, account_b, open_garden
):
    others = [customer(account_b, first_name=name) for name in ("Bea", "Ben", "Bo")]
    colleague = customer(member_a.membership.account, first_name="Anna", last_name="Berg")
    harvest = HarvestFactory(title="Onboarding in a week", slug="week", garden=open_garden)
    harvest.inspired_by.add(colleague, *others)

    page = client_for(member_a).get("/harvests/week/").content.decode()

    assert "Inspired by Anna Berg and 3 members of other accounts." in page
    # by their whole names (a made-up surname such as "Bennett" may hold "Ben")
    assert all(f"{p.first_name} {p.last_name}" not in page for p in others)
