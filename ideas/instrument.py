"""The default feedback instrument of docs/product.md, and how a pilot gets it.

Before the trial: an expected rating (1–7) per dimension. During and after: an experienced
rating (1–7) and a sacrifice (0–6: how far short of what they wanted exactly they had to
settle) per dimension, job done (yes/partly/no), likelihood to adopt and to recommend (0–10),
and two free-text questions.
"""

from __future__ import annotations

from django.db import transaction

from ideas.models import (
    CheckIn,
    Dimension,
    Instrument,
    Phase,
    Pilot,
    Question,
    QuestionKind,
    QuestionRole,
)

DEFAULT_DIMENSIONS = [
    ("useful", "Useful", "Does the job it should do."),
    ("usable", "Usable", "Easy to learn and to use."),
    ("delightful", "Delightful", "Pleasant; evokes the senses."),
    ("speed", "Speed", "Fast enough for the job."),
    ("trust", "Trust", "Reliable, safe with your data."),
]

JOB_DONE_CHOICES = ["Yes", "Partly", "No"]

# (phase, kind, role, per_dimension, prompt, help_text, required, choices)
DEFAULT_QUESTIONS = [
    (
        Phase.EXPECTATION,
        QuestionKind.SCALE_1_7,
        QuestionRole.EXPECTED,
        True,
        "What do you expect?",
        "1 = very poor … 7 = excellent, for each aspect.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.SCALE_1_7,
        QuestionRole.EXPERIENCED,
        True,
        "How was it?",
        "1 = very poor … 7 = excellent, for each aspect.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.SCALE_0_6,
        QuestionRole.SACRIFICE,
        True,
        "How far short of what you wanted exactly did you have to settle?",
        "0 = not at all, it was exactly what we wanted … 6 = very far.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.SINGLE_CHOICE,
        QuestionRole.JOB_DONE,
        False,
        "Did it do the job?",
        "",
        True,
        JOB_DONE_CHOICES,
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.LIKELIHOOD_0_10,
        QuestionRole.ADOPT,
        False,
        "How likely are you to adopt it?",
        "0 = not at all likely … 10 = extremely likely.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.LIKELIHOOD_0_10,
        QuestionRole.RECOMMEND,
        False,
        "How likely are you to recommend it to a colleague or another company?",
        "0 = not at all likely … 10 = extremely likely.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.TEXT,
        QuestionRole.UNMET,
        False,
        "What did you expect that did not happen?",
        "",
        False,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.TEXT,
        QuestionRole.BETTER,
        False,
        "What could we have done better?",
        "",
        False,
        [],
    ),
]


@transaction.atomic
def instrument_create_default(*, pilot: Pilot) -> Instrument:
    """Version 1 of a pilot's instrument: the default dimensions and questions."""
    instrument = Instrument.objects.create(pilot=pilot, version=1)
    Dimension.objects.bulk_create(
        [
            Dimension(
                instrument=instrument, key=key, label=label, description=description, position=i
            )
            for i, (key, label, description) in enumerate(DEFAULT_DIMENSIONS)
        ]
    )
    Question.objects.bulk_create(
        [
            Question(
                instrument=instrument,
                phase=phase,
                kind=kind,
                role=role,
                per_dimension=per_dimension,
                prompt=prompt,
                help_text=help_text,
                required=required,
                choices=choices,
                position=i,
            )
            for i, (
                phase,
                kind,
                role,
                per_dimension,
                prompt,
                help_text,
                required,
                choices,
            ) in enumerate(DEFAULT_QUESTIONS)
        ]
    )
    return instrument


@transaction.atomic
def check_ins_create_default(*, pilot: Pilot) -> list[CheckIn]:
    """The expectation (due at enrolment), a mid-pilot and a final experience check-in."""
    middle = pilot.runs_from + (pilot.runs_until - pilot.runs_from) / 2
    return CheckIn.objects.bulk_create(
        [
            CheckIn(
                pilot=pilot,
                phase=Phase.EXPECTATION,
                title="Your expectations",
                due_on=None,
                position=0,
            ),
            CheckIn(
                pilot=pilot,
                phase=Phase.EXPERIENCE,
                title="Mid-pilot check-in",
                due_on=middle,
                position=1,
            ),
            CheckIn(
                pilot=pilot,
                phase=Phase.EXPERIENCE,
                title="Final check-in",
                due_on=pilot.runs_until,
                position=2,
            ),
        ]
    )


def instrument_current(*, pilot: Pilot) -> Instrument:
    """The version new responses use: the newest."""
    return pilot.instruments.order_by("-version").first()
