"""Ideas like one being written (ideas.selectors.similar), measured on a labelled set: existing
ideas, paraphrases of some of them (each with the idea it duplicates), and new ideas that
duplicate none. Precision: of the ideas offered first, the share that is the true duplicate;
recall: of the paraphrases, the share whose duplicate is among the ideas offered."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from ideas.models import Idea, IdeaStatus
from ideas.selectors.similar import likely_duplicates, similar_ideas, typed_words
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

EXISTING = {
    "offline": ("Offline mode with automatic sync for the mobile app",
                "Record inspections in basements where there is no network."),
    "export": ("Export the engagement figures to a spreadsheet",
               "Share our engagement with the board every quarter."),
    "barcode": ("Scan spare-part barcodes with the phone camera",
                "Find the right part without typing its number."),
    "sso": ("Sign in with our company identity provider",
            "Stop managing separate passwords for every technician."),
    "darkmode": ("A dark theme for night shifts",
                 "Read the screen at night without being dazzled."),
    "route": ("Plan the best route across today's jobs",
              "Drive less between work orders."),
    "photos": ("Draw on photos attached to work orders",
               "Point at the broken part in a picture."),
    "forecast": ("Forecast of our consumption for the next quarter",
                 "Budget the energy we will use."),
    "reminders": ("Reminders before a maintenance contract expires",
                  "Renew service contracts on time."),
    "languages": ("The app in German and Dutch",
                  "Let technicians work in their own language."),
}  # fmt: skip

PARAPHRASES = [
    ("Work offline and synchronise later on mobile", "offline"),
    ("Mobile app without network: sync when back online", "offline"),
    ("Download engagement data as a spreadsheet", "export"),
    ("Engagement export for our quarterly board report", "export"),
    ("Barcode scanning of spare parts", "barcode"),
    ("Use the camera to scan a part's barcode", "barcode"),
    ("Single sign-on through our identity provider", "sso"),
    ("Dark mode for the night shift", "darkmode"),
    ("Route planning for the day's jobs", "route"),
    ("Annotate photos on a work order", "photos"),
    ("Quarterly consumption forecast", "forecast"),
    ("Remind us before the maintenance contract expires", "reminders"),
    ("German and Dutch translations of the app", "languages"),
]

UNRELATED = [
    "Invoices in PDF with our purchase order number",
    "A public status page for outages",
    "Carbon footprint per site",
    "Let us rate each technician visit",
]


@pytest.fixture
def existing(member_a):
    garden = GardenFactory(name="Field work", slug="field-work")
    ideas = {
        key: IdeaFactory(garden=garden, title=title, job_to_be_done=job)
        for key, (title, job) in EXISTING.items()
    }
    IdeaFactory(garden=garden, title="Offline mode for the app (merged)",
                status=IdeaStatus.MERGED, merged_into=ideas["offline"])  # fmt: skip
    return ideas


def _measure(user, ideas) -> tuple[float, float, list[str]]:
    key_of = {idea.pk: key for key, idea in ideas.items()}
    first_offered = first_right = found = 0
    misses = []
    for text, key in [*PARAPHRASES, *[(text, None) for text in UNRELATED]]:
        offered = [key_of.get(idea.pk) for idea in similar_ideas(user=user, text=text)]
        if offered:
            first_offered += 1
            first_right += offered[0] == key
        if key is not None:
            found += key in offered
        if (key is not None and key not in offered) or (key is None and offered):
            misses.append(f"{text!r}: {offered}")
    return first_right / first_offered, found / len(PARAPHRASES), misses


def test_similar_ideas_are_found_with_high_precision_and_recall(member_a, existing):
    precision, recall, misses = _measure(member_a, existing)
    print(
        f"\n{connection.vendor}: precision {precision:.2f}, recall {recall:.2f}", *misses, sep="\n"
    )
    assert precision >= 0.9, misses
    assert recall >= 0.8, misses


def test_a_merged_idea_is_not_offered_its_survivor_is(member_a, existing):
    offered = similar_ideas(user=member_a, text="Offline mode for the app")
    assert offered[0] == existing["offline"]
    assert all(idea.status != IdeaStatus.MERGED for idea in offered)


def test_ideas_of_a_garden_the_viewer_does_not_see_are_not_offered(member_a, existing):
    hidden = GardenFactory(visibility="invite_only", slug="hidden")
    secret = IdeaFactory(garden=hidden, title="Offline mode with automatic sync everywhere")
    offered = similar_ideas(user=member_a, text="Offline mode with automatic sync")
    assert offered and secret not in offered


def test_one_shared_word_does_not_bring_every_idea_that_has_it(member_a):
    garden = GardenFactory()
    dark = IdeaFactory(garden=garden, title="Dark mode for night shifts")
    for title in ("Read-only mode during maintenance windows", "Offline mode for the mobile app"):
        IdeaFactory(garden=garden, title=title)
    assert similar_ideas(user=member_a, text="Dark mode") == [dark]  # not every other "mode"


def test_nothing_telling_typed_offers_nothing(member_a, existing):
    assert typed_words("The and of for") == []
    assert similar_ideas(user=member_a, text="The and of for") == []


# --- The idea form's fragment ------------------------------------------------------------------


def test_typing_a_title_offers_the_ideas_like_it_to_vote_for(client_for, member_a, existing):
    client = client_for(member_a)
    form = client.get("/ideas/new/").content.decode()
    assert 'hx-get="/ideas/new/similar/"' in form  # asked as the title and the job are typed

    response = client.get(
        "/ideas/new/similar/",
        {"title": "Barcode scanning of spare parts", "job_to_be_done": ""},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page  # the fragment alone
    barcode = existing["barcode"]
    assert f'href="/ideas/{barcode.pk}/#idea-actions">Vote for this instead' in page
    first = re.search(r'<li><a href="/ideas/(\d+)/">', page)
    assert first and int(first.group(1)) == barcode.pk  # the most alike first


def test_nothing_like_it_says_so_and_an_empty_form_says_nothing(client_for, member_a, existing):
    client = client_for(member_a)
    unlike = client.get(
        "/ideas/new/similar/",
        {"title": "Carbon footprint per site"},
        headers={"HX-Request": "true"},
    )
    assert "No idea like this one yet." in unlike.content.decode()
    empty = client.get("/ideas/new/similar/", {"title": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 200 and empty.content.decode().strip() == ""


def test_opened_as_a_page_it_is_a_page_of_the_frame(client_for, member_a, existing):
    response = client_for(member_a).get("/ideas/new/similar/", {"title": "Dark mode at night"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert existing["darkmode"].title in page


def test_a_visitor_who_is_not_signed_in_is_sent_to_log_in(client, existing):
    response = client.get("/ideas/new/similar/", {"title": "Dark mode"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- Likely duplicates (the product managers' queue) -------------------------------------------


@pytest.fixture
def doubles(existing):
    garden = existing["offline"].garden
    return {
        "offline": IdeaFactory(
            garden=garden, title="Offline mode with auto sync for the mobile app"
        ),
        "barcode": IdeaFactory(garden=garden, title="Scan spare part barcodes with a phone camera"),
        "withdrawn": IdeaFactory(
            garden=garden, title="A dark theme for the night shifts", status=IdeaStatus.WITHDRAWN
        ),
        # decided already (planned): no longer in triage, so not offered for a merge
        "planned": IdeaFactory(
            garden=garden, title="Dark mode for the app at night", status=IdeaStatus.PLANNED
        ),
    }


def test_likely_duplicates_pair_each_newer_idea_with_its_older_look_alike(
    product_manager, existing, doubles
):
    pairs = likely_duplicates(user=product_manager)
    found = {(pair.newer.pk, pair.older.pk) for pair in pairs}
    assert found == {
        (doubles["offline"].pk, existing["offline"].pk),
        (doubles["barcode"].pk, existing["barcode"].pk),
    }  # not the withdrawn one, not the merged one, not the planned one, no unrelated pair
    assert all(0 < pair.likeness <= 1 for pair in pairs)
    assert [pair.likeness for pair in pairs] == sorted((p.likeness for p in pairs), reverse=True)


@pytest.mark.needs_postgres
def test_likely_duplicates_read_each_pair_with_its_ideas_and_gardens(
    product_manager, existing, doubles, django_assert_num_queries
):
    likely_duplicates(user=product_manager)  # the open ideas' SQL is written once
    # The pairs among the open ideas the product manager sees, with both ideas' shown columns
    # and their gardens.
    with django_assert_num_queries(1):
        pairs = likely_duplicates(user=product_manager)
        shown = [
            (idea.pk, idea.title, idea.status, idea.created_at, idea.garden.slug, idea.garden.name)
            for pair in pairs
            for idea in (pair.newer, pair.older)
        ]
    assert len(pairs) == 2
    assert shown == [
        (idea.pk, idea.title, idea.status, idea.created_at, idea.garden.slug, idea.garden.name)
        for pair in pairs
        for idea in (Idea.objects.select_related("garden").get(pk=pair.newer.pk),
                     Idea.objects.select_related("garden").get(pk=pair.older.pk))
    ]  # fmt: skip
    assert pairs[0].newer.get_deferred_fields() == {
        "updated_at", "job_to_be_done", "proposal", "links", "author_id", "author_account_id",
        "merged_into_id",
    }  # fmt: skip


def test_the_queue_page_is_for_moderators(client_for, product_manager, member_a, doubles):
    page = client_for(product_manager).get("/ideas/duplicates/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="/ideas/{doubles["offline"].pk}/#merge"' in body
    assert client_for(member_a).get("/ideas/duplicates/").status_code == 403


@pytest.mark.needs_postgres
def test_the_titles_trigram_index_has_signatures_of_64_bytes(db):
    """Migration ideas 0009: the likely-duplicates queue walks this index once per idea awaiting
    a decision; pg_trgm's default 12-byte signatures make each walk read most of it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'idea_title_trigram_gist'"
        )
        [(definition,)] = cursor.fetchall()
    assert "gist_trgm_ops" in definition and "siglen='64'" in definition
