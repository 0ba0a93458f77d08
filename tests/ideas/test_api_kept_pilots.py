"""The pilots API's reads kept as SQL (config.sql_once), and its output serializers built once per
process (ideas.api.results.serialized), answer byte for byte what the ORM's reads through
serializers built per call answer: the pilot list a page at a time
(ideas.selectors.pilots.visible_pilot_list_rows), a pilot's results (ideas.selectors.results),
the instrument's dimensions and questions (ideas.selectors.instrument) and pilot perception next
to later outcomes (ideas.selectors.perception_outcomes), for customers of two accounts (an
invite-only garden accepted by one), an outsider customer, an account manager, a product manager,
a programme admin and an inactive admin.

Each call is compared with the same call made as before: the pilot list through the filter
backends, every kept read taking the ORM's path (as on SQLite, where both paths are the ORM's)
and each response serialized by a serializer built for it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import InternalRole, Segment
from community.models import EngagementLevel, GardenVisibility, OutcomeKind
from community.services.outcomes import outcome_record
from config.sql_once import SqlOnce
from ideas.api import instrument, perception_outcomes, pilots, results
from ideas.models import (
    Answer,
    CheckIn,
    Dimension,
    Enrolment,
    FeedbackResponse,
    Pilot,
    PilotState,
    Question,
)
from ideas.services.instrument import instrument_dimension_add
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.api_helpers import api_login
from tests.community.factories import GardenFactory, accept
from tests.ideas.factories import (
    IdeaFactory,
    PilotFactory,
    engagement_level_set,
    feedback_response,
)
from tests.sql_compiles import compiles_counted

PILOTS = "/api/v1/pilots/"
PERCEPTION = "/api/v1/insights/pilot-perception/"
# (page size, pages) asked of the pilot list: first, middle and last pages, one past the end,
# one far past it, and numbers that are no page.
PAGES = {3: (1, 2, 3, 4, 99, "last", "x", 0), 4: (1, 2, 3), 200: (1, 2), "": (1, 2)}


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def _answered(pilot, account, name, *, expected, experienced, recommend, verbatim=""):
    """A member of `account` enrolled in `pilot` who answered its expectation and final
    check-ins (the final one with a free text when `verbatim` is given)."""
    user = customer(account, first_name=name)
    enrolment = Enrolment.objects.create(pilot=pilot, user=user, account=account)
    check_ins = {c.position: c for c in CheckIn.objects.filter(pilot=pilot)}
    ended = pilot.runs_until
    feedback_response(
        enrolment, check_ins[0], at=timezone.now() - dt.timedelta(days=90), expected=expected
    )
    texts = {"better": verbatim} if verbatim else {}
    feedback_response(
        enrolment,
        check_ins[2],
        at=timezone.now() - dt.timedelta(days=max((timezone.localdate() - ended).days, 1)),
        experienced=experienced,
        recommend=recommend,
        job_done="Yes",
        adopt=recommend - 1,
        **texts,
    )
    return enrolment


@pytest.fixture
def world(db):
    """Pilots of an open garden and of an invite-only one accepted by account A; drafts,
    recruiting, running and closed ones, schedules that tie; accounts A (enterprise, with an
    engagement level) and B (small business) invited to some, with members who answered, a
    verbatim, and loyalty outcomes after the closed pilots; a running pilot's instrument with a
    dimension added."""
    account = AccountFactory(segment=Segment.ENTERPRISE)
    other = AccountFactory(segment=Segment.SMB)
    member, admin, outsider = customer(account), customer(account), customer(other)
    manager = internal(InternalRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=manager, account=account)
    product = internal(InternalRole.PRODUCT_MANAGER)
    programme = internal(InternalRole.PROGRAMME_ADMIN)
    retired = internal(InternalRole.PROGRAMME_ADMIN, is_active=False)
    engagement_level_set(account, EngagementLevel.CONTRIBUTING, day=_day(400))
    open_garden = GardenFactory(visibility=GardenVisibility.OPEN)
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    accept(accepted, account)
    states = [PilotState.DRAFT, PilotState.RECRUITING, PilotState.RUNNING, PilotState.CLOSED]
    made = []
    for i in range(11):
        closed = i % 4 == 3 or i >= 8
        ended = 40 + 30 * i if closed else -30
        made.append(
            PilotFactory(
                idea=IdeaFactory(garden=(open_garden, accepted)[i % 2]),
                title=f"Pilot {i}: offline sync",
                state=PilotState.CLOSED if closed else states[i % 4],
                recruiting_opens=_day(ended + 60),
                runs_from=_day(ended + 40),  # the open ones tie
                runs_until=_day(ended),
                accounts=[(account,), (account, other), (other,)][i % 3],
            )
        )
    for i, pilot in enumerate(p for p in made if p.state == PilotState.CLOSED):
        _answered(
            pilot,
            account,
            f"Ann {i}",
            expected={"useful": 5, "usable": 3 + i % 3},
            experienced={"useful": 6 - i % 2, "usable": 4},
            recommend=9 + i % 2,
            verbatim="Sync got lost once." if i % 2 else "",
        )
        _answered(
            pilot,
            account,
            f"Ben {i}",
            expected={"useful": 6},
            experienced={"useful": 4},
            recommend=5,
        )
        _answered(
            pilot,
            other,
            f"Cy {i}",
            expected={"useful": 4, "usable": 4},
            experienced={"useful": 5, "usable": 2},
            recommend=7 + i % 3,
            verbatim="Fine.",
        )
        outcome_record(
            account=(account, other)[i % 2],
            kind=(OutcomeKind.RENEWED, OutcomeKind.CHURNED, OutcomeKind.REFERRED)[i % 3],
            occurred_on=pilot.runs_until + dt.timedelta(days=20),
            recorded_by=None,
        )
    instrument_dimension_add(pilot=made[2], label="Battery life", description="", target=None)
    people = {
        "member": member,
        "admin": admin,
        "outsider": outsider,
        "account_manager": manager,
        "product_manager": product,
        "programme_admin": programme,
        "retired": retired,
    }
    return people, made


def _answers(api, user, path: str, params: dict | None = None) -> tuple[int, bytes]:
    api_login(api, user)
    response = api.get(path, params or {})
    return response.status_code, response.content


def _built_per_call(serializer_class, instance, *, many: bool = False):
    return serializer_class(instance, many=many).data


def _the_orms_way(monkeypatch, call):
    """`call()` with the pilot list read through the filter backends, every kept read taking the
    ORM's path and every response serialized by a serializer built for it, as before their SQL
    and serializers were kept."""
    with monkeypatch.context() as patched:
        patched.setattr(pilots, "asks_only_a_page", lambda request: False)
        patched.setattr(SqlOnce, "_kept_for", lambda self, values: None)
        for module in (instrument, perception_outcomes, pilots, results):
            patched.setattr(module, "serialized", _built_per_call)
        return call()


def test_the_pilot_list_pages_are_the_orms_byte_for_byte_for_everyone(api, world, monkeypatch):
    people, _made = world
    statuses, counts = set(), set()
    for name, user in people.items():
        for size, numbers in PAGES.items():
            for number in numbers:
                params = {"page": number, "page_size": size}
                kept = _answers(api, user, PILOTS, params)
                built = _the_orms_way(
                    monkeypatch, lambda u=user, p=params: _answers(api, u, PILOTS, p)
                )
                assert kept == built, (name, params)
                statuses.add(kept[0])
                if kept[0] == 200:
                    counts.add(len(api.get(PILOTS, params).json()["results"]))
        built = _the_orms_way(monkeypatch, lambda u=user: _answers(api, u, PILOTS))
        assert _answers(api, user, PILOTS) == built, name
    assert statuses == {200, 404}
    assert {0, 2, 3, 4} <= counts  # an empty list (the inactive admin), short last pages, full
    api_login(api, people["member"])
    listed = {row["title"] for row in api.get(PILOTS, {"page_size": 200}).json()["results"]}
    api_login(api, people["outsider"])
    theirs = {row["title"] for row in api.get(PILOTS, {"page_size": 200}).json()["results"]}
    assert listed and theirs and listed != theirs  # each account's own invitations


def test_results_and_the_instrument_are_the_orms_byte_for_byte_for_everyone(
    api, world, monkeypatch
):
    people, made = world
    statuses = set()
    for name, user in people.items():
        for pilot in made:
            for path, params in [
                (f"{PILOTS}{pilot.pk}/results/", {}),
                (f"{PILOTS}{pilot.pk}/results/", {"split": "segment"}),
                (f"{PILOTS}{pilot.pk}/results/", {"split": "level"}),
                (f"{PILOTS}{pilot.pk}/instrument/dimensions/", {}),
                (f"{PILOTS}{pilot.pk}/instrument/questions/", {}),
            ]:
                kept = _answers(api, user, path, params)
                built = _the_orms_way(
                    monkeypatch, lambda u=user, p=path, q=params: _answers(api, u, p, q)
                )
                assert kept == built, (name, path, params)
                statuses.add(kept[0])
    assert statuses == {200, 403, 404}
    api_login(api, people["programme_admin"])
    body = api.get(f"{PILOTS}{made[3].pk}/results/", {"split": "level"}).json()
    assert body["overall"]["respondents"] == 3 and body["verbatims"]
    assert len(body["groups"]) == 2  # contributing, and level not known yet
    dimensions = api.get(f"{PILOTS}{made[2].pk}/instrument/dimensions/").json()
    assert dimensions[-1]["label"] == "Battery life"


def test_pilot_perception_is_the_orms_byte_for_byte_for_everyone(api, world, monkeypatch):
    people, _made = world
    asked = [
        {},
        {"page_size": 25},
        {"period_from": _day(800).isoformat()},
        {"period_from": _day(800).isoformat(), "window": 10},
        {"period_from": _day(800).isoformat(), "segment": Segment.ENTERPRISE},
        {"period_from": _day(800).isoformat(), "segment": Segment.PUBLIC_SECTOR},
        {"period_from": _day(5).isoformat(), "period_to": _day(1).isoformat()},
    ]
    statuses, sizes = set(), {}
    for name, user in people.items():
        for params in asked:
            kept = _answers(api, user, PERCEPTION, params)
            built = _the_orms_way(
                monkeypatch, lambda u=user, p=params: _answers(api, u, PERCEPTION, p)
            )
            assert kept == built, (name, params)
            statuses.add(kept[0])
            if kept[0] == 200 and params == asked[2]:
                sizes[name] = len(api.get(PERCEPTION, params).json()["results"])
    assert statuses == {200, 403}
    # Every account-pilot for those who see every account; account A's for its team.
    assert sizes["programme_admin"] == sizes["product_manager"] > sizes["account_manager"] > 0


@pytest.mark.needs_postgres
def test_the_pilots_api_keeps_its_sql(api, world, monkeypatch):
    people, made = world
    pilot = made[3]
    calls = [
        (PILOTS, {"page": 2, "page_size": 3}),
        (f"{PILOTS}{pilot.pk}/results/", {"split": "level"}),
        (f"{PILOTS}{pilot.pk}/results/", {}),
        (f"{PILOTS}{pilot.pk}/instrument/dimensions/", {}),
        (f"{PILOTS}{pilot.pk}/instrument/questions/", {}),
        (PERCEPTION, {"period_from": _day(800).isoformat()}),
        (PERCEPTION, {"segment": Segment.SMB}),
    ]
    readers = [people["member"], people["account_manager"], people["programme_admin"]]
    for user in readers:
        for path, params in calls:
            _answers(api, user, path, params)  # each read's first call keeps its SQL
    compiled = compiles_counted(monkeypatch)

    for user in readers:
        for path, params in calls:
            assert _answers(api, user, path, {**params, "page": 1})[0] in (200, 403)
    read = {Pilot, CheckIn, Enrolment, Dimension, Question, FeedbackResponse, Answer}
    assert not read & set(compiled), compiled
    _answers(api, people["member"], PILOTS, {"search": "offline"})
    assert Pilot in compiled  # a search goes through the filter backends: the ORM writes it


def test_a_shared_output_serializer_shows_date_times_in_the_active_zone():
    import datetime as dt

    from django.utils import timezone

    from ideas.api.results import VerbatimSerializer, serialized

    row = {"response_id": 7, "submitted_at": dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)}
    row.update(account_name="A", segment="s", check_in="c", question="q", text="t")
    for zone in ("UTC", "America/Los_Angeles", "UTC", "Asia/Tokyo"):
        with timezone.override(zone):
            expected = VerbatimSerializer(row).data["submitted_at"]
            assert serialized(VerbatimSerializer, row)["submitted_at"] == expected
    with timezone.override("Asia/Tokyo"):
        assert serialized(VerbatimSerializer, row)["submitted_at"].endswith("+09:00")


ZONES = ("America/Los_Angeles", "Asia/Tokyo")


def test_results_and_perception_are_the_orms_byte_for_byte_in_other_time_zones(
    api, world, monkeypatch
):
    """The output serializers kept per process (`serialized`, one per time zone) show the
    active zone, as serializers built per call do."""
    people, made = world
    calls = [(f"{PILOTS}{pilot.pk}/results/", {}) for pilot in made]
    calls += [(PERCEPTION, {"period_from": _day(800).isoformat()})]
    compared = 0
    for zone in ZONES:
        with timezone.override(zone):
            for name in ("member", "account_manager", "programme_admin"):
                for path, params in calls:
                    kept = _answers(api, people[name], path, params)
                    built = _the_orms_way(
                        monkeypatch, lambda n=name, p=path, q=params: _answers(api, people[n], p, q)
                    )
                    assert kept == built, (zone, name, path)
                    compared += kept[0] == 200
    assert compared >= 2 * (len(made) + 2)


def test_a_verbatim_shows_when_its_response_was_submitted_in_the_active_zone(api, world):
    """Each verbatim's submitted_at is its response's (the answers' read gives it on free-text
    rows only), shown in the active zone as DRF shows a date-time."""
    from rest_framework.fields import DateTimeField

    people, made = world
    api_login(api, people["programme_admin"])
    shown: dict[str, set[str]] = {}
    for zone in ("UTC", *ZONES):
        with timezone.override(zone):
            for pilot in made:
                verbatims = api.get(f"{PILOTS}{pilot.pk}/results/").json()["verbatims"]
                for verbatim in verbatims:
                    response = FeedbackResponse.objects.get(pk=verbatim["response"])
                    expected = DateTimeField().to_representation(response.submitted_at)
                    assert verbatim["submitted_at"] == expected
                    shown.setdefault(zone, set()).add(expected[-6:])
    assert {zone: len(ends) > 0 for zone, ends in shown.items()} == dict.fromkeys(
        ("UTC", *ZONES), True
    )
    assert all(end.endswith("Z") for end in shown["UTC"])
    assert shown["Asia/Tokyo"] == {"+09:00"}
