"""Names inside sentences (accounts/people.py): a description of a person ("A member of another
account") starts lower case mid-sentence and is counted, not repeated, in a list; a person's
name is written as it is."""

from __future__ import annotations

import pytest

from accounts.people import ANOTHER_ACCOUNT, FORMER_MEMBER, in_sentence, names_listed
from community.models.notifications import actor_text, actor_text_render


def test_a_description_starts_lower_case_inside_a_sentence_and_a_name_does_not():
    assert in_sentence(ANOTHER_ACCOUNT) == "a member of another account"
    assert in_sentence(FORMER_MEMBER) == "a former member"
    assert in_sentence("Ana (Acme)") == "Ana (Acme)"


@pytest.mark.parametrize(
    ("names", "listed"),
    [
        ([], ""),
        (["Ana"], "Ana"),
        ([ANOTHER_ACCOUNT], "a member of another account"),
        (["Ana", "Bo"], "Ana and Bo"),
        (
            [ANOTHER_ACCOUNT, "Ana", ANOTHER_ACCOUNT, ANOTHER_ACCOUNT],
            "Ana and 3 members of other accounts",
        ),
        (
            ["Ana", "Bo", FORMER_MEMBER, ANOTHER_ACCOUNT],
            "Ana, Bo, a member of another account and a former member",
        ),
    ],
)
def test_a_list_of_names_counts_the_descriptions(names, listed):
    assert names_listed(names) == listed


def test_a_notification_writes_the_actor_as_the_place_in_its_sentence_needs():
    text = actor_text("{actor} replied. Thanks to {actor}: {actor} said it")

    rendered = actor_text_render(text, ANOTHER_ACCOUNT)

    assert rendered == (
        "A member of another account replied. Thanks to a member of another account: "
        "A member of another account said it"
    )
