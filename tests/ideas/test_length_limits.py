"""Every length limit is stated and counted as you type, and nothing is cut silently: a text
longer than its limit is refused with a message that names the limit (the form keeps the text),
never shortened. The counter itself is garden.js's (tests/test_design_browser.py clicks it)."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

from ideas.models import Comment, Question, QuestionKind
from ideas.services.feedback import MAX_TEXT_ANSWER
from ideas.services.ideas import MAX_COMMENT_LENGTH

LONG = "Our field teams " + "x" * (10_000 - len("Our field teams "))


def test_the_counter_script_is_served_and_every_page_loads_it(client_for, member_a):
    script = finders.find("js/garden.js")
    page = client_for(member_a).get("/").content.decode()

    assert script is not None
    source = Path(script).read_text(encoding="utf-8")
    assert "char-count" in source
    assert 'setAttribute("aria-live", "polite")' in source
    assert re.search(r'<script src="/static/js/garden\.js[^"]*" defer></script>', page)


def test_a_comment_box_states_its_limit(client_for, member_a, idea):
    page = client_for(member_a).get(idea.get_absolute_url()).content.decode()

    textarea = re.search(r'<textarea name="body"[^>]*>', page).group(0)
    assert f'maxlength="{MAX_COMMENT_LENGTH}"' in textarea


def test_a_10000_character_comment_is_refused_with_the_limit_not_cut(client_for, member_a, idea):
    response = client_for(member_a).post(f"/ideas/{idea.pk}/comments/", {"body": LONG})

    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 5000 characters (it has 10000)" in page
    assert LONG in page  # the text is kept in the form, to be shortened by its writer
    assert not Comment.objects.exists()


def test_the_api_refuses_a_10000_character_comment_with_a_400(api, member_a, idea):
    api.force_authenticate(member_a)

    response = api.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": LONG}, format="json")

    assert response.status_code == 400
    assert "no more than 5000 characters" in str(response.json())
    assert not Comment.objects.exists()


def test_a_check_in_text_answer_states_its_limit_and_a_longer_one_is_refused(
    client_for, member_a, enrolment, experience
):
    client = client_for(member_a)
    page = client.get(f"/check-ins/{experience.pk}/").content.decode()
    textareas = re.findall(r"<textarea [^>]*>", page)
    text_question = Question.objects.filter(
        instrument__pilot=experience.pilot, phase=experience.phase, kind=QuestionKind.TEXT
    ).first()

    assert textareas and all(f'maxlength="{MAX_TEXT_ANSWER}"' in t for t in textareas)
    response = client.post(
        f"/check-ins/{experience.pk}/", {"action": "draft", f"q-{text_question.pk}": LONG}
    )
    assert "Keep your answer to 5,000 characters or fewer (it has 10,000)" in (
        response.content.decode()
    )
