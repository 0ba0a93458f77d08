"""POST /api/v1/imports/ (multipart: kind, file): programme admins only. 201 with the report
when imported; 400 with the same report (status "rejected", problems per row and column) when
not, and nothing imported; 413 for an upload over the size limit, refused unread."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Account
from community.models import ImportBatch, LoyaltyOutcome
from tests.api_helpers import api_error, api_login
from tests.community.factories import outcomes_file_of_bad_rows

URL = "/api/v1/imports/"
HEADER = "account,kind,occurred_on,amount,note,external_id\n"


def _post(api, content: bytes | str, *, kind: str = "outcomes"):
    content = content.encode() if isinstance(content, str) else content
    upload = SimpleUploadedFile("crm.csv", content, content_type="text/csv")
    return api.post(URL, {"kind": kind, "file": upload}, format="multipart")


def test_anonymous_callers_get_401(api, db):
    assert _post(api, HEADER).status_code == 401


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "member_b", "account_manager_a", "product_manager"]
)
def test_only_programme_admins_may_import(request, api, persona, account_a):
    api_login(api, request.getfixturevalue(persona))

    response = _post(api, HEADER + "acme,renewed,2026-01-15,,,\n")

    assert response.status_code == 403
    assert not LoyaltyOutcome.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_good_file_is_imported_and_reported(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = _post(api, HEADER + "acme,renewed,2026-01-15,,,\nacme,referred,2026-01-16,,,\n")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["rows"], body["created"], body["errors"]) == (
        "imported",
        2,
        2,
        [],
    )
    assert body["error_report_url"] is None
    assert LoyaltyOutcome.objects.count() == 2


def test_the_same_file_again_changes_nothing(api, programme_admin, account_a):
    api_login(api, programme_admin)
    _post(api, HEADER + "acme,renewed,2026-01-15,,,\n")

    body = _post(api, HEADER + "acme,renewed,2026-01-15,,,\n").json()

    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 1)
    assert LoyaltyOutcome.objects.count() == 1


def test_a_bad_file_gets_400_with_the_row_report_and_imports_nothing(
    api, programme_admin, account_a
):
    api_login(api, programme_admin)

    response = _post(api, HEADER + "acme,renewed,2026-01-15,,,\nnobody,renewed,2026-01-15,,,\n")

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected"
    assert body["errors"] == [
        {"row": 3, "column": "account", "problem": "No account has the slug or name 'nobody'."}
    ]
    assert body["error_report_url"] == f"/imports/{body['id']}/errors.csv"
    assert not LoyaltyOutcome.objects.exists()


def test_a_file_of_many_bad_rows_answers_with_a_small_report_and_the_exact_count(
    api, programme_admin, account_a
):
    content = outcomes_file_of_bad_rows(45_000)  # three problems a row
    assert 4_000_000 < len(content) <= settings.IMPORT_MAX_BYTES
    api_login(api, programme_admin)

    response = _post(api, content)

    assert response.status_code == 400
    assert len(response.content) < 300_000  # was 15 MB: every problem, every long cell
    body = response.json()
    assert (body["status"], body["rows"], body["error_count"]) == ("rejected", 45_000, 135_000)
    assert len(body["errors"]) == 1000
    assert body["summary"] == (
        "1,000 of 135,000 problems shown; fix these and upload the file again."
    )
    first = body["errors"][0]["problem"]  # a cell of 2,000 characters, quoted short
    assert first == f"No account has the slug or name 'no-such-account-0{'x' * 42}…'."
    assert body["errors"][-1] == {  # 333 rows of three, then the first of the next row's
        "row": 335,
        "column": "account",
        "problem": "No account has the slug or name 'no-such-account-333'.",
    }
    batch = ImportBatch.objects.get()
    assert (batch.error_count, len(batch.errors)) == (135_000, 1000)
    assert len(json.dumps(batch.errors)) < 200_000
    assert not LoyaltyOutcome.objects.exists()


def test_a_bad_accounts_file_imports_nothing(api, programme_admin):
    api_login(api, programme_admin)
    header = "name,segment,tier,annual_contract_value,customer_since,renewal_date\n"

    response = _post(api, header + "Initech,smb,,,,\nUmbrella,,,,31-12-2026,\n", kind="accounts")

    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "customer_since")]
    assert not Account.objects.filter(name__in=["Initech", "Umbrella"]).exists()


def test_a_missing_kind_or_file_is_a_field_error(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(URL, {"kind": "outcomes"}, format="multipart")

    assert response.status_code == 400
    assert api_error(response)["attr"] == "file"
    assert not ImportBatch.objects.exists()


def test_a_50_mb_upload_is_refused_unread(api, programme_admin, account_a):
    api_login(api, programme_admin)
    big = HEADER.encode() + b"acme,renewed,2026-01-15,,,\n" * (50 * 1024 * 1024 // 27)

    response = _post(api, big)

    assert response.status_code == 413
    assert "more than the limit of 5.0 MB" in api_error(response)["detail"]
    assert not LoyaltyOutcome.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_50_mb_upload_with_a_session_is_refused_before_the_csrf_check(programme_admin, account_a):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(programme_admin)
    big = HEADER.encode() + b"acme,renewed,2026-01-15,,,\n" * (50 * 1024 * 1024 // 27)

    response = _post(api, big)

    assert response.status_code == 413
    assert not ImportBatch.objects.exists()


def test_a_session_upload_still_needs_the_csrf_token(programme_admin, account_a):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(programme_admin)

    response = _post(api, HEADER + "acme,renewed,2026-01-15,,,\n")

    assert response.status_code == 403
    assert not LoyaltyOutcome.objects.exists()


def test_the_imports_endpoint_is_in_the_openapi_schema(api, programme_admin):
    api_login(api, programme_admin)

    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(paths["/api/v1/imports/"]["post"]["responses"]) >= {"201", "400", "403", "413"}
    assert set(paths["/api/v1/outcomes/"]) >= {"get", "post"}
