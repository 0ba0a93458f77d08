"""Accounts and their people for a benchmark, set-based in PostgreSQL (generate_series): the
engagement benchmark's and the fan-out benchmark's, which differ only in names and sizes."""

from __future__ import annotations

from accounts.models import Account, Membership, User


def bench_people_insert(
    cursor,
    *,
    accounts: int,
    people: int,
    per_account: int,
    slug_prefix: str,
    account_name: str,
    email_local: str,
    email_domain: str,
    joined: str = "now()",
) -> None:
    """Accounts `<slug_prefix>1…accounts` named "<account_name> n", people
    `<email_local>1…people<email_domain>` (no usable password), and the n-th person (in id order)
    a member of account n / `per_account` since `joined` (an SQL expression)."""
    account, user = Account._meta.db_table, User._meta.db_table
    membership = Membership._meta.db_table
    cursor.execute(
        f"""
        INSERT INTO {account} (created_at, updated_at, name, slug, segment, tier,
            annual_contract_value, currency)
        SELECT now(), now(), '{account_name} ' || g, '{slug_prefix}' || g, 'mid_market',
            'standard', 100000, 'EUR'
        FROM generate_series(1, %s) g
        """,  # noqa: S608 (table names from the models, names from the caller's constants)
        [accounts],
    )
    cursor.execute(
        f"""
        INSERT INTO {user} (password, is_superuser, email, first_name, last_name,
            job_title, is_staff, is_active, date_joined, updated_at, sessions_generation)
        SELECT '!', false, '{email_local}' || g || '{email_domain}', '', '', '', false, true,
            now(), now(), 0
        FROM generate_series(1, %s) g
        """,  # noqa: S608 (table names from the models, names from the caller's constants)
        [people],
    )
    cursor.execute(
        f"""
        INSERT INTO {membership} (created_at, updated_at, role, account_id, user_id)
        SELECT {joined}, now(), 'member', a.id, u.id
        FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {user}
              WHERE email LIKE '{email_local}%%{email_domain}') u
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {account}
              WHERE slug LIKE '{slug_prefix}%%') a ON a.n = u.n / %s
        """,  # noqa: S608 (table names from the models, names from the caller's constants)
        [per_account],
    )
