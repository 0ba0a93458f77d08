"""A customer's harvest reads on their home and on a garden's home (community.selectors.harvests)
run SQL written once per process (config.sql_once): they give what the ORM gives, row for row
and annotation for annotation, in every situation a harvest can be in for the reader; and the
segment rule they share with every harvest read matches the quoted segment name exactly."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Segment
from community.access.harvests import segment_listed_q
from community.models import GardenVisibility, Harvest, HarvestAudience, HarvestRead
from community.selectors.harvests import garden_harvests, harvest_home, harvest_recommended
from demo.benchmarks.page_cpu import sql_once_off
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import GardenFactory, HarvestFactory, accept, join


def test_the_segment_rule_matches_the_quoted_name_exactly(db):
    lists = [["mid_market"], ["midXmarket"], ["smb", "public_sector"], ["enterprise_plus"], []]
    harvests = [HarvestFactory(audience=HarvestAudience.SEGMENTS, segments=s) for s in lists]
    for segment in [*Segment.values, "enterprise_plus", "mid%market", "smb\\"]:
        found = set(Harvest.objects.filter(segment_listed_q(segment)).values_list("pk", flat=True))
        assert found == {h.pk for h in harvests if segment in h.segments}, segment


def _rows(harvests) -> list[tuple]:
    return [
        (
            h.pk,
            h.garden.slug if h.garden else None,
            h.is_read,
            h.garden_shown,
            h.can_join,
            getattr(h, "relevance", None),
        )
        for h in harvests
    ]


@pytest.fixture
def reader(db):
    """A customer of an SMB account and harvests of every kind around them: for all customers,
    for their segment and another, from an open garden they joined, an open one they did not,
    an invite-only one their account accepted and one it did not, drafts, some already read."""
    account = AccountFactory(segment=Segment.SMB)
    person = customer(account)
    colleague = customer(account)
    joined, open_other = GardenFactory(), GardenFactory(theme="adaptation")
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    uninvited = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    join(joined, person)
    join(open_other, colleague)
    accept(accepted, account)
    made = []
    for garden in (None, joined, open_other, accepted, uninvited):
        for audience, segments in (
            (HarvestAudience.ALL, []),
            (HarvestAudience.SEGMENTS, ["smb"]),
            (HarvestAudience.SEGMENTS, ["enterprise"]),
            (HarvestAudience.GARDEN, []),
        ):
            if audience == HarvestAudience.GARDEN and garden is None:
                continue
            made.append(HarvestFactory(garden=garden, audience=audience, segments=segments))
    HarvestFactory(garden=joined, published_at=None)  # a draft
    for harvest in made[::3]:
        HarvestRead.objects.create(
            harvest=harvest, user=person, account=account, read_at=timezone.now()
        )
    Harvest.objects.filter(pk__in=[h.pk for h in made[1::2]]).update(
        published_at=timezone.now() - timezone.timedelta(days=3)
    )
    return person, (joined, open_other, accepted, uninvited)


@pytest.mark.needs_postgres
def test_the_home_and_garden_reads_are_the_orms(reader):
    person, gardens = reader

    def reads():
        home = harvest_home(user=person)
        return (
            _rows(harvest_recommended(user=person)),
            _rows(home.recommended),
            _rows(home.latest),
            [_rows(garden_harvests(user=person, garden=g)) for g in gardens],
        )

    kept, again = reads(), reads()  # the first call keeps the SQL, the second runs it
    with sql_once_off():
        built = reads()
    assert kept == again == built
    recommended, _, latest, by_garden = kept
    assert len(recommended) == 3 and len(latest) == 5
    assert {row[0] for row in recommended}.isdisjoint(row[0] for row in latest)
    # an invite-only garden the account is not in: only what reached it anyway (all
    # customers, its segment), without its garden
    assert by_garden[3] and not any(row[3] for row in by_garden[3])
    assert any(row[2] for row in latest) and not all(row[2] for row in latest)


@pytest.mark.needs_postgres
def test_a_second_reader_of_another_account_gets_their_own_rows(reader):
    person, gardens = reader
    stranger = customer(AccountFactory(segment=Segment.ENTERPRISE))
    harvest_home(user=person)  # keeps the SQL with the first reader's values
    mine = _rows(harvest_home(user=stranger).latest)
    with sql_once_off():
        assert mine == _rows(harvest_home(user=stranger).latest)
    for garden in gardens[2:]:  # invite-only gardens the stranger's account is not in
        rows = _rows(garden_harvests(user=stranger, garden=garden))
        assert rows and not any(row[3] for row in rows)
