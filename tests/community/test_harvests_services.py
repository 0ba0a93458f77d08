"""Harvest services and access: who writes and publishes, whom a harvest reaches (and is told),
reads recorded once, and an invite-only garden that never shows to an uninvited account."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404

from accounts.models import InternalRole, Segment, User
from community.access.harvests import (
    access_harvest,
    can_write_harvests,
    harvest_garden_shown,
    targeted_harvests,
    visible_harvests,
)
from community.models import (
    ActivityEvent,
    ActivityKind,
    GardenAccount,
    GardenAccountStatus,
    GardenVisibility,
    HarvestAudience,
    HarvestKind,
    HarvestRead,
    Notification,
    Thread,
)
from community.services import harvests as services
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import (
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
    garden = GardenFactory(name="Onboarding journeys", slug="onboarding")
    garden.stewards.add(steward)
    return garden


@pytest.fixture
def secret_garden(steward, account_a):
    """Invite-only; Acme accepted, nobody else was invited."""
    garden = GardenFactory(
        name="Secret roadmap", slug="secret", visibility=GardenVisibility.INVITE_ONLY
    )
    garden.stewards.add(steward)
    accept(garden, account_a)
    return garden


def _draft(by, **fields):
    defaults = {"title": "Faster onboarding", "summary": "You said, we did.", "kind": "playbook"}
    return services.harvest_create(created_by=by, **{**defaults, **fields})


# --- Who writes -------------------------------------------------------------------------------


def test_a_steward_writes_a_draft_of_their_garden_that_no_customer_sees(
    steward, open_garden, member_a
):
    join(open_garden, member_a)
    harvest = _draft(steward, garden=open_garden, body="# Learnt")

    assert harvest.slug == "faster-onboarding"
    assert harvest.published_at is None and harvest.created_by == steward
    assert not visible_harvests(member_a).filter(pk=harvest.pk).exists()
    with pytest.raises(Http404):
        access_harvest(member_a, harvest.slug)


def test_slugs_stay_unique(steward, open_garden):
    first = _draft(steward, garden=open_garden)
    second = _draft(steward, garden=open_garden)

    assert (first.slug, second.slug) == ("faster-onboarding", "faster-onboarding-2")


def test_only_stewards_product_managers_and_programme_admins_write_harvests(
    steward, open_garden, account_manager_a, product_manager, programme_admin, member_a
):
    assert can_write_harvests(steward, open_garden)
    assert can_write_harvests(product_manager, open_garden)
    assert can_write_harvests(programme_admin, open_garden)
    assert can_write_harvests(product_manager, None)  # a programme-wide harvest
    assert not can_write_harvests(steward, None)
    assert not can_write_harvests(account_manager_a, open_garden)
    assert not can_write_harvests(member_a, open_garden)
    with pytest.raises(ValidationError) as error:
        _draft(account_manager_a, garden=open_garden)
    assert "garden" in error.value.message_dict


def test_a_steward_of_another_garden_cannot_publish_this_one(open_garden):
    other = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER)
    harvest = HarvestFactory(garden=open_garden, published_at=None)

    with pytest.raises(ValidationError):
        services.harvest_publish(harvest=harvest, by=other)
    harvest.refresh_from_db()
    assert harvest.published_at is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"audience": "segments", "segments": []}, "segments"),
        ({"audience": "segments", "segments": ["galactic"]}, "segments"),
        ({"audience": "garden", "garden": None}, "audience"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"source_url": "//evil.example/x"}, "source_url"),
        ({"kind": "rumour"}, "kind"),
    ],
)
def test_a_harvest_that_breaks_a_rule_is_refused_with_the_field_named(
    product_manager, open_garden, fields, field
):
    with pytest.raises(ValidationError) as error:
        _draft(product_manager, **{"garden": open_garden, **fields})

    assert field in error.value.message_dict


def test_the_source_discussion_must_be_in_the_harvests_garden(steward, open_garden):
    elsewhere = Thread.objects.create(garden=GardenFactory(), title="Elsewhere")
    here = Thread.objects.create(garden=open_garden, title="Here")

    with pytest.raises(ValidationError) as error:
        _draft(steward, garden=open_garden, source_thread=elsewhere)
    assert "source_thread" in error.value.message_dict
    assert _draft(steward, garden=open_garden, source_thread=here).source_thread == here


def test_segments_are_kept_only_for_a_segment_audience(steward, open_garden):
    harvest = _draft(steward, garden=open_garden, audience="all", segments=["smb"])
    assert harvest.segments == []

    harvest = services.harvest_update(
        harvest=harvest, by=steward, audience="segments", segments=["smb", "smb", "enterprise"]
    )
    harvest.refresh_from_db()
    assert harvest.segments == ["smb", "enterprise"]
    assert harvest.slug == "faster-onboarding"  # the link stays


# --- Publishing and whom it reaches ----------------------------------------------------------


def test_publishing_to_an_open_garden_tells_the_accounts_taking_part_only(
    steward, open_garden, member_a, admin_a, member_b
):
    join(open_garden, member_a)  # Acme takes part; Globex does not
    harvest = _draft(steward, garden=open_garden)

    services.harvest_publish(harvest=harvest, by=steward)

    harvest.refresh_from_db()
    assert harvest.published_at is not None and harvest.published_by == steward
    told = set(Notification.objects.filter(kind="harvest_published").values_list("user", flat=True))
    assert told == {member_a.pk, admin_a.pk}  # the whole account, not only the garden member
    note = Notification.objects.get(user=member_a)
    assert note.title == "New harvest: Faster onboarding"
    assert note.url == f"/harvests/{harvest.slug}/"
    assert list(targeted_harvests(member_b)) == []


def test_publishing_twice_tells_nobody_twice(steward, open_garden, member_a):
    join(open_garden, member_a)
    harvest = _draft(steward, garden=open_garden)

    services.harvest_publish(harvest=harvest, by=steward)
    first = harvest.__class__.objects.get(pk=harvest.pk).published_at
    services.harvest_publish(harvest=harvest, by=steward)

    assert Notification.objects.filter(user=member_a).count() == 1
    assert harvest.__class__.objects.get(pk=harvest.pk).published_at == first


def test_an_invite_only_gardens_harvest_for_the_garden_reaches_only_accepted_accounts(
    steward, secret_garden, member_a, member_b, admin_b
):
    globex = member_b.membership.account
    GardenAccount.objects.create(
        garden=secret_garden, account=globex, status=GardenAccountStatus.INVITED
    )
    harvest = _draft(steward, garden=secret_garden, audience="garden", title="Roadmap secrets")

    services.harvest_publish(harvest=harvest, by=steward)

    assert Notification.objects.filter(user=member_a).count() == 1
    assert not Notification.objects.filter(user__in=[member_b, admin_b]).exists()
    for outsider in (member_b, admin_b):  # invited, not accepted: still outside
        assert not visible_harvests(outsider).filter(pk=harvest.pk).exists()
        assert not targeted_harvests(outsider).filter(pk=harvest.pk).exists()
        with pytest.raises(Http404):
            access_harvest(outsider, harvest.slug)


def test_a_segment_harvest_of_an_invite_only_garden_reaches_outsiders_without_the_garden(
    steward, secret_garden, member_a, member_b
):
    globex = member_b.membership.account
    globex.segment = Segment.SMB
    globex.save()
    initech = customer(AccountFactory(segment=Segment.ENTERPRISE))
    harvest = _draft(
        steward, garden=secret_garden, audience="segments", segments=["smb"], title="Less churn"
    )

    services.harvest_publish(harvest=harvest, by=steward)

    note = Notification.objects.get(user=member_b)
    assert "Secret" not in note.title + note.body
    assert access_harvest(member_b, harvest.slug) == harvest
    assert not harvest_garden_shown(member_b, harvest)  # shown without the garden
    assert harvest_garden_shown(member_a, harvest)  # Acme accepted: it sees where it comes from
    assert visible_harvests(member_a).filter(pk=harvest.pk).exists()  # its garden's harvest
    assert not targeted_harvests(member_a).filter(pk=harvest.pk).exists()  # but not aimed at it
    assert not Notification.objects.filter(user=initech).exists()
    assert not visible_harvests(initech).filter(pk=harvest.pk).exists()


def test_segments_match_exactly(steward, open_garden, member_a):
    """A JSON list matched as text: "mid_market" must not match a list holding "market"-like
    values, nor "smb" a list without it (on SQLite and PostgreSQL)."""
    acme = member_a.membership.account  # mid-market
    aimed = HarvestFactory(audience=HarvestAudience.SEGMENTS, segments=["enterprise", "mid_market"])
    HarvestFactory(audience=HarvestAudience.SEGMENTS, segments=["smb", "public_sector"])

    assert list(targeted_harvests(member_a)) == [aimed]
    acme.segment = Segment.SMB
    acme.save()
    fresh = User.objects.get(pk=member_a.pk)  # the membership is cached on the user object
    assert [h.segments for h in targeted_harvests(fresh)] == [["smb", "public_sector"]]


def test_a_harvest_for_all_customers_reaches_every_account(steward, open_garden, member_a):
    other = customer(AccountFactory())
    harvest = _draft(steward, garden=open_garden, audience="all")

    services.harvest_publish(harvest=harvest, by=steward)

    assert set(Notification.objects.values_list("user", flat=True)) == {member_a.pk, other.pk}


def test_deactivated_people_are_not_told(steward, open_garden, member_a, admin_a):
    admin_a.is_active = False
    admin_a.save()
    harvest = _draft(steward, garden=open_garden, audience="all")

    services.harvest_publish(harvest=harvest, by=steward)

    assert list(Notification.objects.values_list("user", flat=True)) == [member_a.pk]


# --- Reads -------------------------------------------------------------------------------------


def test_a_read_is_recorded_once_with_one_activity_event(member_a, open_garden):
    harvest = HarvestFactory(garden=open_garden)

    first = services.harvest_read(harvest=harvest, user=member_a)
    again = services.harvest_read(harvest=harvest, user=member_a)

    assert first == again
    assert first.account == member_a.membership.account
    assert first.outside_garden  # Acme had not joined the garden
    events = ActivityEvent.objects.filter(kind=ActivityKind.HARVEST_READ)
    assert [(e.account_id, e.user_id, e.object_id) for e in events] == [
        (member_a.membership.account_id, member_a.pk, str(harvest.pk))
    ]


def test_a_read_inside_the_garden_is_not_counted_outside(member_a, open_garden):
    join(open_garden, member_a)
    harvest = HarvestFactory(garden=open_garden, audience=HarvestAudience.GARDEN)

    read = services.harvest_read(harvest=harvest, user=member_a)

    assert not read.outside_garden


def test_internal_readers_and_drafts_record_no_activity(programme_admin, member_a):
    published = HarvestFactory()
    draft = HarvestFactory(published_at=None)

    assert services.harvest_read(harvest=published, user=programme_admin).account is None
    assert services.harvest_read(harvest=draft, user=member_a) is None
    assert not ActivityEvent.objects.exists()


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_reads_at_once_record_one_read_and_one_event(account_a):
    """Two requests for the same person and harvest at the same moment: the unique constraint
    lets one insert; the other finds it, and no second event is recorded."""
    reader = customer(account_a)
    harvest = HarvestFactory()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            barrier.wait()
            services.harvest_read(harvest=harvest, user=reader)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert HarvestRead.objects.filter(harvest=harvest, user=reader).count() == 1
    assert ActivityEvent.objects.filter(kind=ActivityKind.HARVEST_READ).count() == 1


def test_a_harvest_is_a_you_said_we_did_a_playbook_or_a_result():
    assert HarvestKind.values == ["you_said_we_did", "playbook", "result"]
