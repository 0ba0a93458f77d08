"""Realistic, deterministic demo accounts and people for `manage.py seed_demo`.

Everything is drawn from one `random.Random(seed)`, so the same arguments give the same data.
Rows are created in bulk (one password hash shared by every demo login), so 10,000+ accounts
seed in minutes for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import services
from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    MemberRole,
    Membership,
    Segment,
    TeamRole,
    Tier,
    User,
)

DEMO_PASSWORD = "garden-demo-2026"  # noqa: S105 (printed on purpose: demo data only)
INTERNAL_DOMAIN = "customergarden.example"

_PREFIXES = [
    "Nordwind",
    "Helio",
    "Bright",
    "Alder",
    "Cobalt",
    "Granite",
    "Harbor",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Northstar",
    "Orchard",
    "Pinecrest",
    "Quarry",
    "Riverbend",
    "Summit",
    "Tidewater",
    "Upland",
    "Vantage",
    "Willow",
    "Zephyr",
    "Atlas",
    "Beacon",
    "Cedar",
    "Delta",
    "Evergreen",
    "Foxglove",
    "Glacier",
    "Horizon",
    "Ironwood",
    "Kestrel",
    "Larch",
    "Marble",
    "Nimbus",
    "Oakridge",
    "Polaris",
    "Redwood",
    "Sable",
    "Trillium",
]
_SUFFIXES = [
    "Logistics",
    "Health",
    "Manufacturing",
    "Energy",
    "Foods",
    "Retail",
    "Insurance",
    "Analytics",
    "Pharma",
    "Mobility",
    "Utilities",
    "Textiles",
    "Robotics",
    "Materials",
    "Freight",
    "Bank",
    "Telecom",
    "Hospitality",
    "Aerospace",
    "Agritech",
]
_LEGAL = ["GmbH", "Ltd", "Inc.", "AG", "S.A.", "B.V.", "Oy", "AB", "plc", "LLC"]
_FIRST = [
    "Alice",
    "Ben",
    "Chloé",
    "Dario",
    "Elif",
    "Finn",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kaito",
    "Lena",
    "Mateo",
    "Nora",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Samir",
    "Tess",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Amara",
    "Bruno",
    "Carla",
    "Dev",
    "Emma",
    "Farid",
    "Hana",
    "Ivan",
    "Julia",
    "Liam",
    "Mei",
    "Noah",
    "Olga",
    "Pablo",
    "Sofia",
    "Tomás",
    "Valentina",
]
_LAST = [
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fischer",
    "García",
    "Hoffmann",
    "Ivanova",
    "Jansen",
    "Kowalski",
    "Larsen",
    "Müller",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umarov",
    "Virtanen",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Silva",
    "Novak",
    "Moreau",
    "Lindqvist",
    "Horvat",
    "Ferreira",
    "Brennan",
    "Aydin",
    "Kaur",
]
_TITLES = [
    "Operations lead",
    "Head of IT",
    "Procurement manager",
    "Product owner",
    "Data analyst",
    "Plant manager",
    "Customer service lead",
    "CFO",
    "Solutions architect",
    "Team lead",
    "Digital transformation manager",
    "Quality engineer",
    "Logistics planner",
]

# Segment mix, with a contract value range per segment (in the company's currency).
_SEGMENTS = [
    (Segment.ENTERPRISE, 0.25, (250_000, 1_800_000)),
    (Segment.MID_MARKET, 0.40, (60_000, 300_000)),
    (Segment.SMB, 0.25, (8_000, 60_000)),
    (Segment.PUBLIC_SECTOR, 0.10, (40_000, 500_000)),
]

# The internal team: (role, first, last, job title). The first of each role is a demo login.
_INTERNAL_TEAM = [
    (InternalRole.PROGRAMME_ADMIN, "Ada", "Lovelace", "Customer programme director"),
    (InternalRole.PRODUCT_MANAGER, "Pat", "Okoye", "Senior product manager"),
    (InternalRole.PRODUCT_MANAGER, "Raj", "Mehta", "Product manager, data services"),
    (InternalRole.PRODUCT_MANAGER, "Lucía", "Herrera", "Product manager, mobile"),
    (InternalRole.ACCOUNT_MANAGER, "Carol", "Jensen", "Key account manager"),
    (InternalRole.ACCOUNT_MANAGER, "Marco", "Bianchi", "Account manager"),
    (InternalRole.ACCOUNT_MANAGER, "Sven", "Holm", "Account manager"),
    (InternalRole.ACCOUNT_MANAGER, "Aisha", "Bello", "Account manager"),
    (InternalRole.ACCOUNT_MANAGER, "Tom", "Keller", "Account manager"),
    (InternalRole.ACCOUNT_MANAGER, "Yuki", "Sato", "Account manager"),
    (InternalRole.CUSTOMER_SUCCESS_MANAGER, "Dana", "Whitfield", "Customer success manager"),
    (InternalRole.CUSTOMER_SUCCESS_MANAGER, "Felix", "Braun", "Customer success manager"),
    (InternalRole.CUSTOMER_SUCCESS_MANAGER, "Grace", "Mwangi", "Customer success manager"),
    (InternalRole.CUSTOMER_SUCCESS_MANAGER, "Hiro", "Tanabe", "Customer success manager"),
]


@dataclass
class DemoPeople:
    accounts: list[Account]
    members_by_account: dict[int, list[int]] = field(default_factory=dict)  # account → user ids
    account_managers: list[User] = field(default_factory=list)
    success_managers: list[User] = field(default_factory=list)


def _company_names(rng: random.Random, count: int) -> list[str]:
    combos = [(p, s) for p in _PREFIXES for s in _SUFFIXES]
    rng.shuffle(combos)
    names = []
    for i in range(count):
        prefix, suffix = combos[i % len(combos)]
        legal = _LEGAL[rng.randrange(len(_LEGAL))]
        lap = i // len(combos)
        names.append(f"{prefix} {suffix} {legal}" + (f" {lap + 1}" if lap else ""))
    return names


def _pick_segment(rng: random.Random):
    roll, total = rng.random(), 0.0
    for segment, share, acv_range in _SEGMENTS:
        total += share
        if roll <= total:
            return segment, acv_range
    return _SEGMENTS[-1][0], _SEGMENTS[-1][2]


@transaction.atomic
def demo_people_create(
    *, rng: random.Random, accounts: int, members_per_account: float, today: dt.date
) -> DemoPeople:
    """Create the internal team, `accounts` customer accounts and their members."""
    password_hash = make_password(DEMO_PASSWORD)
    internal_by_role = _internal_team_create(password_hash)
    created = _accounts_create(rng, accounts, today=today)
    people = DemoPeople(accounts=created)
    for user_id, account in _members_create(rng, created, members_per_account, password_hash):
        people.members_by_account.setdefault(account.pk, []).append(user_id)
    people.account_managers = internal_by_role[InternalRole.ACCOUNT_MANAGER]
    people.success_managers = internal_by_role[InternalRole.CUSTOMER_SUCCESS_MANAGER]
    _account_teams_assign(created, people.account_managers, people.success_managers)
    return people


def _internal_team_create(password_hash: str) -> dict[str, list[User]]:
    """The internal team (`_INTERNAL_TEAM`) with the demo password; role → its people."""
    internal_by_role: dict[str, list[User]] = {}
    for role, first, last, title in _INTERNAL_TEAM:
        email = f"{slugify(first)}.{slugify(last)}@{INTERNAL_DOMAIN}"
        user = services.user_create_internal(
            email=email, role=role, first_name=first, last_name=last, job_title=title
        )
        User.objects.filter(pk=user.pk).update(password=password_hash)
        internal_by_role.setdefault(role, []).append(user)
    return internal_by_role


def _accounts_create(rng: random.Random, count: int, *, today: dt.date) -> list[Account]:
    """`count` customer accounts of every segment, with their contracts, in bulk."""
    names = _company_names(rng, count)
    new_accounts = []
    for name in names:
        segment, (low, high) = _pick_segment(rng)
        acv = Decimal(round(rng.uniform(low, high), -3))
        since = today - dt.timedelta(days=rng.randint(200, 365 * 9))
        # Renewal: on the contract's anniversary, spread over the coming year.
        renewal = today + dt.timedelta(days=rng.randint(7, 365))
        tier = (
            Tier.STRATEGIC
            if acv >= 600_000
            else Tier.GROWTH
            if rng.random() < 0.4
            else Tier.STANDARD
        )
        new_accounts.append(
            Account(
                name=name,
                slug=slugify(name),
                segment=segment,
                tier=tier,
                annual_contract_value=acv,
                customer_since=since,
                renewal_date=renewal,
            )
        )
    created = Account.objects.bulk_create(new_accounts, batch_size=2000)
    if created and created[0].pk is None:  # backends that return no ids
        created = list(Account.objects.filter(slug__in=[a.slug for a in new_accounts]))
    return created


def _members_create(
    rng: random.Random, accounts: list[Account], members_per_account: float, password_hash: str
) -> list[tuple[int, Account]]:
    """Members: a few per small account, more per enterprise; at least 2 per account, the first
    its admin. Returns (user id, account) in the order they were created."""
    users, owners, roles = [], [], []
    taken: set[str] = set()
    now = timezone.now()
    for account in accounts:
        scale = {
            Segment.ENTERPRISE: 1.6,
            Segment.PUBLIC_SECTOR: 1.1,
            Segment.MID_MARKET: 0.9,
            Segment.SMB: 0.5,
        }[account.segment]
        count = max(2, round(rng.gauss(members_per_account * scale, 1.5)))
        for i in range(count):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            local, domain = f"{slugify(first)}.{slugify(last)}", f"{account.slug[:40]}.example"
            email, n = f"{local}@{domain}", 2
            while email in taken:
                email, n = f"{local}{n}@{domain}", n + 1
            taken.add(email)
            joined = now - dt.timedelta(days=rng.randint(5, 700))
            users.append(
                User(
                    email=email,
                    first_name=first,
                    last_name=last,
                    job_title=rng.choice(_TITLES),
                    password=password_hash,
                    date_joined=joined,
                )
            )
            owners.append(account)
            roles.append(MemberRole.ADMIN if i == 0 else MemberRole.MEMBER)
    created_users = User.objects.bulk_create(users, batch_size=2000)
    if created_users and created_users[0].pk is None:
        by_email = dict(
            User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk")
        )
        for user in created_users:
            user.pk = by_email[user.email]
    Membership.objects.bulk_create(
        [
            # a member since they joined: they count in the account's breadth from then on
            Membership(user_id=u.pk, account=a, role=r, created_at=u.date_joined)
            for u, a, r in zip(created_users, owners, roles, strict=True)
        ],
        batch_size=2000,
    )
    return [(user.pk, account) for user, account in zip(created_users, owners, strict=True)]


def _account_teams_assign(
    accounts: list[Account], managers: list[User], success_managers: list[User]
) -> None:
    """Account teams: an account manager for every account, a success manager for most."""
    assignments = []
    for i, account in enumerate(accounts):
        assignments.append(
            AccountTeamAssignment(
                user=managers[i % len(managers)], account=account, role=TeamRole.ACCOUNT_MANAGER
            )
        )
        if account.segment != Segment.SMB or i % 3 == 0:
            assignments.append(
                AccountTeamAssignment(
                    user=success_managers[i % len(success_managers)],
                    account=account,
                    role=TeamRole.CUSTOMER_SUCCESS_MANAGER,
                )
            )
    AccountTeamAssignment.objects.bulk_create(assignments, batch_size=2000)
