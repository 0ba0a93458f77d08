"""Robustness after bad times on the pages: the account team records an incident (once, however
often the form is sent), imports incidents (all or nothing, a report per row), and reads the
account's robustness section and CSV; insights show the table by level with its CSV. Bad times
are internal: customers of the account get 403, everyone who does not see the account 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import InternalRole
from community.models import BadTime, BadTimeKind, BadTimeSource, EngagementSnapshot, ImportBatch
from community.services.robustness import BadTimeRow, bad_times_ensure
from tests.accounts.factories import TeamAssignmentFactory, internal
from tests.community.todo_helpers import TODAY

pytestmark = pytest.mark.django_db

NEW = "/accounts/acme/bad-times/new/"
PAGE = "/accounts/acme/engagement/"
ACCOUNT_CSV = "/accounts/acme/robustness.csv"
INSIGHTS_CSV = "/insights/robustness.csv"


def _token(page) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _history(account, start: dt.date, scores: list[float]) -> None:
    EngagementSnapshot.objects.bulk_create(
        EngagementSnapshot(
            account=account,
            day=start + dt.timedelta(days=n),
            score=score,
            level="contributing",
            activity=0.5,
            breadth=0.5,
            co_creation=0.0,
            model_version=1,
        )
        for n, score in enumerate(scores)
    )


@pytest.fixture
def unassigned_manager(db, account_b):
    """An account manager of another account (B): does not see account A."""
    manager = internal(InternalRole.ACCOUNT_MANAGER, email="dan@garden.example", first_name="Dan")
    TeamAssignmentFactory(user=manager, account=account_b)
    return manager


# --- Recording an incident ---------------------------------------------------------------------


def test_the_account_team_records_an_incident_and_a_double_submit_saves_one(
    frozen, client_for, account_manager_a, account_a
):
    client = client_for(account_manager_a)
    token = _token(client.get(NEW))
    data = {
        "occurred_on": "2026-12-01",
        "reference": "INC-77",
        "note": "Outage of the reporting module",
        "form_token": token,
    }

    first = client.post(NEW, data)
    again = client.post(NEW, data)

    assert first.status_code == 302 and first["Location"] == f"{PAGE}#robustness"
    assert again.status_code == 302 and again["Location"] == f"{PAGE}#robustness"
    bad_time = BadTime.objects.get()
    assert (bad_time.account, bad_time.kind, bad_time.reference) == (
        account_a,
        BadTimeKind.INCIDENT,
        "INC-77",
    )
    assert (bad_time.source, bad_time.recorded_by) == (BadTimeSource.MANUAL, account_manager_a)


def test_the_same_incident_sent_again_with_a_new_form_is_refused(
    frozen, client_for, account_manager_a, account_a
):
    client = client_for(account_manager_a)
    client.post(NEW, {"occurred_on": "2026-12-01", "form_token": _token(client.get(NEW))})

    second = client.post(NEW, {"occurred_on": "2026-12-01", "form_token": _token(client.get(NEW))})

    assert second.status_code == 400
    assert "recorded already" in second.content.decode()
    assert BadTime.objects.get().reference == "2026-12-01"  # no reference: its day


@pytest.mark.parametrize(
    ("day", "problem"),
    [("2026-12-06", "cannot be in the future"), ("2025-12-04", "At most 365 days back")],
)
def test_an_incident_outside_the_year_is_refused(
    frozen, client_for, account_manager_a, account_a, day, problem
):
    response = client_for(account_manager_a).post(NEW, {"occurred_on": day})

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not BadTime.objects.exists()


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "product_manager"])
def test_customers_and_product_managers_may_not_record_incidents(
    request, client_for, account_a, persona
):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"occurred_on": "2026-12-01"}).status_code == 403
    assert not BadTime.objects.exists()


@pytest.mark.parametrize("persona", ["member_b", "admin_b", "unassigned_manager"])
def test_outsiders_of_the_account_find_no_such_page(request, client_for, account_a, persona):
    client = client_for(request.getfixturevalue(persona))

    for url in (NEW, ACCOUNT_CSV):
        assert client.get(url).status_code == 404
    assert client.post(NEW, {"occurred_on": "2026-12-01"}).status_code == 404
    assert not BadTime.objects.exists()


# --- Importing incidents -----------------------------------------------------------------------


def _upload(client, text: str):
    upload = SimpleUploadedFile("incidents.csv", text.encode(), content_type="text/csv")
    return client.post("/imports/", {"kind": "bad_times", "file": upload})


def test_an_import_reports_every_bad_row_and_imports_nothing(
    frozen, client_for, programme_admin, account_a
):
    response = _upload(
        client_for(programme_admin),
        "account,occurred_on,reference,note\n"
        "acme,2026-11-20,INC-1,Fine\n"  # a good row: not imported either
        "nobody,2026-11-20,INC-2,\n"
        "acme,2026-12-24,INC-3,\n"
        "acme,yesterday,INC-4,\n"
        "acme,2026-11-21,INC-1,The same reference again\n",
    )

    assert response.status_code == 400
    problems = [(p["row"], p["column"], p["problem"]) for p in response.context["batch"].errors]
    assert problems == [
        (3, "account", "No account has the slug or name 'nobody'."),
        (4, "occurred_on", "An incident cannot be in the future."),
        (5, "occurred_on", "'yesterday' is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."),
        (6, "reference", "The same incident as row 2."),
    ]
    assert not BadTime.objects.exists()
    assert ImportBatch.objects.get().status == "rejected"


def test_an_import_adds_incidents_and_again_changes_nothing(
    frozen, client_for, programme_admin, account_a
):
    client = client_for(programme_admin)
    text = "account,occurred_on,reference\nacme,2026-11-20,INC-1\nAcme Industrial,20/11/2026,\n"

    first = _upload(client, text)
    again = _upload(client, text)

    assert first.status_code == 200 and first.context["batch"].created == 2
    assert again.context["batch"].unchanged == 2 and again.context["batch"].created == 0
    assert sorted(BadTime.objects.values_list("reference", "source")) == [
        ("2026-11-20", "import"),
        ("INC-1", "import"),
    ]


# --- The account's section and CSV ------------------------------------------------------------


def test_the_account_page_shows_its_bad_times_with_their_figures(
    frozen, client_for, account_manager_a, account_a
):
    day = TODAY - dt.timedelta(days=40)
    _history(account_a, day - dt.timedelta(days=14), [60.0] * 14 + [52.5] * 6 + [60.0] * 21)
    bad_times_ensure(rows=[BadTimeRow(account_a.pk, "incident", "INC-9", day, "Outage")])

    page = client_for(account_manager_a).get(PAGE).content.decode()
    section = page.split('id="robustness"', 1)[1].split("</section>", 1)[0]

    assert "Record an incident" in section
    assert "<td>60.0</td>" in section and "<td>7.5</td>" in section  # score before, drop
    assert "6 days" in section
    rows = _csv(client_for(account_manager_a).get(ACCOUNT_CSV))
    assert [(r["reference"], r["score_before"], r["drop"], r["days_to_recover"]) for r in rows] == [
        ("INC-9", "60.0", "7.5", "6")
    ]


def test_the_accounts_own_admin_sees_no_bad_times(frozen, client_for, admin_a, account_a):
    bad_times_ensure(rows=[BadTimeRow(account_a.pk, "incident", "INC-9", TODAY, "Outage")])

    page = client_for(admin_a).get(PAGE).content.decode()

    assert 'id="robustness"' not in page and "Outage" not in page
    assert client_for(admin_a).get(ACCOUNT_CSV).status_code == 403


# --- Insights ---------------------------------------------------------------------------------


def test_insights_show_the_table_by_level_and_too_few_to_say(
    frozen, client_for, account_manager_a, account_a, account_b
):
    day = TODAY - dt.timedelta(days=120)
    for account in (account_a, account_b):
        _history(account, day - dt.timedelta(days=14), [50.0] * 14 + [40.0] * 5 + [50.0] * 110)
    bad_times_ensure(
        rows=[
            BadTimeRow(account_a.pk, "incident", "INC-A", day, ""),
            BadTimeRow(account_b.pk, "incident", "INC-B", day, ""),
        ]
    )
    client = client_for(account_manager_a)

    page = client.get("/insights/").content.decode()
    rows = {r["level"]: r for r in _csv(client.get(INSIGHTS_CSV))}

    section = page.split('id="robustness-levels"', 1)[1].split("</table>", 1)[0]
    assert "too few to say" in section
    # Only account A's bad time: B's account is not the manager's.
    assert rows["contributing"]["bad_times"] == "1"
    assert rows["contributing"]["too_few_to_say"] == "yes"
    assert rows["contributing"]["recovered_percent"] == ""


def test_customers_may_not_read_the_insights_csv(client_for, member_a, admin_b):
    for persona in (member_a, admin_b):
        assert client_for(persona).get(INSIGHTS_CSV).status_code == 403
