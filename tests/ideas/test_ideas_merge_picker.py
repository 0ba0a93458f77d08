"""Merging with the search picker: the endpoint that finds the original among the ideas the
moderator may see (ideas/views/ideas_merge.py), its outsiders, the merge it fills, the form
without scripts (Search, a typed number), and the specific errors."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission

from community.models import GardenVisibility
from ideas.models import Idea, IdeaStatus
from ideas.services import ideas as services
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def duplicate(garden):
    return IdeaFactory(garden=garden, title="Work offline in cellars")


@pytest.fixture
def secret_idea(db):
    garden = GardenFactory(name="Skunkworks", visibility=GardenVisibility.INVITE_ONLY)
    return IdeaFactory(garden=garden, title="Offline secret roadmap item")


def _targets_url(idea: Idea) -> str:
    return f"/ideas/{idea.pk}/merge/targets/"


def _merge_url(idea: Idea) -> str:
    return f"/ideas/{idea.pk}/merge/"


def _picked(html: str) -> dict[int, str]:
    """The picker's radio buttons: idea number → the label's text."""
    found = re.findall(
        r'<input type="radio" name="into" value="(\d+)"[^>]*>\s*(.*?)</label>', html, re.S
    )
    return {int(pk): " ".join(re.sub(r"<[^>]+>", " ", text).split()) for pk, text in found}


def _moderating_customer(user):
    user.user_permissions.add(Permission.objects.get(codename="moderate_idea"))
    return user


# --- The endpoint ------------------------------------------------------------------------------


def test_typing_part_of_a_title_lists_the_ideas_to_merge_into(
    client_for, product_manager, idea, duplicate, garden
):
    merged = IdeaFactory(garden=garden, title="Offline again", status=IdeaStatus.MERGED)
    merged.merged_into = idea
    merged.save()
    IdeaFactory(garden=garden, title="Offline, withdrawn", status=IdeaStatus.WITHDRAWN)

    response = client_for(product_manager).get(
        _targets_url(duplicate), {"q": "offline"}, headers=HTMX
    )

    assert response.status_code == 200
    # Not the duplicate itself ("Work offline in cellars"), nor a merged or withdrawn idea.
    assert _picked(response.content.decode()) == {
        idea.pk: f"Offline inspections #{idea.pk} · Field work · Proposed"
    }


def test_a_number_finds_that_idea_first(client_for, product_manager, idea, duplicate, garden):
    IdeaFactory(garden=garden, title=f"Plan {idea.pk} offline")

    response = client_for(product_manager).get(
        _targets_url(duplicate), {"q": f"#{idea.pk}"}, headers=HTMX
    )

    assert list(_picked(response.content.decode()))[0] == idea.pk


def test_nothing_typed_lists_nothing_and_no_match_says_so(
    client_for, product_manager, idea, duplicate
):
    client = client_for(product_manager)

    empty = client.get(_targets_url(duplicate), {"q": "  "}, headers=HTMX).content.decode()
    none = client.get(_targets_url(duplicate), {"q": "zebra"}, headers=HTMX).content.decode()

    assert _picked(empty) == {} and "No idea" not in empty
    assert _picked(none) == {} and "No idea you can merge into matches “zebra”." in none


def test_a_customer_never_finds_an_idea_of_a_garden_they_cannot_see(
    client_for, member_b, product_manager, idea, duplicate, secret_idea
):
    """Even a customer given the moderators' permission searches only the ideas they see."""
    customer = _moderating_customer(member_b)

    found_by_customer = client_for(customer).get(
        _targets_url(duplicate), {"q": "offline"}, headers=HTMX
    )
    found_by_pm = client_for(product_manager).get(
        _targets_url(duplicate), {"q": "offline"}, headers=HTMX
    )

    assert found_by_customer.status_code == 200
    assert secret_idea.pk not in _picked(found_by_customer.content.decode())
    assert "Secret roadmap" not in found_by_customer.content.decode()
    assert idea.pk in _picked(found_by_customer.content.decode())
    assert secret_idea.pk in _picked(found_by_pm.content.decode())  # the search would find it


def test_a_member_without_the_moderators_permission_is_refused(
    client_for, member_a, idea, duplicate
):
    response = client_for(member_a).get(_targets_url(duplicate), {"q": "offline"}, headers=HTMX)

    assert response.status_code == 403
    assert "Offline inspections" not in response.content.decode()


