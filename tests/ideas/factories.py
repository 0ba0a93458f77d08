from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from ideas.models import Agreement, Idea, IdeaStatus, Pilot, PilotInvitation, PilotState
from ideas.services.feedback import check_ins_create_default
from ideas.services.instrument import instrument_create_default
from tests.accounts.factories import UserFactory, customer
from tests.community.factories import GardenFactory


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    garden = factory.SubFactory(GardenFactory)
    title = factory.Sequence(lambda n: f"Idea {n}: offline mode for field teams")
    job_to_be_done = "Record inspections where there is no network."
    proposal = "Let the mobile app queue work offline and sync later."
    author = factory.SubFactory(UserFactory)
    status = IdeaStatus.PROPOSED


def _today() -> dt.date:
    return timezone.localdate()


class PilotFactory(factory.django.DjangoModelFactory):
    """A pilot with the default instrument, check-ins and an agreement (version 1)."""

    class Meta:
        model = Pilot
        skip_postgeneration_save = True

    idea = factory.SubFactory(IdeaFactory, status=IdeaStatus.PILOTING)
    title = factory.Sequence(lambda n: f"Pilot {n}: offline sync")
    description = "Four weeks with the offline build of the mobile app."
    what_to_expect = "Sync within a minute of reconnecting; no data lost."
    recruiting_opens = factory.LazyFunction(lambda: _today() - dt.timedelta(days=7))
    runs_from = factory.LazyFunction(lambda: _today() + dt.timedelta(days=7))
    runs_until = factory.LazyFunction(lambda: _today() + dt.timedelta(days=35))
    capacity = 5
    state = PilotState.RECRUITING
    published = True

    @factory.post_generation
    def instrument(obj, create, extracted, **kwargs):
        if create:
            instrument_create_default(pilot=obj)
            check_ins_create_default(pilot=obj)
            Agreement.objects.create(pilot=obj, version=1, text="We keep what we see confidential.")

    @factory.post_generation
    def accounts(obj, create, extracted, **kwargs):
        """PilotFactory(accounts=[a, b]) invites those accounts."""
        for account in extracted or []:
            PilotInvitation.objects.create(pilot=obj, account=account)


def running_dates(today: dt.date | None = None) -> dict:
    """The state and dates of a running pilot: recruiting opened two weeks before `today`, it
    runs from a week before for four weeks, so its experience check-ins are open."""
    today = today or _today()
    return {
        "state": PilotState.RUNNING,
        "recruiting_opens": today - dt.timedelta(days=14),
        "runs_from": today - dt.timedelta(days=7),
        "runs_until": today + dt.timedelta(days=21),
    }


def running_pilot(**fields) -> Pilot:
    """A running pilot (see `running_dates`); `fields` go to PilotFactory (`accounts=[…]`)."""
    return PilotFactory(**running_dates(), **fields)


def feedback_response(enrolment, check_in, *, at=None, draft=False, **by_role):
    """A response to `check_in`, created directly (no service), with answers to the questions of
    the pilot's newest instrument found by role: per-dimension roles take {dimension key: value}
    (`expected={"useful": 5}`), job_done a choice label, text roles a string, others an int."""
    from ideas.models import Answer, FeedbackResponse, ResponseStatus

    instrument = enrolment.pilot.instruments.order_by("-version").first()
    response = FeedbackResponse.objects.create(
        check_in=check_in,
        enrolment=enrolment,
        instrument=instrument,
        status=ResponseStatus.DRAFT if draft else ResponseStatus.SUBMITTED,
        submitted_at=None if draft else (at or timezone.now()),
    )
    questions = {q.role: q for q in instrument.questions.all()}
    dimensions = {d.key: d for d in instrument.dimensions.all()}
    answers = []
    for role, value in by_role.items():
        question = questions[role]
        if question.per_dimension:
            answers += [
                Answer(response=response, question=question, dimension=dimensions[k], value_int=v)
                for k, v in value.items()
            ]
        elif isinstance(value, int):
            answers.append(Answer(response=response, question=question, value_int=value))
        else:
            choices = [value] if question.choices else []
            answers.append(
                Answer(
                    response=response, question=question, value_text=value, value_choices=choices
                )
            )
    Answer.objects.bulk_create(answers)
    return response


def final_answered(pilot, account, *, name: str, at=None, **answers):
    """A new member of `account` (first name `name`), enrolled, who submitted the pilot's final
    check-in (position 2) at `at` with `answers` (as `feedback_response` takes them)."""
    from ideas.models import Enrolment

    final = pilot.check_ins.get(position=2)
    enrolment = Enrolment.objects.create(
        pilot=pilot, user=customer(account, first_name=name), account=account
    )
    return feedback_response(enrolment, final, at=at, **answers)


def agreement_accepted(pilot, account, *, by=None):
    """`account` accepted the pilot's current agreement version (created directly)."""
    from ideas.models import AgreementAcceptance

    agreement = pilot.agreements.order_by("-version").first()
    return AgreementAcceptance.objects.create(agreement=agreement, account=account, accepted_by=by)


def engagement_level_set(account, level, *, day=None):
    """Give `account` an engagement snapshot at `level` (what account_levels reads)."""
    from community.models import EngagementSnapshot

    return EngagementSnapshot.objects.create(
        account=account,
        day=day or timezone.localdate(),
        score=50,
        level=level,
        activity=0.5,
        breadth=0.5,
        co_creation=0.5,
        model_version=1,
    )


def enrolled(pilot, user, **fields):
    """`user` enrolled in `pilot` for their own account (the row made directly)."""
    from ideas.models import Enrolment

    return Enrolment.objects.create(
        pilot=pilot, user=user, account=user.membership.account, **fields
    )
