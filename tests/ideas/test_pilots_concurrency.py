"""Two accounts cannot both take a pilot's last place: enrolment locks the pilot's row, so the
second account waits for the first to commit and then finds the pilot full (PostgreSQL; SQLite
serialises writers anyway)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from accounts.models import User
from ideas.models import Enrolment, Pilot
from ideas.services import enrolment as services
from tests.db_locks import someone_waits_for_a_lock
from tests.ideas.factories import PilotFactory, agreement_accepted


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_accounts_cannot_both_take_the_last_place(member_a, member_b, account_a, account_b):
    pilot = PilotFactory(capacity=1, accounts=[account_a, account_b])
    agreement_accepted(pilot, account_a)
    agreement_accepted(pilot, account_b)
    outcome: dict[str, str] = {}

    def globex_enrols() -> None:
        try:
            services.pilot_enrol(
                pilot=Pilot.objects.get(pk=pilot.pk), member=User.objects.get(pk=member_b.pk)
            )
            outcome["globex"] = "enrolled"
        except ValidationError as error:
            outcome["globex"] = error.messages[0]
        finally:
            connections.close_all()

    with transaction.atomic():
        services.pilot_enrol(pilot=pilot, member=member_a)  # holds the pilot's row lock
        globex = threading.Thread(target=globex_enrols)
        globex.start()
        assert someone_waits_for_a_lock()
    globex.join(timeout=10)

    assert outcome == {"globex": "This pilot is full: all 1 place (accounts) are taken."}
    assert list(Enrolment.objects.values_list("account__slug", flat=True)) == ["acme"]
