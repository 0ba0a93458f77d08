"""The demo tells the calibration story (demo/data/calibration.py): every demo pilot has the
targets its product manager set, the set-up wizard's promise lifted usability expectations above
the target (the page flags it), and the status page's four participants are too few to say.
And the expectation drift's (demo/data/expectation_drift.py): after the video trial's promise
over-sold, one account's members expected more of the next trial, a drift the account team reads
on its pilots section and in the API, while another account's expectations stayed flat."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import Account, AccountTeamAssignment, TeamRole, User
from demo.data.calibration import DEMO_TARGETS
from demo.data.expectation_drift import DRIFT_TRIALS, drift_accounts
from demo.data.ideas import DEMO_PRODUCT_MANAGER
from ideas.models import Enrolment, Pilot, PilotState
from ideas.selectors.calibration import Verdict, account_expectation_drift, pilot_calibration
from ideas.selectors.instrument import instrument_current

# One worker makes the module's fixture once, not each worker its own.
pytestmark = pytest.mark.xdist_group("calibration_demo")

PILOT_TITLES = {
    "wizard": "Set-up wizard for new sites",
    "offline": "Offline mode for the mobile app",
    "benchmark": "Quarterly service benchmark",
    "status": "Status page and SMS alerts",
}


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", accounts=12, members=5.0, days=30, stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


def _pilot(key: str) -> Pilot:
    return Pilot.objects.get(title=PILOT_TITLES[key])


def test_every_demo_pilot_has_the_targets_its_product_manager_set(seeded):
    for key, targets in DEMO_TARGETS.items():
        dimensions = instrument_current(pilot=_pilot(key)).dimensions.all()
        shown = {d.key: d.target for d in dimensions if d.target is not None}
        assert shown == {k: Decimal(v) for k, v in targets.items()}, key


def test_the_wizards_promise_lifted_usability_expectations_above_the_target(seeded, client):
    wizard = _pilot("wizard")

    by_key = {d.key: d for d in pilot_calibration(pilot=wizard).dimensions}

    usable = by_key["usable"]
    assert usable.verdict == Verdict.ABOVE_TARGET
    assert usable.expected.n >= 5
    assert usable.expected.mean > usable.target
    assert [d.key for d in by_key.values() if d.flagged] == ["usable"]
    client.force_login(User.objects.get(email=DEMO_PRODUCT_MANAGER))
    page = client.get(f"/pilots/{wizard.pk}/results/").content.decode()
    assert 'id="calibration-flag"' in page


def test_the_status_pages_few_participants_are_too_few_to_say(seeded):
    by_key = {d.key: d for d in pilot_calibration(pilot=_pilot("status")).dimensions}

    assert by_key["speed"].verdict == Verdict.TOO_FEW
    assert by_key["speed"].expected.mean is None


# --- Expectation drift -------------------------------------------------------------------------


def _drift_accounts() -> list[Account]:
    """The accounts the drift trials chose (the rising one first), which took part in both."""
    accounts = [account for account, _, _ in drift_accounts()]
    trials = Pilot.objects.filter(title__in=[t.title for t in DRIFT_TRIALS])
    assert trials.count() == len(DRIFT_TRIALS)
    assert set(trials.values_list("state", flat=True)) == {PilotState.CLOSED}
    for account in accounts:
        taking_part = Enrolment.objects.filter(account=account, pilot__in=trials)
        assert taking_part.values("pilot").distinct().count() == len(DRIFT_TRIALS)
    return accounts


def _dimension(account: Account, key: str):
    return next(d for d in account_expectation_drift(account=account).dimensions if d.key == key)


def test_an_account_whose_expectations_rose_after_an_over_sold_promise_shows_its_drift(
    seeded, client
):
    rising, _ = _drift_accounts()
    videos, gloves = (Pilot.objects.get(title=t.title) for t in DRIFT_TRIALS)

    usable = _dimension(rising, "usable")

    assert [(p.pilot, p.expected.n >= 5) for p in usable.counted][-2:] == [
        (videos, True),
        (gloves, True),
    ]
    assert usable.drift is not None and usable.drift > Decimal("0.5")
    assert usable.drift_interval.low > 0  # a rise, not chance
    # The videos' promise is the one that over-sold: their usability flag, no flag on gloves.
    assert [d.key for d in pilot_calibration(pilot=videos).dimensions if d.flagged] == ["usable"]
    assert [d.key for d in pilot_calibration(pilot=gloves).dimensions if d.flagged] == []
    # Its account manager reads the same drift on the account's pilots section and in the API.
    manager = AccountTeamAssignment.objects.get(account=rising, role=TeamRole.ACCOUNT_MANAGER).user
    client.force_login(manager)
    html = client.get(f"/accounts/{rising.slug}/pilots/").content.decode()
    row = html[html.index('<tr data-dimension="usable">') :]
    assert f"<strong>+{usable.drift}</strong>" in row[: row.index("</tr>")]
    data = client.get(f"/api/v1/accounts/{rising.slug}/expectation-drift/").json()
    shown = next(d for d in data["dimensions"] if d["key"] == "usable")
    assert (shown["drift"], shown["too_few"]) == (float(usable.drift), False)


def test_a_steady_accounts_expectations_stay_flat_across_the_same_trials(seeded):
    _, steady = _drift_accounts()

    usable = _dimension(steady, "usable")

    assert len(usable.counted) >= 2 and all(p.expected.n >= 5 for p in usable.counted)
    assert usable.drift is not None and abs(usable.drift) <= Decimal("0.5")
    assert usable.drift_interval.low < 0 < usable.drift_interval.high


def test_the_trials_ask_for_expectations_only_so_co_creation_stays_as_it_was(seeded):
    """No experience feedback from either account, in the trials or any other pilot: the
    trials leave their engagement score's co-creation where it was."""
    for account in _drift_accounts():
        experience = Enrolment.objects.filter(account=account, responses__check_in__position__gt=0)
        assert not experience.exists()
