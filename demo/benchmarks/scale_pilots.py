"""The full-size data set's pilots with their answers, set-based: each new pilot is a copy of
one of the demo's pilots (its state and schedule, instrument with questions and dimensions,
check-ins, agreement, invitations, acceptances, enrolments, responses and answers), for new
accounts and their people in place of the demo's, and the pilot events the ideas services
would have recorded for the copies' enrolments and submitted responses (so that the engine's
co-creation sees them). Runs after scale_content (its new ideas carry the pilots)."""

from __future__ import annotations

from django.db import models

from community.models import ActivityEvent
from demo.benchmarks.scale_sql import Progress, execute, ids_settle, next_id, scalar
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Answer,
    CheckIn,
    Dimension,
    Enrolment,
    FeedbackResponse,
    Instrument,
    Pilot,
    PilotInvitation,
    Question,
)


def pilots_build(progress: Progress, *, pilots: int) -> None:
    count = max(0, pilots - Pilot.objects.count())
    if not count:
        return
    with progress.step("pilots and their instruments") as rows:
        rows.append(_pilots_insert(count))
        rows.append(_clone(Instrument, parent="pilot", parent_map="pilot"))
        rows.append(_clone(Question, parent="instrument", parent_map="instrument"))
        rows.append(_clone(Dimension, parent="instrument", parent_map="instrument"))
        rows.append(_clone(CheckIn, parent="pilot", parent_map="pilot"))
        rows.append(_clone(Agreement, parent="pilot", parent_map="pilot"))
    _people_map()
    with progress.step("pilot invitations and enrolments") as rows:
        rows.append(_clone(PilotInvitation, parent="pilot", parent_map="pilot", people=["account"]))
        rows.append(
            _clone(
                AgreementAcceptance,
                parent="agreement",
                parent_map="agreement",
                people=["account", "accepted_by"],
            )
        )
        rows.append(
            _clone(Enrolment, parent="pilot", parent_map="pilot", people=["account", "user"])
        )
    with progress.step("feedback responses and answers") as rows:
        rows.append(
            _clone(
                FeedbackResponse,
                parent="enrolment",
                parent_map="enrolment",
                also={"check_in": "checkin", "instrument": "instrument"},
            )
        )
        rows.append(
            _clone(
                Answer,
                parent="response",
                parent_map="feedbackresponse",
                also={"question": "question", "dimension": "dimension"},
            )
        )
    with progress.step("pilot events") as rows:
        rows.append(_pilot_events_insert())


def _pilots_insert(count: int) -> int:
    """Copies of the demo's pilots in turn, each on a new idea (the demo's idea while there
    are fewer new ideas than pilots); scale_map_pilot maps template to copy."""
    table, first = Pilot._meta.db_table, next_id(Pilot._meta.db_table)
    has_ideas = scalar("SELECT to_regclass('pg_temp.scale_idea') IS NOT NULL")
    idea = (
        "COALESCE((SELECT id FROM scale_idea WHERE scale_idea.n = m.n), t.idea_id)"
        if has_ideas
        else "t.idea_id"
    )
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_map_pilot AS
        SELECT t.id AS old_id, g AS n, %s + g - 1 AS new_id
        FROM generate_series(1, %s) g
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS pilots
              FROM {table}) t ON t.k = g %% t.pilots
        """,  # noqa: S608
        [first, count],
    )
    columns = _columns(Pilot, skip={"id", "title", "idea_id"})
    written = execute(
        f"""
        INSERT INTO {table} (id, title, idea_id, {", ".join(columns)})
        SELECT m.new_id, left(t.title, 180) || ' (' || m.n || ')', {idea},
            {", ".join(f"t.{c}" for c in columns)}
        FROM scale_map_pilot m JOIN {table} t ON t.id = m.old_id
        """  # noqa: S608 (table and column names from the models)
    )
    ids_settle(table)
    return written


def _columns(model: type[models.Model], *, skip: set[str]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.column not in skip]


def _clone(
    model: type[models.Model],
    *,
    parent: str,
    parent_map: str,
    people: list[str] = (),
    also: dict[str, str] | None = None,
) -> int:
    """Copy `model`'s rows whose `parent` was copied (scale_map_<parent_map>) once per copy,
    with explicit ids, recording scale_map_<model> (old id, copy number, new id); `people`
    columns point to the copy's new account or person (scale_map_people), `also` columns to
    other rows copied before (nullable ones stay empty)."""
    table, name = model._meta.db_table, model._meta.model_name
    also = also or {}
    first = next_id(table)
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_map_{name} AS
        SELECT r.id AS old_id, p.n, %s + row_number() OVER (ORDER BY p.n, r.id) - 1 AS new_id
        FROM {table} r JOIN scale_map_{parent_map} p ON p.old_id = r.{parent}_id
        """,  # noqa: S608 (table names from the models)
        [first],
    )
    execute(f"CREATE INDEX ON scale_map_{name} (old_id, n)")
    remapped = {"id", f"{parent}_id", *(f"{c}_id" for c in people), *(f"{c}_id" for c in also)}
    columns = _columns(model, skip=remapped)
    values, joins = [], []
    for column in people:
        kind = "account" if column == "account" else "user"
        values.append(f"{column}_{kind}.new_id")
        joins.append(
            f"LEFT JOIN scale_map_people {column}_{kind} ON {column}_{kind}.kind = '{kind}' "
            f"AND {column}_{kind}.n = m.n AND {column}_{kind}.old_id = r.{column}_id"
        )
    for column, mapped in also.items():
        values.append(f"{column}_m.new_id")
        joins.append(
            f"LEFT JOIN scale_map_{mapped} {column}_m ON {column}_m.n = m.n "
            f"AND {column}_m.old_id = r.{column}_id"
        )
    targets = ["id", f"{parent}_id", *(f"{c}_id" for c in [*people, *also]), *columns]
    values = ["m.new_id", "p.new_id", *values, *(f"r.{c}" for c in columns)]
    written = execute(
        f"""
        INSERT INTO {table} ({", ".join(targets)})
        SELECT {", ".join(values)}
        FROM {table} r
        JOIN scale_map_{name} m ON m.old_id = r.id
        JOIN scale_map_{parent_map} p ON p.old_id = r.{parent}_id AND p.n = m.n
        {" ".join(joins)}
        """  # noqa: S608 (table and column names from the models)
    )
    ids_settle(table)
    return written


