"""Writes happen once (accounts/submissions.py): a form's one-time token and the API's
`Idempotency-Key`. Every create form is double-submitted by tests/test_forms_once_crawl.py;
these tests show the rules one by one, through the idea form, the API token form and the ideas
API."""

from __future__ import annotations

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from accounts.models import ApiToken, FormSubmission, IdempotentRequest
from accounts.services import api_token_create
from community.models import ImportBatch
from community.services.gardens import garden_join
from ideas.models import Idea
from tests.community.factories import GardenFactory

NEW = "/ideas/new/"
IDEAS_API = "/api/v1/ideas/"


@pytest.fixture
def garden(db, member_a):
    garden = GardenFactory(name="Field work", slug="field-work")
    garden_join(garden=garden, user=member_a)
    return garden


def _token(page) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def _idea(token: str, **changes) -> dict:
    return {
        "garden": "field-work",
        "title": "Offline inspections",
        "job_to_be_done": "Inspect in basements.",
        "proposal": "Queue and sync.",
        "form_token": token,
        **changes,
    }


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_every_form_carries_a_fresh_token(client_for, member_a, garden):
    client = client_for(member_a)
    assert _token(client.get(NEW)) != _token(client.get(NEW))


def test_a_repeated_submission_goes_to_the_idea_made_by_the_first(client_for, member_a, garden):
    client = client_for(member_a)
    token = _token(client.get(NEW))
    first = client.post(NEW, _idea(token))
    again = client.post(NEW, _idea(token), follow=True)

    idea = Idea.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/ideas/{idea.pk}/"
    assert again.redirect_chain == [(f"/ideas/{idea.pk}/", 302)]
    assert "Already saved." in _messages(again)
    assert FormSubmission.objects.get().url == f"/ideas/{idea.pk}/"


def test_back_and_submit_again_with_other_text_saves_nothing_new(client_for, member_a, garden):
    client = client_for(member_a)
    token = _token(client.get(NEW))
    client.post(NEW, _idea(token))
    client.get(f"/ideas/{Idea.objects.get().pk}/")  # the page the first submission led to
    again = client.post(NEW, _idea(token, title="Offline inspections, edited"))

    assert again.status_code == 302
    assert list(Idea.objects.values_list("title", flat=True)) == ["Offline inspections"]


def test_a_form_with_errors_keeps_its_token_usable(client_for, member_a, garden):
    client = client_for(member_a)
    token = _token(client.get(NEW))
    refused = client.post(NEW, _idea(token, title=""))
    saved = client.post(NEW, _idea(token))

    assert refused.status_code == 400 and Idea.objects.count() == 1
    assert saved.status_code == 302
    assert FormSubmission.objects.count() == 1


def test_a_retried_htmx_request_is_sent_where_the_first_went(client_for, member_a, garden):
    client = client_for(member_a)
    token = _token(client.get(NEW))
    client.post(NEW, _idea(token))
    again = client.post(NEW, _idea(token), headers={"HX-Request": "true"})

    assert again.status_code == 204
    assert again["HX-Redirect"] == f"/ideas/{Idea.objects.get().pk}/"


def test_a_token_of_other_characters_is_no_token(client_for, member_a, garden):
    client = client_for(member_a)
    client.post(NEW, _idea("not\na token"))

    assert Idea.objects.count() == 1 and not FormSubmission.objects.exists()


def test_tokens_are_per_person(client_for, member_a, admin_a, garden):
    garden_join(garden=garden, user=admin_a)
    token = _token(client_for(member_a).get(NEW))
    client_for(member_a).post(NEW, _idea(token))
    client_for(admin_a).post(NEW, _idea(token, title="Another idea"))

    assert Idea.objects.count() == 2


def test_a_new_api_token_is_made_once_and_its_secret_shown_once(client_for, member_a):
    client = client_for(member_a)
    token = _token(client.get("/profile/"))
    first = client.post("/profile/api-token/", {"name": "Nightly export", "form_token": token})
    again = client.post(
        "/profile/api-token/", {"name": "Nightly export", "form_token": token}, follow=True
    )

    made = ApiToken.objects.get(user=member_a)
    assert first.status_code == 200 and made.name in first.content.decode()
    assert again.redirect_chain == [("/profile/", 302)]
    assert any("secret was shown once" in m for m in _messages(again))


def test_an_import_sent_twice_makes_one_batch(client_for, programme_admin):
    client = client_for(programme_admin)
    token = _token(client.get("/imports/"))

    def upload():
        csv = SimpleUploadedFile("outcomes.csv", b"account,kind,date\n", "text/csv")
        return client.post("/imports/", {"kind": "outcomes", "file": csv, "form_token": token})

    upload()
    again = upload()
    batch = ImportBatch.objects.get()
    assert again.status_code == 302 and again["Location"] == f"/imports/{batch.pk}/"


# --- The API's Idempotency-Key ------------------------------------------------------------------


def _api_client(user) -> Client:
    _, key = api_token_create(user=user, name="Script")
    return Client(headers={"Authorization": f"Token {key}"})


def _api_idea(client, key: str, title: str = "Route planning"):
    body = {"garden": "field-work", "title": title, "job_to_be_done": "Plan.", "proposal": "A map."}
    return client.post(
        IDEAS_API, body, content_type="application/json", headers={"Idempotency-Key": key}
    )


def test_an_api_create_with_the_same_key_answers_the_same_and_makes_one(member_a, garden):
    client = _api_client(member_a)
    first = _api_idea(client, "c0ffee-1")
    again = _api_idea(client, "c0ffee-1")

    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Idea.objects.count() == 1
    assert _api_idea(client, "c0ffee-2").status_code == 201  # a new key: a new idea
    assert Idea.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(member_a, garden):
    client = _api_client(member_a)
    _api_idea(client, "c0ffee-1")
    other = _api_idea(client, "c0ffee-1", title="Something else")

    assert other.status_code == 422
    assert other.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert Idea.objects.count() == 1


def test_a_refused_api_create_keeps_nothing_so_the_key_can_be_retried(member_a, garden):
    client = _api_client(member_a)
    refused = client.post(
        IDEAS_API,
        {"garden": "field-work", "title": ""},
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert refused.status_code == 400
    assert not IdempotentRequest.objects.exists()


def test_a_key_that_is_no_printable_ascii_is_a_field_error(member_a, garden):
    answer = _api_idea(_api_client(member_a), "not a key")

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "Idempotency-Key"
    assert not Idea.objects.exists()


def test_keys_are_per_caller(member_a, admin_a, garden):
    garden_join(garden=garden, user=admin_a)
    _api_idea(_api_client(member_a), "same-key")
    theirs = _api_idea(_api_client(admin_a), "same-key")

    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs
    assert Idea.objects.count() == 2


# --- Two submissions at the same moment ---------------------------------------------------------


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_make_one_idea(member_a, garden):
    client = Client()
    client.force_login(member_a)
    token = _token(client.get(NEW))
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            answers.append(client.post(NEW, _idea(token)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert answers == [302, 302]
    assert Idea.objects.count() == 1
