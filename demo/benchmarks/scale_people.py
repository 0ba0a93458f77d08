"""The full-size data set's accounts, customer users, account teams, a year of activity events
and a year of daily snapshots, set-based in PostgreSQL (INSERT … SELECT over generate_series),
added to a small demo (`seed_demo`) so that every persona and screen of the demo is there.

Shape, as in the demo (demo/data/activity.py): each account follows a profile (champion,
rising, steady, fading, occasional, dormant, by the demo's shares), its events follow the
profile over the year (rising: more recent; fading: older; dormant: nothing for the last five
months), drawn by the demo's mix of kinds, 2% are the account team's support events; accounts
and their events are skewed by power laws of random() (a few big, busy accounts, many quiet
ones), and within an account a few people do most.

Snapshots: today's is the engine's own (`engagement_snapshots_compute`, chunk after chunk,
exactly what the nightly run writes). The 364 days before are NOT recomputed by the engine (a
year for 20,000 accounts is 365 full runs): they are drawn in SQL from today's figures along
the account's profile (a rising account was lower, a fading one higher, a dormant one was
Participating until five months ago), with levels by the active model's thresholds (no
hysteresis), and `level_since` from the run of equal levels that ends on each day.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    MemberRole,
    Membership,
    User,
)
from community.models import ActivityEvent, EngagementSnapshot
from community.selectors.engagement_figures import chunks_of
from community.selectors.engagement_model import engagement_model_active
from community.services.engagement import engagement_snapshots_compute
from demo.benchmarks.scale_sql import (
    DAYS,
    Progress,
    allocation_sql,
    bulk_loading,
    execute,
    ids_settle,
    next_id,
)
from demo.data.activity import KIND_MIX, PILOT_KINDS
from demo.data.people import DEMO_PASSWORD

SLUG_PREFIX = "scale-"
EMAIL_DOMAIN = "scale-garden.example"

# (profile, share in percent, events weight, shape, share of members who take part); as the
# demo's profiles (demo/data/activity.py), the rate a relative weight of the events.
PROFILES = [
    ("champion", 15, 45, "steady", 1.0),
    ("rising", 15, 30, "rising", 0.5),
    ("steady", 15, 14, "steady", 0.5),
    ("fading", 15, 30, "fading", 0.5),
    ("occasional", 20, 3, "steady", 0.0),
    ("dormant", 20, 6, "lapsed", 0.5),
]
_SEGMENTS = ("enterprise", "mid_market", "smb", "public_sector")
_TIERS = ("strategic", "growth", "standard")
_CURRENCIES = ("EUR", "EUR", "EUR", "USD", "GBP", "CHF")
_FIRST = (
    "Anna Ben Chloe David Elif Femi Greta Hugo Ines Jan Kaja Leon Mia Noah Olga Pablo "
    "Quinn Rosa Sami Tara Umar Vera Wim Xenia Yara Zeno"
).split()
_LAST = (
    "Andersen Bauer Costa Dubois Eriksen Fischer Garcia Hansen Ivanova Jansen Kowalski "
    "Larsen Moreau Nielsen Olsen Petrov Rossi Schmidt Tanaka Urban Vargas Weber Young Zimmer"
).split()


def _case(expression: str, choices: list[tuple[int, str]]) -> str:
    """CASE over `expression` in [0, 100) picking by cumulative shares."""
    total, branches = 0, []
    for share, value in choices:
        total += share
        branches.append(f"WHEN {expression} < {total} THEN {value}")
    return f"CASE {' '.join(branches)} ELSE {choices[-1][1]} END"


def _array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def people_build(progress: Progress, *, accounts: int, customers: int) -> None:
    """Accounts `scale-1…` up to `accounts` in all, their customer users up to `customers` in
    all (two or more each, skewed), and an account manager and a customer success manager from
    the demo's internal people on each."""
    new_accounts = max(0, accounts - Account.objects.count())
    new_people = max(2 * new_accounts, customers - Membership.objects.count())
    with progress.step("accounts") as rows:
        rows.append(_accounts_insert(new_accounts))
    _plan_make(new_people)
    with progress.step("customer users and memberships") as rows:
        rows.append(_people_insert())
    with progress.step("account teams") as rows:
        rows.append(_teams_insert())


