"""`manage.py seed_demo` gives the demo's customer admin a value exchanged worth reading: their
account gave several kinds of things and got several back, over more than one month, and the
page they open shows the ledger's numbers."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from accounts.models import Account, MemberRole, Membership
from community.selectors.value_exchanged import GAVE, GOT, value_ledger

pytestmark = pytest.mark.django_db


def test_the_demo_admins_account_gave_and_got_back_several_kinds_of_things(client):
    call_command("seed_demo", accounts=12, members=5.0, days=365, stdout=io.StringIO())
    account = Account.objects.order_by("pk").first()  # the account whose logins are printed
    admin = Membership.objects.filter(account=account, role=MemberRole.ADMIN).first().user

    ledger = value_ledger(account=account)

    given = {k.key for k in ledger.side(GAVE) if ledger.totals[k.key]}
    got = {k.key for k in ledger.side(GOT) if ledger.totals[k.key]}
    assert {"ideas_proposed", "check_ins_answered", "pilots_joined", "workshops"} <= given
    assert {"loops_closed", "early_access", "answers"} <= got
    assert sum(1 for m in ledger.months if m.gave) >= 4  # over time, not in one month
    assert sum(1 for m in ledger.months if m.got) >= 3
    client.force_login(admin)
    page = client.get(f"/accounts/{account.slug}/value-exchanged/").content.decode()
    assert re.search(rf'id="value-gave">{ledger.gave}<', page)
    assert re.search(rf'id="value-got">{ledger.got}<', page)