def _people_map() -> None:
    """scale_map_people: for each copy, the demo's accounts that take part in its template
    (invited, accepted or enrolled) map to distinct new accounts, and their people to the new
    account's people of the same rank."""
    invitation, enrolment = PilotInvitation._meta.db_table, Enrolment._meta.db_table
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_map_people AS
        WITH taking_part AS (
            SELECT DISTINCT m.n, x.account_id AS old_id,
                dense_rank() OVER (PARTITION BY m.n ORDER BY x.account_id) AS rank
            FROM scale_map_pilot m
            JOIN (SELECT pilot_id, account_id FROM {invitation}
                  UNION SELECT pilot_id, account_id FROM {enrolment}) x ON x.pilot_id = m.old_id
        ),
        -- New accounts with at least as many people as the demo's largest, numbered.
        roomy AS (
            SELECT p.*, row_number() OVER (ORDER BY p.n) - 1 AS k, count(*) OVER () AS roomy
            FROM scale_plan p
            WHERE p.members >= (SELECT max(c) FROM (SELECT count(*) AS c FROM accounts_membership
                                WHERE user_id < (SELECT min(first_person) FROM scale_plan)
                                GROUP BY account_id) demo)
        ),
        accounts AS (
            SELECT t.n, t.old_id, p.id AS new_id, p.first_person, p.members
            FROM taking_part t JOIN roomy p ON p.k = (t.n * 101 + t.rank) %% p.roomy
        )
        SELECT 'account' AS kind, n, old_id, new_id FROM accounts
        UNION ALL
        SELECT 'user', a.n, u.user_id, a.first_person + (u.rank %% a.members)
        FROM accounts a
        JOIN (SELECT account_id, user_id,
                  row_number() OVER (PARTITION BY account_id ORDER BY user_id) - 1 AS rank
              FROM accounts_membership) u ON u.account_id = a.old_id
        """  # noqa: S608
    )
    execute("CREATE INDEX ON scale_map_people (kind, n, old_id)")


def _pilot_events_insert() -> int:
    """What the ideas services record as people enrol and answer, for the copies."""
    event, response = ActivityEvent._meta.db_table, FeedbackResponse._meta.db_table
    enrolment, check_in = Enrolment._meta.db_table, CheckIn._meta.db_table
    return execute(
        f"""
        INSERT INTO {event} (account_id, user_id, kind, object_type, object_id, occurred_at,
            is_support, pilot_ref, created_at)
        SELECT e.account_id, e.user_id, 'pilot_enrolled', 'ideas.enrolment', e.id::text,
            e.created_at, false, e.pilot_id, e.created_at
        FROM {enrolment} e WHERE e.id IN (SELECT new_id FROM scale_map_enrolment)
        UNION ALL
        SELECT e.account_id, e.user_id,
            CASE c.phase WHEN 'expectation' THEN 'expectation_given' ELSE 'feedback_given' END,
            'ideas.feedbackresponse', r.id::text, r.submitted_at, false, e.pilot_id,
            r.submitted_at
        FROM {response} r JOIN {enrolment} e ON e.id = r.enrolment_id
        JOIN {check_in} c ON c.id = r.check_in_id
        WHERE r.submitted_at IS NOT NULL
            AND r.id IN (SELECT new_id FROM scale_map_feedbackresponse)
        """  # noqa: S608 (table names from the models)
    )


def pilots_plan_drop() -> None:
    for name in (
        "pilot",
        "instrument",
        "question",
        "dimension",
        "checkin",
        "agreement",
        "pilotinvitation",
        "agreementacceptance",
        "enrolment",
        "feedbackresponse",
        "answer",
        "people",
    ):
        execute(f"DROP TABLE IF EXISTS scale_map_{name}")
