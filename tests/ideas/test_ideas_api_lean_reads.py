"""What the ideas API's heavier reads leave out (issue 16, item 4), and the whole-number rounding
of the results' figures: the answers stay those of tests/ideas/test_api_kept_ideas.py,
test_results_api.py and test_results_figures.py; here, that the reads do not fetch what no
answer shows, and that the figures round exactly as the exact fractions did."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Segment
from community.models import GardenVisibility
from community.statistics import round_half_up, round_half_up_ratio
from ideas.models import Comment, IdeaStatus, PilotState
from ideas.selectors.results import pilot_results
from ideas.selectors.results_figures import mean_figure, percent_figure, two_places
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_login
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory, final_answered

AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


# --- Rounding in whole numbers ------------------------------------------------------------------


def test_a_ratio_is_rounded_as_round_half_up_rounds_its_exact_fraction():
    for numerator in range(-450, 451):
        for denominator in range(1, 41):
            expected = round_half_up(Fraction(numerator, denominator))
            assert round_half_up_ratio(numerator, denominator) == expected, (numerator, denominator)
    # Halves away from zero, on both sides.
    assert [round_half_up_ratio(n, 2) for n in (7, -7, 5, -5, 1, -1)] == [4, -4, 3, -3, 1, -1]
    with pytest.raises(ValueError):
        round_half_up_ratio(1, 0)


def test_means_and_shares_are_their_exact_fractions_rounded_once():
    samples = [[3], [1, 2], [3, 4, 4, 4], [-1, 0], [-3, -4, -4, -4], [1] * 7 + [2]]
    samples += [[(i * 7) % 13 - 6 for i in range(n)] for n in range(1, 60)]
    for values in samples:
        exact = Fraction(sum(values), len(values))
        shown = Decimal(round_half_up(exact * 100)).scaleb(-2)
        assert str(mean_figure(values)) == str(shown) == str(two_places(exact)), values
    assert str(mean_figure([5, 6])) == "5.50"  # keeps its places
    assert str(mean_figure([-1, -2, -2, -2, -2, -2, -2, -2])) == "-1.88"  # 1.875 away from zero
    for part, whole in [(1, 8), (29, 200), (23, 40), (0, 3), (3, 3), (2, 3), (1, 6)]:
        assert percent_figure(part, whole) == round_half_up(Fraction(100 * part, whole))
    assert percent_figure(1, 8) == 13 and percent_figure(29, 200) == 15
    assert percent_figure(1, 0) is None


# --- An idea's comments --------------------------------------------------------------------------


@pytest.fixture
def discussed(account_a, member_a, product_manager):
    """An idea of a garden that names other accounts' members, commented by account A's
    member, account B's member and a product manager."""
    garden = GardenFactory(visibility=GardenVisibility.OPEN, shows_other_members=True)
    idea = IdeaFactory(garden=garden, status=IdeaStatus.PROPOSED)
    other = customer(AccountFactory(name="Beta B"), first_name="Bo", last_name="Berg")
    for i, writer in enumerate([member_a, other, product_manager, other]):
        Comment.objects.create(idea=idea, author=writer, body=f"Comment {i}")
    return idea


def test_a_page_of_comments_reads_its_authors_names_not_their_whole_rows(api, member_a, discussed):
    api_login(api, member_a)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/ideas/{discussed.pk}/comments/", {"page_size": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [row["author"] for row in body["results"]][1] == "Bo (Beta B)"
    comment_reads = [q["sql"] for q in queries.captured_queries if "ideas_comment" in q["sql"]]
    # 1 the page, 2 the count (the page is full): neither reads a password, an address or a
    # contract value of the authors and their accounts.
    assert len(comment_reads) == 2
    for sql in comment_reads:
        for column in ("password", "email", "annual_contract_value"):
            assert column not in sql, sql
    assert "accounts_user" not in comment_reads[1]  # the comments alone are counted


# --- Pilot results -----------------------------------------------------------------------------


@pytest.fixture
def two_account_pilot():
    acme = AccountFactory(name="Acme", segment=Segment.ENTERPRISE)
    globex = AccountFactory(name="Globex", segment=Segment.SMB)
    pilot = PilotFactory(accounts=[acme, globex], state=PilotState.RUNNING)
    for i, account in enumerate([acme, globex, acme, globex]):
        final_answered(
            pilot, account, name=f"M{i}", at=AT + dt.timedelta(hours=i), unmet=f"Said {i}"
        )
    return pilot


@pytest.mark.parametrize("split", [None, "segment", "level"])
def test_each_verbatim_names_its_members_account_and_segment(db, two_account_pilot, split):
    results = pilot_results(pilot=two_account_pilot, split=split)

    said = {v.text: (v.account_name, v.segment, v.segment_label) for v in results.verbatims}
    assert said == {
        "Said 0": ("Acme", Segment.ENTERPRISE, Segment.ENTERPRISE.label),
        "Said 1": ("Globex", Segment.SMB, Segment.SMB.label),
        "Said 2": ("Acme", Segment.ENTERPRISE, Segment.ENTERPRISE.label),
        "Said 3": ("Globex", Segment.SMB, Segment.SMB.label),
    }
    assert [v.text for v in results.verbatims] == ["Said 3", "Said 2", "Said 1", "Said 0"]


def test_the_answers_read_leaves_the_accounts_to_the_members_read(db, two_account_pilot):
    with CaptureQueriesContext(connection) as queries:
        pilot_results(pilot=two_account_pilot)

    answers = [q["sql"] for q in queries.captured_queries if "ideas_answer" in q["sql"]]
    assert len(answers) == 1
    assert "accounts_account" not in answers[0]


# --- Likely duplicates ---------------------------------------------------------------------------


def _duplicates_queries(client, count: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/ideas/duplicates/")
    assert page.status_code == 200
    assert page.content.decode().count("#merge") == count
    return len(queries.captured_queries)


def test_the_duplicates_queue_reads_its_pairs_in_the_same_queries_however_many(
    client_for, product_manager
):
    garden = GardenFactory(name="Field work", slug="field-work")
    client = client_for(product_manager)
    titles = ["Offline mode for the mobile app", "Barcode scanning of parts in the warehouse"]
    for title in titles:
        IdeaFactory(garden=garden, title=title, status=IdeaStatus.PLANNED)
        IdeaFactory(garden=garden, title=title + " please", status=IdeaStatus.PROPOSED)
    client.get("/ideas/duplicates/")
    two = _duplicates_queries(client, 2)
    for title in ["Dark mode for the app at night", "Export inspections to CSV files"]:
        IdeaFactory(garden=garden, title=title, status=IdeaStatus.PLANNED)
        IdeaFactory(garden=garden, title=title + " please", status=IdeaStatus.PROPOSED)

    assert _duplicates_queries(client, 4) == two  # no idea or garden read one at a time
