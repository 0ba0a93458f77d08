"""A person downloads their own data (JSON), from the profile page or the API: every app's
section, their rows only."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.personal_data import personal_data_export
from tests.accounts.factories import ALICE_EMAIL, ALICE_TEXTS, contributions_of
from tests.api_helpers import api_login


@pytest.fixture
def contributions(member_a, admin_a, member_b):
    return contributions_of(member_a, admin_a, member_b)


def _download(client) -> dict:
    response = client.get("/profile/data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_the_profile_page_offers_the_download(client_for, member_a):
    page = client_for(member_a).get("/profile/").content.decode()

    assert 'href="/profile/data/"' in page
    assert "Download your data" in page


def test_a_member_downloads_everything_they_did_in_every_app(client_for, member_a, contributions):
    data = _download(client_for(member_a))

    accounts, community, ideas = data["accounts"], data["community"], data["ideas"]
    assert accounts["profile"]["email"] == ALICE_EMAIL
    assert accounts["profile"]["job_title"] == "Site lead"
    assert accounts["membership"]["account_slug"] == "acme"
    assert [i["title"] for i in ideas["ideas"]] == [ALICE_TEXTS["idea"]]
    assert [v["idea_id"] for v in ideas["votes"]] == [contributions.colleagues_idea.pk]
    assert [c["body"] for c in ideas["comments"]] == [ALICE_TEXTS["comment"]]
    assert {f["idea_id"] for f in ideas["follows"]} >= {contributions.own_idea.pk}
    assert [e["pilot_id"] for e in ideas["pilot_enrolments"]] == [contributions.pilot.pk]
    assert [a["account__name"] for a in ideas["agreements_accepted"]] == ["Acme Industrial"]
    (response,) = ideas["feedback_responses"]
    assert response["status"] == "submitted"
    assert ALICE_TEXTS["verbatim"] in [a["value_text"] for a in response["answers"]]
    assert [g["garden__slug"] for g in community["garden_memberships"]] == ["onboarding"]
    assert [p["body"] for p in community["discussion_posts"]] == [ALICE_TEXTS["reply"]]
    assert community["discussion_threads"] == []  # the colleague started the thread
    assert [r["kind"] for r in community["discussion_reactions"]] == ["helpful"]
    assert [f["reason"] for f in community["discussion_flags"]] == ["Off topic, maybe."]
    assert "Something for Alice" in [n["title"] for n in community["notifications"]]
    assert community["notification_preferences"] == [{"kind": "idea_status", "delivery": "weekly"}]
    assert {e["kind"] for e in community["activity_events"]} >= {"idea_proposed", "vote", "comment"}
    # "alert_digest" was "alert_subscription" (with daily_digest): that choice is now only in
    # notification_preferences (kind engagement_alert), the section keeps the digest's mark.
    assert {"harvest_reads", "milestones", "alert_digest"} <= community.keys()


def _without_notifications(data: dict) -> str:
    """The download as text, less what the person was told (a notification quotes the post
    that it is about: what they were sent is theirs)."""
    data["community"].pop("notifications")
    return json.dumps(data)


def test_the_download_holds_nothing_of_anyone_else(client_for, member_a, admin_a, contributions):
    text = _without_notifications(_download(client_for(member_a)))

    assert admin_a.email not in text and "bob@globex.example" not in text
    assert "The colleague's." not in text  # the colleague's comment on the same idea
    assert "The outsider's reply." not in text  # another account's post in the same thread
    assert contributions.colleagues_idea.proposal not in text


def test_a_colleague_downloads_only_their_own_rows(client_for, admin_a, contributions):
    data = _download(client_for(admin_a))

    assert data["accounts"]["profile"]["email"] == "anna@acme.example"
    assert [c["body"] for c in data["ideas"]["comments"]] == ["The colleague's."]
    assert data["ideas"]["pilot_enrolments"] == []
    assert ALICE_TEXTS["reply"] not in _without_notifications(data)


def test_an_anonymous_visitor_is_sent_to_the_login(client, db):
    response = client.get("/profile/data/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_the_api_gives_the_same_data(api, member_a, contributions):
    api_login(api, member_a)

    response = api.get("/api/v1/me/data/")

    assert response.status_code == 200
    body = response.json()
    expected = personal_data_export(user=member_a)
    assert body.keys() == expected.keys()
    assert body["ideas"] == expected["ideas"]
    assert body["community"]["discussion_posts"] == expected["community"]["discussion_posts"]


def test_the_api_refuses_an_anonymous_caller(api, db):
    assert api.get("/api/v1/me/data/").status_code in {401, 403}


def test_an_internal_user_downloads_theirs_too(client_for, programme_admin):
    data = _download(client_for(programme_admin))

    assert data["accounts"]["membership"] is None
    assert data["accounts"]["profile"]["internal_roles"] == ["programme_admin"]


def test_the_export_takes_the_same_queries_however_much_a_person_did(
    member_a, member_b, contributions
):
    with CaptureQueriesContext(connection) as rich:
        personal_data_export(user=member_a)
    with CaptureQueriesContext(connection) as sparse:
        personal_data_export(user=member_b)

    # One query per part (profile's roles, membership, invitations ×2, the audit trail's rows
    # with the people and accounts they name, eleven of community's, seven of ideas' plus the
    # feedback answers): a constant, never one per row.
    assert len(rich.captured_queries) == len(sparse.captured_queries) <= 28
