"""The engagement model settings page (community:engagement-model): programme admins see the
active version's numbers, preview a draft (nothing written) and activate it (a new version and a
full recompute after commit). Everyone else: 403; anonymous: the login page.

The page weighs every activity kind but the support-only one (a closed loop is never weighed:
the engine ignores support events), and offers a kind the active version lacks (it weighs 0
there) at its default weight for the next version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import (
    DEFAULT_ACTIVITY_WEIGHTS,
    ActivityEvent,
    ActivityKind,
    EngagementModel,
    EngagementRun,
    EngagementRunKind,
    EngagementSnapshot,
)
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_model import engagement_model_active
from community.services.engagement_model import engagement_model_create
from community.views.engagement_model import WEIGHED_KINDS
from tests.accounts.factories import AccountFactory

URL = reverse("community:engagement-model")


@pytest.fixture
def active(db):
    return engagement_model_active()


def _form_data(model: EngagementModel, *, action: str = "preview", **changes) -> dict:
    """The form as the page fills it in, with `changes`."""
    data = {name: getattr(model, name) for name in MODEL_FIELDS if name != "weights"}
    for kind in ActivityKind.values:
        data[f"weight__{kind}"] = model.weights.get(kind, 0)
    data.update(note="", action=action)
    data.update(changes)
    return data


def _rows() -> tuple[int, int, int]:
    return (
        EngagementModel.objects.count(),
        EngagementSnapshot.objects.count(),
        EngagementRun.objects.count(),
    )


def test_anonymous_visitors_are_sent_to_the_login_page(client, active):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "member_b", "account_manager_a", "product_manager"]
)
def test_only_programme_admins_may_tune_the_model(request, client_for, persona, active):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    response = client.post(URL, _form_data(active, action="activate", threshold_observing=5))

    assert response.status_code == 403
    assert engagement_model_active().version == 1
    assert _rows() == (1, 0, 0)


def test_it_shows_the_active_numbers_and_prefills_the_form(client_for, programme_admin, active):
    response = client_for(programme_admin).get(URL)

    assert response.status_code == 200
    assert "Version 1 is active" in response.text
    form = response.context["form"]
    assert form["threshold_co_creating"].value() == 70
    assert form["weight__referral"].value() == 10
    assert form["half_life_days"].value() == 30
    # each number named as the summary above the form names it
    assert form["half_life_days"].label == "Activity half-life (days)"
    assert form["low_water_ratio"].label.startswith("Hysteresis")


def test_a_preview_shows_the_level_changes_and_writes_nothing(client_for, programme_admin, active):
    AccountFactory.create_batch(2)  # never computed: both become Dormant

    response = client_for(programme_admin).post(URL, _form_data(active, threshold_observing=5))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.accounts, preview.changed) == (2, 2)
    assert "would change level" in response.text
    assert "Not computed" in response.text
    assert _rows() == (1, 0, 0)


def test_activating_makes_a_new_version_and_recomputes_every_account(
    client_for, programme_admin, active, django_capture_on_commit_callbacks
):
    AccountFactory.create_batch(2)
    client = client_for(programme_admin)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            URL,
            _form_data(active, action="activate", threshold_observing=5, note="Lower bar."),
        )

    assert response.status_code == 302
    assert response.url == URL
    new = engagement_model_active()
    assert (new.version, new.threshold_observing, new.note) == (2, 5, "Lower bar.")
    assert new.created_by == programme_admin
    assert EngagementModel.objects.get(version=1).is_active is False
    assert len(callbacks) >= 1
    run = EngagementRun.objects.get()
    assert (run.kind, run.accounts) == (EngagementRunKind.FULL, 2)
    assert set(EngagementSnapshot.objects.values_list("model_version", flat=True)) == {2}


def test_activating_recomputes_from_today_on_and_leaves_the_earlier_days_as_they_were(
    client_for, programme_admin, active, django_capture_on_commit_callbacks
):
    from community.services.engagement import engagement_history_compute
    from tests.accounts.factories import customer
    from tests.community.reference_engagement import differences

    account = AccountFactory()
    member = customer(account)
    for days_ago in (1, 3, 6):
        ActivityEvent.objects.create(
            account=account,
            user=member,
            kind=ActivityKind.VISIT,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    engagement_history_compute(days=10)
    before = {
        s.day: (s.score, s.model_version, s.computed_at)
        for s in EngagementSnapshot.objects.filter(account=account)
    }

    with django_capture_on_commit_callbacks(execute=True):
        client_for(programme_admin).post(
            URL, _form_data(active, action="activate", weight__visit=5, note="Visits count.")
        )

    today = timezone.localdate()
    after = {
        s.day: (s.score, s.model_version, s.computed_at)
        for s in EngagementSnapshot.objects.filter(account=account)
    }
    assert {day: row for day, row in after.items() if day < today} == {
        day: row for day, row in before.items() if day < today
    }
    assert after[today][1] == 2 and after[today][0] > before[today][0]  # visits weigh 5 now
    assert differences([account.pk]) == []  # each day with the version active that day


def test_component_weights_that_do_not_add_up_are_refused(client_for, programme_admin, active):
    response = client_for(programme_admin).post(
        URL, _form_data(active, action="activate", weight_activity=0.9)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["weight_activity"] == [
        "The three component weights must add up to 1."
    ]
    assert _rows() == (1, 0, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weight__vote", "-1", "Ensure this value is greater than or equal to 0."),
        ("half_life_days", "", "This field is required."),
        ("window_days", "ten", "Enter a whole number."),
        ("threshold_observing", "40", "Level thresholds must increase"),
        ("low_water_ratio", "1.5", "Must be more than 0 and at most 1."),
    ],
)
def test_bad_numbers_get_field_errors_and_nothing_is_saved(
    client_for, programme_admin, active, field, value, message
):
    response = client_for(programme_admin).post(
        URL, _form_data(active, action="activate", **{field: value})
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert _rows() == (1, 0, 0)


@pytest.mark.parametrize("versions", [1, 6])
def test_the_versions_list_costs_the_same_queries_whatever_its_length(
    client_for, programme_admin, active, versions, django_assert_num_queries
):
    for number in range(versions - 1):
        engagement_model_create(created_by=programme_admin, note=f"v{number + 2}")
    client = client_for(programme_admin)

    # 1 session, 2 user with membership, 3 permissions (own and groups'), 4 the versions with
    # their authors (the active one among them), then base.html's navigation: 5 unread
    # notifications and open alerts, 6 groups.
    with django_assert_num_queries(6):
        response = client.get(URL)

    assert len(response.context["versions"]) == versions
    assert response.text.count("(active)") == 1


# --- Activity kinds and their weights ---------------------------------------------------------


@pytest.fixture
def active_before_the_new_kinds(db):
    """Version 1, made before reference calls and executive meetings had weights."""
    model = engagement_model_active()
    weights = dict(model.weights)
    weights.pop(ActivityKind.REFERENCE_CALL, None)
    weights.pop(ActivityKind.EXECUTIVE_MEETING, None)
    EngagementModel.objects.filter(pk=model.pk).update(weights=weights)
    model.refresh_from_db()
    return model


def test_every_kind_but_a_closed_loop_gets_a_weight_field(
    client_for, programme_admin, active_before_the_new_kinds
):
    response = client_for(programme_admin).get(URL)

    form = response.context["form"]
    weight_fields = sorted(name for name in form.fields if name.startswith("weight__"))
    assert weight_fields == sorted(f"weight__{kind}" for kind in WEIGHED_KINDS)
    assert "weight__loop_closed" not in form.fields
    assert "Weight: Loop closed" not in response.text
    assert ActivityKind.LOOP_CLOSED not in WEIGHED_KINDS
    assert len(WEIGHED_KINDS) == len(ActivityKind) - 1


def test_a_kind_the_version_lacks_is_offered_at_its_default_weight(
    client_for, programme_admin, active_before_the_new_kinds
):
    response = client_for(programme_admin).get(URL)

    form = response.context["form"]
    assert (
        form["weight__reference_call"].value()
        == DEFAULT_ACTIVITY_WEIGHTS[ActivityKind.REFERENCE_CALL]
    )
    assert form["weight__executive_meeting"].value() == 6
    assert form["weight__referral"].value() == 10  # the version's own weight
    # The table of the active version tells the truth: it weighs them 0 today.
    assert ("Reference call", 0) in response.context["weights"]


def test_a_new_version_saves_the_prefilled_weights_and_none_for_a_closed_loop(
    client_for, programme_admin, active_before_the_new_kinds
):
    form = client_for(programme_admin).get(URL).context["form"]
    data = {name: form[name].value() for name in form.fields if name != "note"}
    data.update(note="Offline kinds weighed.", action="activate")

    response = client_for(programme_admin).post(URL, data)

    assert response.status_code == 302
    new = engagement_model_active()
    assert new.version == 2
    assert new.weights[ActivityKind.REFERENCE_CALL] == 10
    assert new.weights[ActivityKind.EXECUTIVE_MEETING] == 6
    assert ActivityKind.LOOP_CLOSED not in new.weights
    assert set(new.weights) == {kind.value for kind in WEIGHED_KINDS}
    assert {name for name in MODEL_FIELDS if name != "weights"} <= set(data)
