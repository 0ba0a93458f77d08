"""The pilot list page, unfiltered, reads its count and page through the API's kept SQL
(ideas.selectors.pilots.visible_pilot_list_rows, config.sql_once): byte for byte the page the
ORM's queryset gave, for customers of two accounts (an invite-only garden accepted by one of
them), an internal user and an inactive one, on every page number; a filtered list is the ORM's."""

from __future__ import annotations

import pytest

from accounts.models import InternalRole
from community.models import GardenVisibility
from demo.benchmarks.page_cpu import sql_once_off
from ideas.models import Pilot, PilotState
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import GardenFactory, accept
from tests.ideas.factories import IdeaFactory, PilotFactory
from tests.kept_pages import page_seen
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres

STATES = (PilotState.RECRUITING, PilotState.RUNNING, PilotState.CLOSED, PilotState.DRAFT)


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setattr("ideas.views.pilots.PAGE_SIZE", 3)
    account, other = AccountFactory(), AccountFactory()
    open_garden = GardenFactory(visibility=GardenVisibility.OPEN)
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    accept(accepted, account)
    closed = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    for i in range(10):
        garden = (open_garden, accepted, closed)[i % 3]
        PilotFactory(
            idea=IdeaFactory(garden=garden),
            state=STATES[i % 4],
            published=i % 4 != 3,
            title=f"Pilot {i}",
            accounts=[account, other] if i % 5 else [account],
        )
    users = (
        customer(account),
        customer(other),
        internal(InternalRole.PRODUCT_MANAGER),
        internal(InternalRole.PROGRAMME_ADMIN, is_active=False),
    )
    return users, open_garden


def _page(client, user, query: str) -> tuple[int, str]:
    return page_seen(client, user, f"/pilots/{query}")


@pytest.mark.parametrize("query", ["", "?page=2", "?page=4", "?page=x", "?page=99"])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_unfiltered_list_is_the_page_the_orm_gave(world, client, query, htmx):
    users, _ = world
    if htmx:
        client.defaults["HTTP_HX_REQUEST"] = "true"
    for user in users:
        kept = _page(client, user, query)
        with sql_once_off():
            built = _page(client, user, query)
        assert kept == built
        if user.is_active:
            assert kept[0] == 200 and "Pilot " in kept[1]


def test_the_unfiltered_list_writes_no_pilot_sql_and_a_filtered_one_does(
    world, client, monkeypatch
):
    users, garden = world
    reader, _, manager, _ = users
    for user in (reader, manager):
        _page(client, user, "")  # the first call keeps the SQL
    compiled = compiles_counted(monkeypatch)
    for user in (reader, manager):
        for query in ("", "?page=2"):
            status, html = _page(client, user, query)
            assert status == 200 and "Pilot " in html
    assert Pilot not in compiled
    _page(client, reader, f"?garden={garden.slug}")
    assert Pilot in compiled
