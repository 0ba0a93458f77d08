"""The demo tells the calibration story (demo/data/calibration.py): every demo pilot has the
targets its product manager set, the set-up wizard's promise lifted usability expectations above
the target (the page flags it), and the status page's four participants are too few to say."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from demo.data.calibration import DEMO_TARGETS
from demo.data.ideas import DEMO_PRODUCT_MANAGER
from ideas.models import Pilot
from ideas.selectors.calibration import Verdict, pilot_calibration
from ideas.selectors.instrument import instrument_current

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
