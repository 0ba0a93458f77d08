"""Members of other accounts stay anonymous to customers on ideas, in pages and in the API;
colleagues, the garden team and internal readers see names."""

from __future__ import annotations

import pytest

from ideas import services
from tests.accounts.factories import customer
from tests.api_helpers import api_login
from tests.ideas.factories import IdeaFactory

ANOTHER = "A member of another account"


@pytest.fixture
def discussed_idea(member_a, account_a, product_manager):
    idea = IdeaFactory(author=member_a, author_account=account_a)
    colleague = customer(account_a, first_name="Cleo", last_name="Colleague")
    services.ideas.idea_comment(idea=idea, author=colleague, body="We need this on site.")
    services.ideas.idea_comment(idea=idea, author=product_manager, body="Noted, thank you.")
    return idea


def test_a_customer_of_another_account_sees_no_names_of_acmes_people(
    client_for, member_b, discussed_idea
):
    page = client_for(member_b).get(discussed_idea.get_absolute_url()).content.decode()

    assert "Alice" not in page and "Cleo" not in page
    assert ANOTHER in page
    assert "Pat" in page  # the garden team is named


def test_a_colleague_sees_the_names_of_their_own_account(client_for, admin_a, discussed_idea):
    page = client_for(admin_a).get(discussed_idea.get_absolute_url()).content.decode()

    assert "Alice" in page and "Cleo Colleague" in page
    assert ANOTHER not in page


def test_a_product_manager_sees_every_name(client_for, product_manager, discussed_idea):
    page = client_for(product_manager).get(discussed_idea.get_absolute_url()).content.decode()

    assert "Alice" in page and "Cleo Colleague" in page


def test_the_api_names_comment_authors_by_the_same_rule(api, member_b, admin_a, discussed_idea):
    url = f"/api/v1/ideas/{discussed_idea.pk}/comments/"
    api_login(api, member_b)
    outsider = [c["author"] for c in api.get(url).json()["results"]]
    api_login(api, admin_a)
    colleague = [c["author"] for c in api.get(url).json()["results"]]

    assert outsider == [ANOTHER, "Pat " + discussed_idea.comments.last().author.last_name]
    assert colleague[0] == "Cleo Colleague"