def test_an_outsider_gets_a_404_for_an_idea_they_cannot_see(client_for, member_b, secret_idea):
    customer = _moderating_customer(member_b)

    response = client_for(customer).get(_targets_url(secret_idea), {"q": "o"}, headers=HTMX)

    assert response.status_code == 404


def test_the_endpoint_opened_directly_is_a_page_of_the_frame(
    client_for, product_manager, idea, duplicate
):
    response = client_for(product_manager).get(_targets_url(duplicate), {"q": "offline"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<nav aria-label="Main"' in page and idea.pk in _picked(page)
    assert f'href="/ideas/{duplicate.pk}/"' in page  # the way back to the duplicate


# --- The merge it fills ------------------------------------------------------------------------


def test_search_pick_and_merge_end_to_end(client_for, product_manager, member_b, idea, duplicate):
    services.idea_vote_toggle(idea=duplicate, user=member_b)
    client = client_for(product_manager)
    page = client.get(f"/ideas/{duplicate.pk}/").content.decode()
    assert f'hx-get="{_targets_url(duplicate)}"' in page  # the search field asks the endpoint

    found = client.get(_targets_url(duplicate), {"q": "inspections"}, headers=HTMX)
    (picked,) = _picked(found.content.decode())
    response = client.post(
        _merge_url(duplicate),
        {"q": "inspections", "into": picked, "reason": "Same need.", "action": "merge"},
    )

    assert response.status_code == 302 and response["Location"] == f"/ideas/{idea.pk}/"
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (IdeaStatus.MERGED, idea.pk)
    assert idea.votes.filter(user=member_b).exists()


def test_without_scripts_search_lists_the_ideas_and_changes_nothing(
    client_for, product_manager, idea, duplicate
):
    response = client_for(product_manager).post(
        _merge_url(duplicate),
        {"q": "inspections", "reason": "Same need.", "action": "search"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert list(_picked(page)) == [idea.pk]
    assert 'value="inspections"' in page and "Same need.</textarea>" in page
    assert Idea.objects.get(pk=duplicate.pk).status == IdeaStatus.PROPOSED


def test_without_scripts_a_typed_number_merges(client_for, product_manager, idea, duplicate):
    response = client_for(product_manager).post(
        _merge_url(duplicate), {"q": f"#{idea.pk}", "reason": "Same need."}
    )

    assert response.status_code == 302
    assert Idea.objects.get(pk=duplicate.pk).merged_into_id == idea.pk


def test_a_title_typed_and_sent_without_a_pick_asks_to_pick(
    client_for, product_manager, idea, duplicate
):
    response = client_for(product_manager).post(
        _merge_url(duplicate), {"q": "inspections", "reason": "Same need."}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Pick the original among the ideas that match “inspections”." in page
    assert list(_picked(page)) == [idea.pk]  # the matches are there to pick
    assert Idea.objects.get(pk=duplicate.pk).status == IdeaStatus.PROPOSED


def _merge_error(client, duplicate: Idea, into) -> str:
    response = client.post(_merge_url(duplicate), {"into": into, "reason": "Same need."})
    assert response.status_code == 400
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_errors_say_exactly_why_not(client_for, product_manager, idea, duplicate, garden):
    merged = IdeaFactory(garden=garden, title="Folded away")
    services.idea_merge(duplicate=merged, original=idea, actor=product_manager, reason="Same.")
    withdrawn = IdeaFactory(garden=garden, title="Taken back", status=IdeaStatus.WITHDRAWN)
    client = client_for(product_manager)

    assert "An idea cannot be merged into itself." in _merge_error(client, duplicate, duplicate.pk)
    assert (
        f"“Folded away” is merged into another idea; merge into an idea that is still alive "
        f"(merge into #{idea.pk} instead)."
    ) in _merge_error(client, duplicate, merged.pk)
    assert "“Taken back” is withdrawn;" in _merge_error(client, duplicate, withdrawn.pk)
    assert "There is no idea number 999999." in _merge_error(client, duplicate, 999999)
    assert "Search for the original idea by its title or number" in _merge_error(
        client, duplicate, ""
    )
    assert Idea.objects.get(pk=duplicate.pk).status == IdeaStatus.PROPOSED
