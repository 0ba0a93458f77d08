"""Reminders of due check-ins (ideas.services.reminders, run daily by feedback_reminders_task):
in-app and by email, at most once every 3 days per check-in, at most N per person in 30 days,
and never twice for the same run. Time is passed in (`now=`), not mocked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Membership
from community.models import Notification
from ideas.models import Phase, PilotInvitation, PilotState, Reminder
from ideas.services.reminders import reminders_send
from ideas.tasks import feedback_reminders_task
from tests.accounts.factories import AccountFactory, customer
from tests.ideas.factories import PilotFactory, enrolled, feedback_response

START = dt.datetime(2031, 3, 3, 9, 0, tzinfo=dt.UTC)  # a Monday morning
DAY = dt.timedelta(days=1)


def _pilot(accounts, *, state=PilotState.RECRUITING, runs_from=None, runs_until=None):
    """A pilot whose schedule is laid around START: recruiting; running a week later."""
    today = START.date()
    runs_from = runs_from or today + 7 * DAY
    return PilotFactory(
        accounts=accounts,
        state=state,
        recruiting_opens=runs_from - 14 * DAY,
        runs_from=runs_from,
        runs_until=runs_until or today + 35 * DAY,
    )


def _enrolled(pilot, user, *, days_ago: int = 2):
    return enrolled(pilot, user, created_at=START - days_ago * DAY)


def _check_in(pilot, phase=Phase.EXPECTATION, *, last=False):
    check_ins = pilot.check_ins.filter(phase=phase).order_by("position")
    return check_ins.last() if last else check_ins.first()


def _reminded(user) -> list[tuple[int, dt.date]]:
    return [
        (r.check_in_id, r.sent_at.date())
        for r in Reminder.objects.filter(user=user).order_by("sent_at", "pk")
    ]


@pytest.fixture
def pilot(account_a):
    return _pilot([account_a])


# --- Who is reminded of what --------------------------------------------------------------------


def test_a_member_who_owes_the_expectation_is_told_in_the_app_and_by_email(
    pilot, member_a, django_capture_on_commit_callbacks
):
    _enrolled(pilot, member_a)
    expectation = _check_in(pilot)

    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders_send(now=START)

    assert sent == 1
    assert _reminded(member_a) == [(expectation.pk, START.date())]
    notification = Notification.objects.get(user=member_a)
    assert notification.kind == "feedback_reminder"
    assert notification.title == f"What do you expect from “{pilot.title}”?"
    assert notification.url == f"/check-ins/{expectation.pk}/"
    assert [m.to for m in mail.outbox] == [[member_a.email]]
    assert mail.outbox[0].subject == notification.title


def test_nobody_is_reminded_of_the_expectation_on_the_day_they_enrolled(pilot, member_a):
    _enrolled(pilot, member_a, days_ago=0)

    assert reminders_send(now=START) == 0
    assert reminders_send(now=START + DAY) == 1


def test_a_submitted_check_in_is_not_reminded_but_a_draft_still_is(pilot, member_a, account_a):
    colleague = customer(account_a)
    done = _enrolled(pilot, member_a)
    drafting = _enrolled(pilot, colleague)
    feedback_response(done, _check_in(pilot), expected={"useful": 5})
    feedback_response(drafting, _check_in(pilot), draft=True, expected={"useful": 5})

    reminders_send(now=START)

    assert _reminded(member_a) == []
    assert _reminded(colleague) == [(_check_in(pilot).pk, START.date())]


def test_an_experience_check_in_is_reminded_from_its_due_date_on(account_a, member_a):
    pilot = _pilot([account_a], state=PilotState.RUNNING, runs_from=START.date() - 14 * DAY)
    enrolment = _enrolled(pilot, member_a, days_ago=20)
    feedback_response(enrolment, _check_in(pilot), expected={"useful": 5})
    middle = _check_in(pilot, Phase.EXPERIENCE)
    due = dt.datetime.combine(middle.due_on, START.timetz())

    assert reminders_send(now=due - DAY) == 0
    assert reminders_send(now=due) == 1
    assert _reminded(member_a) == [(middle.pk, middle.due_on)]
    assert Notification.objects.get().title == f"How is “{pilot.title}” going?"


def test_with_several_check_ins_due_a_person_gets_one_reminder_a_day_oldest_first(
    account_a, member_a
):
    pilot = _pilot(
        [account_a],
        state=PilotState.RUNNING,
        runs_from=START.date() - 30 * DAY,
        runs_until=START.date() + 10 * DAY,
    )
    _enrolled(pilot, member_a, days_ago=40)  # expectation, mid-pilot both due; final not yet

    for day in range(3):
        reminders_send(now=START + day * DAY)

    assert _reminded(member_a) == [
        (_check_in(pilot).pk, START.date()),
        (_check_in(pilot, Phase.EXPERIENCE).pk, START.date() + DAY),
    ]


def test_inactive_people_and_people_who_left_or_were_uninvited_get_nothing(
    pilot, member_a, account_a
):
    left = customer(account_a)
    _enrolled(pilot, member_a)
    _enrolled(pilot, left)
    member_a.is_active = False
    member_a.save()
    Membership.objects.filter(user=left).update(account=AccountFactory())
    other_account = AccountFactory()
    uninvited = customer(other_account)
    PilotInvitation.objects.create(pilot=pilot, account=other_account)
    _enrolled(pilot, uninvited)
    PilotInvitation.objects.filter(account=other_account).delete()

    assert reminders_send(now=START) == 0
    assert not Notification.objects.exists()


def test_a_closed_pilot_reminds_of_its_final_check_in_for_a_week_after_its_last_day(
    account_a, member_a
):
    last_day = START.date() - 7 * DAY
    pilot = _pilot(
        [account_a],
        state=PilotState.CLOSED,
        runs_from=last_day - 28 * DAY,
        runs_until=last_day,
    )
    _enrolled(pilot, member_a, days_ago=40)  # owes all three check-ins
    final = _check_in(pilot, Phase.EXPERIENCE, last=True)

    assert reminders_send(now=START) == 1
    assert reminders_send(now=START + 3 * DAY) == 0  # the week is over

    assert _reminded(member_a) == [(final.pk, START.date())]
    assert Notification.objects.get().title == f"How did “{pilot.title}” go?"


def test_draft_pilots_remind_nobody(account_a, member_a):
    pilot = _pilot([account_a], state=PilotState.DRAFT)
    _enrolled(pilot, member_a)

    assert reminders_send(now=START) == 0


# --- Spacing, the cap and idempotence ---------------------------------------------------------


def test_running_twice_a_day_sends_nothing_new(pilot, member_a, django_capture_on_commit_callbacks):
    _enrolled(pilot, member_a)

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders_send(now=START)
        second = reminders_send(now=START + dt.timedelta(hours=8))

    assert (first, second) == (1, 0)
    assert Reminder.objects.count() == Notification.objects.count() == len(mail.outbox) == 1


def test_a_check_in_is_reminded_at_most_once_every_three_days(pilot, member_a):
    _enrolled(pilot, member_a)

    sent = [reminders_send(now=START + day * DAY) for day in range(7)]

    assert sent == [1, 0, 0, 1, 0, 0, 1]


def test_nobody_gets_more_than_the_cap_in_thirty_days_across_pilots(account_a, member_a, settings):
    settings.FEEDBACK_REMINDERS_PER_30_DAYS = 3
    pilots = [_pilot([account_a]) for _ in range(3)]
    for pilot in pilots:
        _enrolled(pilot, member_a)

    sent = [reminders_send(now=START + day * DAY) for day in range(30)]

    assert sent[:3] == [1, 1, 1]  # one a day (one per run), one pilot after the other
    assert sum(sent) == 3  # then the cap holds for the rest of the 30 days
    assert {check_in for check_in, _ in _reminded(member_a)} == {
        _check_in(pilot).pk for pilot in pilots
    }
    assert reminders_send(now=START + 30 * DAY) == 1  # the first has left the 30-day window


def test_the_cap_counts_per_person(account_a, member_a, settings):
    settings.FEEDBACK_REMINDERS_PER_30_DAYS = 1
    colleague = customer(account_a)
    first, second = _pilot([account_a]), _pilot([account_a])
    _enrolled(first, member_a)
    _enrolled(second, member_a)
    _enrolled(second, colleague)

    assert reminders_send(now=START) == 2
    assert reminders_send(now=START + 3 * DAY) == 0
    assert len(_reminded(member_a)) == len(_reminded(colleague)) == 1


def test_a_run_costs_the_same_queries_for_one_pilot_or_many(account_a, django_assert_num_queries):
    for pilots, members in ((1, 1), (4, 3)):
        Reminder.objects.all().delete()
        for _ in range(pilots):
            pilot = _pilot([account_a])
            for _ in range(members):
                _enrolled(pilot, customer(account_a))
        # 1 the due check-ins, locked; 2 the candidates (enrolment × check-in, with their
        # reminders so far); 3 INSERT the reminders; 4 the people reminded; 5 their email
        # preferences for reminders; 6 INSERT the notifications
        # (plus the savepoint of the atomic block when one is open, as in tests: 2 more)
        with django_assert_num_queries(8):
            sent = reminders_send(now=START)
        assert sent == Reminder.objects.count()


def test_the_daily_task_sends_the_reminders(account_a, member_a):
    pilot = PilotFactory(accounts=[account_a])  # recruiting now
    enrolled(pilot, member_a, created_at=timezone.now() - 2 * DAY)

    assert feedback_reminders_task.delay().get() == 1
    assert Reminder.objects.filter(user=member_a).count() == 1
