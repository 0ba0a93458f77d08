"""ideas' section of a person's personal data (accounts.personal_data's registry): the ideas
they proposed, their votes, comments and follows, pilot enrolments, the agreements they
accepted for their account, their feedback responses with every answer — for the download;
and what the erasure forgets.

Registered from IdeasConfig.ready. The erasure removes what only serves the person (follows,
reminders) and keeps their ideas, votes, comments, enrolments and feedback, so vote counts,
pilot results and other people's conversations are unchanged; they now show as a former
member's.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from accounts.models import User
from accounts.personal_data import json_value, personal_data_section_register, rows
from ideas.models import (
    AgreementAcceptance,
    Answer,
    Comment,
    Enrolment,
    FeedbackResponse,
    Follow,
    Idea,
    Reminder,
    Vote,
)


def _feedback_responses(user: User) -> list[dict[str, Any]]:
    """Their responses, each with its answers (two queries)."""
    responses = rows(
        FeedbackResponse.objects.filter(enrolment__user=user).order_by("created_at", "pk"),
        "id",
        "check_in__pilot__title",
        "check_in__title",
        "status",
        "created_at",
        "submitted_at",
    )
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for answer in Answer.objects.filter(response__enrolment__user=user).values(
        "response_id", "question__prompt", "dimension__label", "value_int", "value_text",
        "value_choices",
    ):  # fmt: skip
        answers[answer.pop("response_id")].append({k: json_value(v) for k, v in answer.items()})
    for response in responses:
        response["answers"] = answers.get(response["id"], [])
    return responses


def _export(user: User) -> dict[str, Any]:
    return {
        "ideas": rows(
            Idea.objects.filter(author=user).order_by("created_at", "pk"),
            "id",
            "garden__slug",
            "title",
            "job_to_be_done",
            "proposal",
            "links",
            "status",
            "created_at",
        ),
        "votes": rows(
            Vote.objects.filter(user=user).order_by("created_at", "pk"),
            "idea_id",
            "idea__title",
            "created_at",
        ),
        "comments": rows(
            Comment.objects.filter(author=user).order_by("created_at", "pk"),
            "id",
            "idea_id",
            "idea__title",
            "body",
            "created_at",
        ),
        "follows": rows(
            Follow.objects.filter(user=user).order_by("created_at", "pk"),
            "idea_id",
            "idea__title",
            "created_at",
        ),
        "pilot_enrolments": rows(
            Enrolment.objects.filter(user=user).order_by("created_at", "pk"),
            "pilot_id",
            "pilot__title",
            "account__name",
            "created_at",
        ),
        "agreements_accepted": rows(
            AgreementAcceptance.objects.filter(accepted_by=user).order_by("accepted_at", "pk"),
            "agreement__pilot__title",
            "agreement__version",
            "account__name",
            "accepted_at",
        ),
        "feedback_responses": _feedback_responses(user),
    }


def _erase(user: User) -> dict[str, int]:
    follows, _ = Follow.objects.filter(user=user).delete()
    reminders, _ = Reminder.objects.filter(user=user).delete()
    return {"follows": follows, "reminders": reminders}


def register() -> None:
    personal_data_section_register(name="ideas", exporter=_export, eraser=_erase)
