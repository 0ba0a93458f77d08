"""Expectation calibration where people read and set it: the target in the instrument designer
(page and API, refused out of range with a field error), the calibration section of the results
page, its CSV and API, an account's expectation drift on its pilots section and in the API, and
who may see none of it (customers of other accounts, and the pilot's own customers, who never
see targets)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ideas.models import Enrolment, PilotState
from ideas.selectors.instrument import instrument_current
from ideas.services.instrument import instrument_dimension_update
from tests.accounts.factories import customer
from tests.api_helpers import api_login
from tests.ideas.factories import PilotFactory, feedback_response, running_pilot

pytestmark = pytest.mark.django_db


def _dimension(pilot, key: str = "useful"):
    return instrument_current(pilot=pilot).dimensions.get(key=key)


def _errors(response) -> dict[str, str]:
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


@pytest.fixture
def draft(account_a):
    return PilotFactory(accounts=[account_a], state=PilotState.DRAFT, published=False)


@pytest.fixture
def flagged_pilot(account_a):
    """A running pilot whose five participants expected 6 on useful (target 5.0): flagged."""
    pilot = running_pilot(accounts=[account_a], title="Offline sync")
    instrument_dimension_update(dimension=_dimension(pilot), target=Decimal("5.0"))
    expectation = pilot.check_ins.order_by("position").first()
    for i in range(5):
        enrolment = Enrolment.objects.create(
            pilot=pilot, user=customer(account_a, first_name=f"P{i}"), account=account_a
        )
        feedback_response(enrolment, expectation, expected={"useful": 6, "usable": 4})
    return pilot


# --- The target in the designer ---------------------------------------------------------------


def test_a_product_manager_sets_a_target_on_the_designer_page(client_for, product_manager, draft):
    client = client_for(product_manager)
    useful = _dimension(draft)

    response = client.post(
        f"/pilots/{draft.pk}/instrument/dimensions/{useful.pk}/",
        {"label": "Useful", "description": "", "target": "5.5"},
    )

    assert response.status_code == 302
    assert _dimension(draft).target == Decimal("5.5")
    assert instrument_current(pilot=draft).version == 1  # no answers: changed in place
    page = client.get(f"/pilots/{draft.pk}/instrument/").content.decode()
    assert '<td data-figure="target">5.5</td>' in page


@pytest.mark.parametrize("target", ["8", "0.5", "5.25", "-1", "seven"])
def test_the_designer_form_refuses_a_target_off_the_scale_with_a_field_error(
    client_for, product_manager, draft, target
):
    client = client_for(product_manager)
    useful = _dimension(draft)

    edited = client.post(
        f"/pilots/{draft.pk}/instrument/dimensions/{useful.pk}/",
        {"label": "Useful", "target": target},
    )
    added = client.post(
        f"/pilots/{draft.pk}/instrument/dimensions/", {"label": "Price", "target": target}
    )

    assert edited.status_code == added.status_code == 400
    assert edited.context["form"].errors.keys() == {"target"}
    assert added.context["dimension_form"].errors.keys() == {"target"}
    assert _dimension(draft).target is None
    assert not instrument_current(pilot=draft).dimensions.filter(key="price").exists()


def test_the_api_sets_clears_and_refuses_targets_with_a_field_error(api, product_manager, draft):
    api_login(api, product_manager)
    useful = _dimension(draft)
    url = f"/api/v1/pilots/{draft.pk}/instrument/dimensions/"

    set_ = api.patch(f"{url}{useful.pk}/", {"target": 6.5}, format="json")
    kept = api.patch(f"{url}{useful.pk}/", {"label": "Useful enough"}, format="json")
    too_high = api.patch(f"{url}{useful.pk}/", {"target": 7.5}, format="json")
    too_fine = api.patch(f"{url}{useful.pk}/", {"target": "5.25"}, format="json")
    added_wrong = api.post(url, {"label": "Price", "target": 0}, format="json")
    huge = api.post(url, {"label": "Price", "target": -9.76e238}, format="json")  # no 500
    added = api.post(url, {"label": "Price", "target": 4}, format="json")
    cleared = api.patch(f"{url}{useful.pk}/", {"target": None}, format="json")

    assert set_.status_code == kept.status_code == cleared.status_code == 200
    assert next(d for d in kept.json()["dimensions"] if d["key"] == "useful")["target"] == 6.5
    assert too_high.status_code == too_fine.status_code == added_wrong.status_code == 400
    assert huge.status_code == 400
    assert "from 1 to 7" in _errors(too_high)["target"]
    assert set(_errors(too_fine)) == set(_errors(added_wrong)) == set(_errors(huge)) == {"target"}
    assert added.status_code == 201
    assert next(d for d in added.json()["dimensions"] if d["key"] == "price")["target"] == 4.0
    assert _dimension(draft).target is None
    assert _dimension(draft, "price").target == Decimal("4.0")


def test_the_service_refuses_a_target_off_the_scale_naming_the_field(draft):
    with pytest.raises(ValidationError) as refused:
        instrument_dimension_update(dimension=_dimension(draft), target=Decimal("9"))

    assert set(refused.value.message_dict) == {"target"}
    assert _dimension(draft).target is None


def test_a_target_set_after_answers_makes_a_new_version_and_keeps_the_others(
    api, product_manager, flagged_pilot
):
    api_login(api, product_manager)
    usable = _dimension(flagged_pilot, "usable")

    response = api.patch(
        f"/api/v1/pilots/{flagged_pilot.pk}/instrument/dimensions/{usable.pk}/",
        {"target": 3.5},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    targets = {d["key"]: d["target"] for d in response.json()["dimensions"]}
    assert (targets["useful"], targets["usable"], targets["speed"]) == (5.0, 3.5, None)


# --- The results page, its CSV and the API ------------------------------------------------------


def test_the_results_page_shows_the_promise_and_flags_the_lifted_expectation(
    client_for, product_manager, flagged_pilot
):
    page = client_for(product_manager).get(f"/pilots/{flagged_pilot.pk}/results/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="calibration"' in html
    assert "Sync within a minute of reconnecting; no data lost." in html  # the promise
    assert 'id="calibration-flag"' in html
    useful = html[html.index('<tr data-dimension="useful" data-verdict="above_target">') :]
    assert '<td data-figure="target">5.0</td>' in useful[: useful.index("</tr>")]
    assert '<td data-figure="expected-over-target">+1.00</td>' in useful[: useful.index("</tr>")]
    assert 'data-verdict="too_few"' not in html  # usable and others: no target, not too few


def test_the_calibration_csv_and_api_give_the_pages_values(
    client_for, api, product_manager, flagged_pilot
):
    response = client_for(product_manager).get(
        f"/pilots/{flagged_pilot.pk}/results/calibration.csv"
    )
    body = b"".join(response.streaming_content).decode()
    rows = {row["dimension"]: row for row in csv.DictReader(io.StringIO(body))}
    api_login(api, product_manager)
    data = api.get(f"/api/v1/pilots/{flagged_pilot.pk}/calibration/").json()

    assert rows["useful"]["target"] == "5.0"
    assert (rows["useful"]["expected_mean"], rows["useful"]["expected_n"]) == ("6.00", "5")
    assert rows["useful"]["verdict"] == "above_target"
    assert rows["usable"]["verdict"] == "no_target"
    assert data["promise"] == "Sync within a minute of reconnecting; no data lost."
    useful = next(d for d in data["dimensions"] if d["key"] == "useful")
    assert (useful["target"], useful["expected"]["mean"], useful["expected"]["n"]) == (5.0, 6, 5)
    assert (useful["verdict"], useful["flagged"], useful["expected_over_target"]) == (
        "above_target",
        True,
        1.0,
    )


def test_customers_never_read_a_pilots_calibration_or_its_targets(
    client_for, api, flagged_pilot, member_a, admin_a, member_b
):
    pk = flagged_pilot.pk
    for customer_user, status in ((member_a, 403), (admin_a, 403), (member_b, 404)):
        client = client_for(customer_user)
        assert client.get(f"/pilots/{pk}/results/calibration.csv").status_code == status
        assert client.get(f"/pilots/{pk}/results/").status_code == status
        api_login(api, customer_user)
        assert api.get(f"/api/v1/pilots/{pk}/calibration/").status_code == status
        assert api.get(f"/api/v1/pilots/{pk}/instrument/dimensions/").status_code == status
    # The pilot's own participants read the pilot page: its promise, never a target.
    page = client_for(member_a).get(f"/pilots/{pk}/").content.decode()
    assert "Sync within a minute" in page
    assert 'data-figure="target"' not in page and "Target experience" not in page


# --- An account's expectation drift -----------------------------------------------------------


def test_the_account_team_reads_the_drift_on_the_accounts_pilots_and_in_the_api(
    client_for, api, account_manager_a, account_a, flagged_pilot
):
    fragment = client_for(account_manager_a).get("/accounts/acme/pilots/")
    api_login(api, account_manager_a)
    data = api.get("/api/v1/accounts/acme/expectation-drift/").json()

    html = fragment.content.decode()
    assert 'id="expectation-drift"' in html
    useful_row = html[html.index('<tr data-dimension="useful">') :]
    assert "6.00" in useful_row[: useful_row.index("</tr>")]
    assert [p["id"] for p in data["pilots"]] == [flagged_pilot.pk]
    useful = next(d for d in data["dimensions"] if d["key"] == "useful")
    assert [(p["expected"]["mean"], p["expected"]["n"]) for p in useful["points"]] == [(6.0, 5)]
    assert (useful["drift"], useful["too_few"]) == (None, True)


def test_customers_do_not_see_an_accounts_drift(
    client_for, api, flagged_pilot, admin_a, member_a, admin_b, member_b
):
    admin_page = client_for(admin_a).get("/accounts/acme/pilots/")
    assert admin_page.status_code == 200
    assert 'id="expectation-drift"' not in admin_page.content.decode()
    for customer_user, status in ((admin_a, 403), (member_a, 403), (admin_b, 404), (member_b, 404)):
        api_login(api, customer_user)
        assert api.get("/api/v1/accounts/acme/expectation-drift/").status_code == status


def test_another_account_manager_does_not_reach_the_drift(api, flagged_pilot, account_b):
    from accounts.models import InternalRole, TeamRole
    from tests.accounts.factories import TeamAssignmentFactory, internal

    manager_b = internal(InternalRole.ACCOUNT_MANAGER, email="dan@garden.example")
    TeamAssignmentFactory(user=manager_b, account=account_b, role=TeamRole.ACCOUNT_MANAGER)
    api_login(api, manager_b)

    assert api.get("/api/v1/accounts/acme/expectation-drift/").status_code == 404
