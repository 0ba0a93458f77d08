"""Create realistic, deterministic demo data.

It lives in `demo`, above the three product apps (demo → ideas → community → accounts), so it
can call every part's demo builder; each part keeps its own builder in `demo/data/`.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    MemberRole,
    Membership,
    TeamRole,
    User,
)
from community.models import Garden
from community.services.engagement import (
    engagement_history_compute,
    engagement_repair_mark,
    engagement_repairs_run,
)
from community.services.notifications import notification_emails_suppressed
from demo.data.activity import (
    QUIET_PROFILES,
    demo_activity_create,
    demo_alerts_raise,
    demo_notifications_settle,
    demo_offline_events_create,
)
from demo.data.discussions import demo_discussions_build
from demo.data.expectation_drift import demo_expectation_drift_create
from demo.data.gardens import demo_gardens_build, demo_gardens_create
from demo.data.harvests import demo_harvests_build
from demo.data.ideas import IDEA_COUNT, MIN_IDEAS, demo_ideas_create
from demo.data.loyalty import demo_loyalty_history_create
from demo.data.outcomes import demo_outcomes_create
from demo.data.people import DEMO_PASSWORD, INTERNAL_DOMAIN, DemoPeople, demo_people_create
from demo.data.pilot_effects import demo_pilot_effects_create
from demo.data.pilot_outcomes import demo_pilot_outcomes_create
from demo.data.recognition import demo_recognition_build
from demo.data.robustness import demo_robustness_build
from demo.data.todos import demo_key_account_handover, demo_todos_build
from ideas.models import FeedbackResponse, Pilot, ResponseStatus


class Command(BaseCommand):
    help = (
        "Create deterministic demo data: accounts, people, account teams, gardens, history, "
        "ideas, pilots and feedback."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=40, help="customer accounts (40)")
        parser.add_argument(
            "--members",
            type=float,
            default=7.5,
            help="average customer users per account (7.5 → ~300 for 40)",
        )
        parser.add_argument("--days", type=int, default=400, help="days of activity history")
        parser.add_argument(
            "--ideas",
            type=int,
            default=IDEA_COUNT,
            help=f"ideas to seed, {MIN_IDEAS}–{IDEA_COUNT} (the four pilots' ideas always among "
            f"them), or 0 for no ideas and pilots ({IDEA_COUNT})",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) if data exists already",
        )

    def handle(self, *args, **options):
        self._options_check(options)
        if Account.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data exists already; not seeding again.")
                self._print_logins(self._existing_logins())
                return
            raise CommandError(
                "The database has accounts already. Use a fresh database "
                "(or --if-empty to keep what is there)."
            )
        started = time.monotonic()
        seeded = self._seed(options)
        self.stdout.write(self.style.SUCCESS(f"{seeded} in {time.monotonic() - started:.1f}s."))
        self._print_logins(self._existing_logins())

    def _options_check(self, options) -> None:
        if options["accounts"] < 2:
            raise CommandError("--accounts must be at least 2.")
        if options["members"] < 2:
            raise CommandError("--members must be at least 2.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        if options["ideas"] and not MIN_IDEAS <= options["ideas"] <= IDEA_COUNT:
            raise CommandError(f"--ideas must be 0, or from {MIN_IDEAS} to {IDEA_COUNT}.")

    def _seed(self, options) -> str:
        """Every builder, in the order the demo's story needs; returns what was seeded."""
        rng = random.Random(options["seed"])  # noqa: S311 (demo data, not secrets)
        today = timezone.localdate()
        with transaction.atomic():
            people = demo_people_create(
                rng=rng,
                accounts=options["accounts"],
                members_per_account=options["members"],
                today=today,
            )
            gardens = demo_gardens_create()
            demo_gardens_build(gardens=gardens, members_by_account=people.members_by_account)
        events, profiles = self._history(rng, people, gardens, days=options["days"])
        ideas = None
        if options["ideas"]:
            ideas = demo_ideas_create(
                rng=rng,
                members_by_account=people.members_by_account,
                profiles=profiles,
                gardens=gardens,
                ideas=options["ideas"],
                today=today,
            )
            demo_pilot_effects_create(seed=options["seed"], today=today)  # lifted, and not
        engagement_history_compute(days=min(options["days"], 180))  # levels with a history
        self._after_the_levels(rng, today=today, with_ideas=ideas is not None, seed=options["seed"])
        # The builders after the history record events and then move some back in time
        # (harvest reads, the ideas' timeline, discussion posts), which no repair mark sees:
        # every account's history is repaired last, as the scheduled runs repair late events,
        # so that every stored day equals its events.
        history_start = today - dt.timedelta(days=min(options["days"], 180) - 1)
        engagement_repair_mark(
            since_by_account=dict.fromkeys(people.members_by_account, history_start)
        )
        with notification_emails_suppressed():
            engagement_repairs_run()
        demo_key_account_handover()  # the printed account manager's home has alerts to work
        demo_robustness_build(today=today, seed=options["seed"])  # over the repaired history
        customers = sum(len(ids) for ids in people.members_by_account.values())
        seeded = (
            f"Seeded {len(people.accounts)} accounts, {customers} customer users, "
            f"{len(gardens)} gardens, {events} activity events"
        )
        if ideas is not None:  # the pilots of every builder (effects, drift, …), not only ideas'
            responses = FeedbackResponse.objects.filter(status=ResponseStatus.SUBMITTED).count()
            seeded += (
                f", {ideas.ideas} ideas ({ideas.votes} votes, {ideas.comments} comments) and "
                f"{Pilot.objects.count()} pilots ({responses} feedback responses)"
            )
        return seeded

    def _history(
        self, rng: random.Random, people: DemoPeople, gardens: list[Garden], *, days: int
    ) -> tuple[int, dict[int, str]]:
        """The accounts' activity over `days`, the account teams' offline events and the
        discussions; returns the number of activity events and each account's profile."""
        support = dict(
            AccountTeamAssignment.objects.filter(
                role=TeamRole.CUSTOMER_SUCCESS_MANAGER
            ).values_list("account_id", "user_id")
        )
        events, profiles = demo_activity_create(
            rng=rng,
            members_by_account=people.members_by_account,
            support_user_by_account=support,
            days=days,
        )
        demo_offline_events_create(profiles=profiles)  # a few, with the account team's notes
        quiet = [pk for pk, profile in profiles.items() if profile in QUIET_PROFILES]
        demo_discussions_build(gardens=gardens, quiet_account_ids=quiet)
        return events, profiles

    def _after_the_levels(
        self, rng: random.Random, *, today: dt.date, with_ideas: bool, seed: int
    ) -> None:
        """What follows the accounts' engagement levels (computed first): harvest reads,
        alerts, loyalty outcomes, the expectation drift's trials, badges, and the notifications
        people have read."""
        # Harvests after the levels: who reads depends on the account's level.
        closed = Pilot.objects.filter(state="closed").order_by("pk").values_list("pk", flat=True)
        demo_harvests_build(rng=rng, closed_pilot_ids=list(closed[:2]))
        with notification_emails_suppressed():  # the account teams' inbox, not their email
            demo_alerts_raise()  # the last weeks' alerts, each on its day
        # Loyalty outcomes after the levels: each follows its account's level on its day.
        demo_outcomes_create(rng=rng, today=today)
        if with_ideas:  # and after the closed pilots, as their participants felt
            demo_pilot_outcomes_create(rng=rng, today=today)
        demo_loyalty_history_create(rng=rng, today=today)  # churn and growth, month by month
        if with_ideas:  # two trials with expectations only: drawn apart, repaired after
            demo_expectation_drift_create(seed=seed, today=today)
        demo_recognition_build()  # badges from all of the above: the last builder
        demo_notifications_settle(days=14)  # read what they were told weeks ago
        demo_todos_build()  # what needs the demo logins, where the story leaves them nothing

    def _existing_logins(self) -> list[tuple[str, str, str]]:
        logins = []
        first = Account.objects.order_by("pk").first()
        for role, label in (
            (MemberRole.ADMIN, "Customer account admin"),
            (MemberRole.MEMBER, "Customer member"),
        ):
            membership = Membership.objects.filter(account=first, role=role).order_by("pk").first()
            if membership:
                logins.append((label, membership.user.email, first.name))
        for role in (
            InternalRole.PROGRAMME_ADMIN,
            InternalRole.PRODUCT_MANAGER,
            InternalRole.ACCOUNT_MANAGER,
            InternalRole.CUSTOMER_SUCCESS_MANAGER,
        ):
            user = (
                User.objects.filter(groups__name=role.value, email__endswith=INTERNAL_DOMAIN)
                .order_by("pk")
                .first()
            )
            if user:
                logins.append((role.label, user.email, ""))
        return logins

    def _print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        self.stdout.write("\nDemo logins (password for all: " + DEMO_PASSWORD + "):")
        for persona, email, note in logins:
            suffix = f"  ({note})" if note else ""
            self.stdout.write(f"  {persona:<26} {email}{suffix}")
        self.stdout.write("")
