"""The garden choices of the idea, board and pilot list filters and of a new idea are read as
plain values through kept SQL (community.access.gardens.content_garden_choices,
config.sql_once): the gardens of `content_gardens` in its order, for customers of two accounts
(an invite-only garden accepted by one, invited to and declined by the other, an account admin),
an internal user, an inactive one and an anonymous visitor; each select is drawn to the bytes
the queryset of Garden instances drew, chosen or not, and a chosen slug is checked as before."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser

from accounts.models import InternalRole, MemberRole
from community.access.gardens import content_garden_choices, content_gardens
from community.models import Garden, GardenAccount, GardenAccountStatus, GardenVisibility
from demo.benchmarks.page_cpu import sql_once_off
from ideas.views.ideas import BoardFilterForm, IdeaFilterForm, IdeaForm
from ideas.views.pilots_forms import PilotFilterForm
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import GardenFactory, accept
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres


@pytest.fixture
def people(db):
    account, other = AccountFactory(), AccountFactory()
    GardenFactory(visibility=GardenVisibility.OPEN, name="Zinnia open")
    GardenFactory(visibility=GardenVisibility.OPEN, name="Aster open")
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY, name="Mallow & <co>")
    accept(accepted, account)
    for status in (GardenAccountStatus.INVITED, GardenAccountStatus.DECLINED):
        garden = GardenFactory(visibility=GardenVisibility.INVITE_ONLY, name=f"Fern {status}")
        GardenAccount.objects.create(garden=garden, account=other, status=status)
    GardenFactory(visibility=GardenVisibility.INVITE_ONLY, name="Closed")
    return [
        customer(account),
        customer(other),
        customer(other, role=MemberRole.ADMIN),
        internal(InternalRole.PRODUCT_MANAGER),
        internal(InternalRole.PROGRAMME_ADMIN, is_active=False),
        AnonymousUser(),
    ]


def test_the_choices_are_content_gardens_in_its_order(people):
    seen = []
    for user in people:
        expected = [(g.slug, g.name) for g in content_gardens(user)]
        assert content_garden_choices(user) == expected
        with sql_once_off():
            assert content_garden_choices(user) == expected
        seen.append(len(expected))
    assert seen == [3, 2, 2, Garden.objects.count(), 0, 0]


def _old_garden_field(user, *, required: bool) -> forms.ModelChoiceField:
    """The garden field as it was: its choices drawn from the queryset's Garden instances."""
    return forms.ModelChoiceField(
        queryset=content_gardens(user),
        to_field_name="slug",
        required=required,
        empty_label="All gardens" if not required else "Choose a garden",
    )


def _old_form(form_class, *, required: bool):
    class Old(form_class):
        def __init__(self, *args, user, **kwargs):
            super().__init__(*args, user=user, **kwargs)
            self.fields["garden"] = _old_garden_field(user, required=required)
            self.fields["garden"].label = "Garden"

    return Old


@pytest.mark.parametrize(
    "form_class, required", [(IdeaFilterForm, False), (BoardFilterForm, False), (IdeaForm, True)]
)
def test_a_garden_select_is_drawn_and_checked_as_the_querysets_was(people, form_class, required):
    old_class = _old_form(form_class, required=required)
    for user in people:
        slugs = [slug for slug, _ in content_garden_choices(user)]
        for data in ({}, {"garden": slugs[0]} if slugs else {}, {"garden": "no-such-garden"}):
            new, old = form_class(data, user=user), old_class(data, user=user)
            assert str(new["garden"]) == str(old["garden"])
            new.is_valid(), old.is_valid()
            assert new.errors.get("garden") == old.errors.get("garden")
            assert new.cleaned_data.get("garden") == old.cleaned_data.get("garden")
    chosen = IdeaFilterForm({"garden": "no-such-garden"}, user=people[0])
    assert not chosen.is_valid() and "garden" in chosen.errors


def test_the_pilot_filter_draws_the_gardens_it_drew_from_instances(people):
    for user in people:
        old = PilotFilterForm({}, gardens=[(g.slug, g.name) for g in content_gardens(user)])
        assert str(PilotFilterForm({}, gardens=content_garden_choices(user))["garden"]) == str(
            old["garden"]
        )


def test_the_choices_write_no_garden_sql_after_the_first_call(people, monkeypatch):
    reader, _, _, manager, *_ = people
    content_garden_choices(reader), content_garden_choices(manager)
    compiled = compiles_counted(monkeypatch)
    assert content_garden_choices(reader) and content_garden_choices(manager)
    for user in (reader, manager):  # drawing a filter's select reads no Garden instances
        assert "<option" in str(IdeaFilterForm({}, user=user)["garden"])
    assert Garden not in compiled