def _accounts_insert(count: int) -> int:
    table, first = Account._meta.db_table, next_id(Account._meta.db_table)
    written = execute(
        f"""
        INSERT INTO {table} (id, created_at, updated_at, name, slug, segment, tier,
            annual_contract_value, customer_since, renewal_date, currency)
        SELECT %(first)s + g - 1, now(), now(),
            'Scale ' || initcap(({_array(_LAST)})[1 + g %% {len(_LAST)}]) || ' ' || g,
            '{SLUG_PREFIX}' || g,
            ({_array(_SEGMENTS)})[1 + (g * 7) %% {len(_SEGMENTS)}],
            ({_array(_TIERS)})[1 + (g * 11) %% {len(_TIERS)}],
            round((5000 * power(1 - random(), -1.2))::numeric, -2),
            current_date - (30 + (g * 37) %% 2500),
            current_date + (1 + (g * 13) %% 365),
            ({_array(_CURRENCIES)})[1 + (g * 5) %% {len(_CURRENCIES)}]
        FROM generate_series(1, %(count)s) g
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"first": first, "count": count},
    )
    ids_settle(table)
    return written


def _plan_make(new_people: int) -> None:
    """scale_plan: one row per new account, with its profile, its people (a skewed share of
    `new_people`, at least two), the first of their numbers, its events' weight and its
    account team; numbered n = 1… in id order."""
    account = Account._meta.db_table
    profile = _case("(a.n * 37) %% 100", [(share, f"'{name}'") for name, share, *_ in PROFILES])
    execute("DROP TABLE IF EXISTS scale_plan")
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_base AS
        SELECT a.n, a.id, {profile} AS profile, power(1 - random(), -0.9) AS size_weight
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {account}
              WHERE slug LIKE '{SLUG_PREFIX}%%') a
        """  # noqa: S608
    )
    rate = _case_profile(2)
    takes_part = _case_profile(4)
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_plan AS
        SELECT p.n, p.id, p.profile, p.share AS members,
            (sum(p.share) OVER (ORDER BY p.n) - p.share)::bigint AS first_person,
            CASE WHEN {takes_part} = 0 THEN 1
                 ELSE greatest(1, ceil(p.share * {takes_part}))::int END AS active_members,
            {rate} * p.share * least(power(1 - random(), -0.8), 50.0) AS event_weight
        FROM ({
            allocation_sql(
                source="scale_base", weight="src.size_weight", total=str(new_people), minimum=2
            )
        }) p
        """  # noqa: S608
    )
    execute("DROP TABLE scale_base")
    execute("CREATE UNIQUE INDEX ON scale_plan (n)")
    _plan_teams()


def _case_profile(column: int) -> str:
    return (
        "CASE p.profile "
        + " ".join(f"WHEN '{row[0]}' THEN {float(row[column])}" for row in PROFILES)
        + " END"
    )


def _plan_teams() -> None:
    """Each new account's account manager and customer success manager: the demo's internal
    people of those roles in turn (so the printed account manager serves her share)."""
    for role, column in (
        (InternalRole.ACCOUNT_MANAGER, "manager_id"),
        (InternalRole.CUSTOMER_SUCCESS_MANAGER, "success_id"),
    ):
        ids = list(
            User.objects.filter(groups__name=role.value).order_by("pk").values_list("pk", flat=True)
        )
        execute(f"ALTER TABLE scale_plan ADD COLUMN {column} bigint")
        execute(
            f"UPDATE scale_plan SET {column} = (%s::bigint[])[1 + n %% %s]",  # noqa: S608
            [ids, len(ids)],
        )


def _people_insert() -> int:
    """The new accounts' people (explicit ids: person k of the plan is user first + k), one
    password hash for all (the demo's password), the first of each account its admin."""
    user, membership = User._meta.db_table, Membership._meta.db_table
    first = next_id(user)
    password = make_password(DEMO_PASSWORD)
    execute(
        f"""
        INSERT INTO {user} (id, password, is_superuser, email, first_name, last_name,
            job_title, is_staff, is_active, date_joined, updated_at, sessions_generation)
        SELECT %(first)s + p.first_person + j, %(password)s, false,
            'customer' || (p.first_person + j) || '@{EMAIL_DOMAIN}',
            ({_array(_FIRST)})[1 + (p.first_person + j) %% {len(_FIRST)}],
            ({_array(_LAST)})[1 + ((p.first_person + j) / {len(_FIRST)}) %% {len(_LAST)}],
            '', false, true, now() - interval '400 days', now(), 0
        FROM scale_plan p CROSS JOIN LATERAL generate_series(0, p.members - 1) j
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"first": first, "password": password},
    )
    ids_settle(user)
    execute("UPDATE scale_plan SET first_person = first_person + %s", [first])
    written = execute(
        f"""
        INSERT INTO {membership} (created_at, updated_at, role, account_id, user_id)
        SELECT now() - interval '400 days', now(),
            CASE WHEN j = 0 THEN '{MemberRole.ADMIN.value}' ELSE '{MemberRole.MEMBER.value}' END,
            p.id, p.first_person + j
        FROM scale_plan p CROSS JOIN LATERAL generate_series(0, p.members - 1) j
        """  # noqa: S608
    )
    return 2 * written


def _teams_insert() -> int:
    table = AccountTeamAssignment._meta.db_table
    return execute(
        f"""
        INSERT INTO {table} (created_at, updated_at, role, account_id, user_id)
        SELECT now(), now(), 'account_manager', id, manager_id FROM scale_plan
        UNION ALL
        SELECT now(), now(), 'customer_success_manager', id, success_id FROM scale_plan
        """  # noqa: S608
    )


def events_build(progress: Progress, *, events: int) -> None:
    """`events` activity events in all over the last year, added to the new accounts."""
    new_events = max(0, events - ActivityEvent.objects.count())
    table = ActivityEvent._meta.db_table
    with progress.step("activity events") as rows, bulk_loading(table):
        rows.append(_events_insert(new_events))


def _events_insert(count: int) -> int:
    mix = [(share, f"'{kind.value}'") for kind, share in KIND_MIX if kind not in PILOT_KINDS]
    total = sum(share for share, _ in mix)
    kind = _case(f"(random() * {total})", mix)
    days_ago = (
        "CASE a.shape WHEN 'rising' THEN 365 * power(random(), 2) "
        "WHEN 'fading' THEN 365 * (1 - power(random(), 2)) "
        "WHEN 'lapsed' THEN 150 + 215 * random() ELSE 365 * random() END"
    )
    shape = "CASE p.profile " + " ".join(f"WHEN '{row[0]}' THEN '{row[3]}'" for row in PROFILES)
    return execute(
        f"""
        INSERT INTO {ActivityEvent._meta.db_table} (account_id, user_id, kind, object_type,
            object_id, occurred_at, is_support, pilot_ref, created_at)
        SELECT e.account_id, e.user_id, e.kind, '', '', e.at, e.support, NULL, e.at
        FROM (
            SELECT a.id AS account_id,
                CASE WHEN r.support THEN a.success_id
                     ELSE a.first_person + floor(power(random(), 2) * a.active_members)::bigint
                END AS user_id,
                CASE WHEN r.support THEN 'comment' ELSE {kind} END AS kind,
                now() - {days_ago} * interval '1 day' AS at, r.support
            FROM ({
            allocation_sql(source="scale_plan", weight="src.event_weight", total=str(count))
        }) a0
            JOIN (SELECT p.*, {shape} END AS shape FROM scale_plan p) a ON a.n = a0.n
            CROSS JOIN LATERAL generate_series(1, a0.share) g
            CROSS JOIN LATERAL (SELECT random() < 0.02 AS support, g AS k) r
        ) e
        """  # noqa: S608 (table names from the models; kinds from the demo's mix)
    )


def snapshots_build(progress: Progress, *, days: int = DAYS) -> None:
    """Today's snapshot of each new account by the engine, then the days before drawn along
    its profile (see the module's docstring)."""
    today = timezone.localdate()
    model = engagement_model_active()
    ids = list(Account.objects.filter(slug__startswith=SLUG_PREFIX).values_list("pk", flat=True))
    with progress.step("snapshots of today (the engine)") as rows:
        for chunk in chunks_of(ids):
            rows.append(engagement_snapshots_compute(account_ids=chunk, day=today, model=model))
    table = EngagementSnapshot._meta.db_table
    with progress.step(f"snapshots of {days - 1} days before") as rows, bulk_loading(table):
        rows.append(_history_insert(today, days, model))
    _today_since(today, today - dt.timedelta(days=days - 1))


# ±3 points of noise that holds for a fortnight (per account and block of 14 days, from a hash,
# so that it is the same on every day of the block): the engine's score moves slowly (it counts
# weeks of activity) and its levels change only after a hold, so a history whose noise were
# drawn each day would change level about five times as often as the demo's (docs/bench-scale.md).
_NOISE = (
    "6 * (('x' || substr(md5(s.account_id::text || ':' || (k / 14)::text), 1, 8))"
    "::bit(32)::bigint / 4294967296.0 - 0.5)"
)


def _history_insert(today: dt.date, days: int, model) -> int:
    """The days before today, with each day's level_since: the first day of the run of
    equal levels it is in (today's row is in the window, not written again)."""
    thresholds = model.thresholds
    level = (
        f"CASE WHEN h.score >= {thresholds[4]} THEN 'co_creating' "
        f"WHEN h.score >= {thresholds[3]} THEN 'contributing' "
        f"WHEN h.score >= {thresholds[2]} THEN 'participating' "
        f"WHEN h.score >= {thresholds[1]} THEN 'observing' ELSE 'dormant' END"
    )
    score = (
        "CASE p.profile "
        "WHEN 'rising' THEN s.score * (1 - 0.7 * k / 365.0) "
        "WHEN 'fading' THEN s.score + (75 - s.score) * k / 365.0 "
        "WHEN 'dormant' THEN CASE WHEN k < 150 THEN s.score "
        "    ELSE s.score + (40 - s.score) * least(1, (k - 150) / 60.0) END "
        "ELSE s.score END + " + _NOISE
    )
    table = EngagementSnapshot._meta.db_table
    return execute(
        f"""
        INSERT INTO {table} (account_id, day, score, level, level_since, activity, breadth,
            co_creation, model_version, created_at, computed_at)
        SELECT account_id, day, score, level,
            min(day) OVER (PARTITION BY account_id, run), activity, breadth, co_creation,
            version, now(), now()
        FROM (
            SELECT *, sum(changed) OVER (PARTITION BY account_id ORDER BY day) AS run
            FROM (
                SELECT *, (level IS DISTINCT FROM lag(level)
                    OVER (PARTITION BY account_id ORDER BY day))::int AS changed
                FROM (
                    SELECT h.account_id, h.day, h.score, {level} AS level,
                        least(1, h.activity * h.ratio) AS activity,
                        least(1, h.breadth * h.ratio) AS breadth, h.co_creation, h.version
                    FROM (
                        SELECT s.account_id, %(today)s::date - k AS day,
                            round(least(100, greatest(0, {score}))::numeric, 1) AS score,
                            s.activity, s.breadth, s.co_creation, s.model_version AS version,
                            CASE WHEN s.score > 0
                                 THEN greatest(0, {score}) / s.score::float8 ELSE 1 END AS ratio
                        FROM {table} s JOIN scale_plan p ON p.id = s.account_id
                        CROSS JOIN generate_series(1, %(days)s - 1) k
                        WHERE s.day = %(today)s
                    ) h
                    UNION ALL
                    SELECT s.account_id, s.day, s.score, s.level, s.activity, s.breadth,
                        s.co_creation, s.model_version
                    FROM {table} s JOIN scale_plan p ON p.id = s.account_id
                    WHERE s.day = %(today)s
                ) days
            ) changes
        ) runs
        WHERE day < %(today)s
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"today": today, "days": days},
    )


def _today_since(today: dt.date, first_day: dt.date) -> None:
    """Today's level_since (the engine's first computation says today): the day after the
    last earlier day at another level, or the history's first day."""
    table = EngagementSnapshot._meta.db_table
    execute(
        f"""
        UPDATE {table} t SET level_since = COALESCE(
            (SELECT max(h.day) + 1 FROM {table} h
             WHERE h.account_id = t.account_id AND h.day < t.day AND h.level <> t.level),
            %s)
        FROM scale_plan p WHERE p.id = t.account_id AND t.day = %s
        """,  # noqa: S608
        [first_day, today],
    )


def plan_drop() -> None:
    execute("DROP TABLE IF EXISTS scale_plan")
