"""The engagement model settings page weighs every activity kind but the support-only one
(a closed loop is never weighed: the engine ignores support events), and offers a kind the
active version lacks (it weighs 0 there) at its default weight for the next version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import DEFAULT_ACTIVITY_WEIGHTS, ActivityKind, EngagementModel
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_model import engagement_model_active
from community.views.engagement_model import WEIGHED_KINDS

URL = reverse("community:engagement-model")


@pytest.fixture
def active(db):
    """Version 1, made before reference calls and executive meetings had weights."""
    model = engagement_model_active()
    weights = dict(model.weights)
    weights.pop(ActivityKind.REFERENCE_CALL, None)
    weights.pop(ActivityKind.EXECUTIVE_MEETING, None)
    EngagementModel.objects.filter(pk=model.pk).update(weights=weights)
    model.refresh_from_db()
    return model


def test_every_kind_but_a_closed_loop_gets_a_weight_field(client_for, programme_admin, active):
    response = client_for(programme_admin).get(URL)

    form = response.context["form"]
    weight_fields = sorted(name for name in form.fields if name.startswith("weight__"))
    assert weight_fields == sorted(f"weight__{kind}" for kind in WEIGHED_KINDS)
    assert "weight__loop_closed" not in form.fields
    assert "Weight: Loop closed" not in response.text
    assert ActivityKind.LOOP_CLOSED not in WEIGHED_KINDS
    assert len(WEIGHED_KINDS) == len(ActivityKind) - 1


def test_a_kind_the_version_lacks_is_offered_at_its_default_weight(
    client_for, programme_admin, active
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
    client_for, programme_admin, active
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
