"""The full-size data set's gardens, discussions, ideas (votes, comments) and notifications,
set-based in PostgreSQL after the people (demo/benchmarks/scale_people.py, whose temporary
`scale_plan` table names the new accounts and their people).

Texts are the demo's own, taken in turn from the rows `seed_demo` wrote (a garden's charter,
a post's body, an idea's proposal, a notification's title and link), numbered where a name
must be unique. People act only where the app would let them: posts, ideas, votes and
comments are by members of the garden, a new account joins one garden (invite-only gardens
with an accepted invitation), votes are one per person and idea, and a thread's post count
and last post are its posts'.
"""

from __future__ import annotations

from accounts.models import User
from community.models import (
    Garden,
    GardenAccount,
    GardenMembership,
    GardenVisibility,
    Notification,
    Post,
    Thread,
)
from demo.benchmarks.scale_sql import (
    DAYS,
    POSTS_PER_THREAD,
    Progress,
    allocation_sql,
    bulk_loading,
    execute,
    ids_settle,
    next_id,
)
from ideas.models import Comment, Idea, IdeaStatus, Vote

_MEMBERS_JOINING = 3  # the first people of each new account join its garden


def gardens_build(progress: Progress, *, gardens: int) -> None:
    """Gardens up to `gardens` (copies of the demo's), each new account in one of them."""
    with progress.step("gardens") as rows:
        rows.append(_gardens_insert(max(0, gardens - Garden.objects.count())))
    with progress.step("garden accounts and members") as rows:
        rows.append(_garden_members_insert())


def _gardens_insert(count: int) -> int:
    table = Garden._meta.db_table
    written = execute(
        f"""
        INSERT INTO {table} (created_at, updated_at, name, slug, theme, custom_theme,
            description, visibility, charter, created_by_id, shows_other_members)
        SELECT now() - interval '380 days', now(), t.name || ' ' || (g + 1),
            t.slug || '-' || (g + 1), t.theme, t.custom_theme, t.description, t.visibility,
            t.charter, t.created_by_id, t.shows_other_members
        FROM generate_series(1, %(count)s) g
        JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS k,
                  count(*) OVER () AS templates FROM {table}) t
            ON t.k = g %% t.templates
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"count": count},
    )
    ids_settle(table)
    return written


def _garden_members_insert() -> int:
    """scale_garden: each new account's garden (in turn over all gardens); its first people
    join, an invite-only garden's with the account's accepted invitation."""
    garden = Garden._meta.db_table
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_garden AS
        SELECT p.id AS account_id, p.first_person, p.members, g.id AS garden_id, g.visibility,
            g.created_by_id
        FROM scale_plan p
        JOIN (SELECT id, visibility, created_by_id, row_number() OVER (ORDER BY id) - 1 AS k,
                  count(*) OVER () AS gardens FROM {garden}) g
            ON g.k = (p.n * 13) %% g.gardens
        """  # noqa: S608
    )
    invited = execute(
        f"""
        INSERT INTO {GardenAccount._meta.db_table} (created_at, updated_at, status,
            responded_at, account_id, garden_id, invited_by_id, responded_by_id)
        SELECT now() - interval '300 days', now(), 'accepted', now() - interval '299 days',
            account_id, garden_id, created_by_id, first_person
        FROM scale_garden WHERE visibility = '{GardenVisibility.INVITE_ONLY.value}'
        """  # noqa: S608
    )
    joined = execute(
        f"""
        INSERT INTO {GardenMembership._meta.db_table} (joined_at, account_id, garden_id, user_id)
        SELECT now() - interval '298 days', s.account_id, s.garden_id, s.first_person + j
        FROM scale_garden s
        CROSS JOIN LATERAL generate_series(0, least(s.members, {_MEMBERS_JOINING}) - 1) j
        """  # noqa: S608
    )
    # Every garden's customer members, numbered per garden: who posts, proposes and votes.
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_voice AS
        SELECT m.garden_id, m.user_id, m.account_id,
            row_number() OVER (PARTITION BY m.garden_id ORDER BY m.user_id) - 1 AS k,
            count(*) OVER (PARTITION BY m.garden_id) AS voices
        FROM {GardenMembership._meta.db_table} m
        """  # noqa: S608
    )
    execute("CREATE UNIQUE INDEX ON scale_voice (garden_id, k)")
    execute("ANALYZE scale_voice")
    return invited + joined


def discussions_build(progress: Progress, *, posts: int) -> None:
    """Posts up to `posts`, in new threads of about POSTS_PER_THREAD posts (skewed)."""
    count = max(0, posts - Post.objects.count())
    threads = -(-count // POSTS_PER_THREAD)
    with progress.step("threads") as rows:
        rows.append(_threads_insert(threads))
    with progress.step("posts") as rows, bulk_loading(Post._meta.db_table):
        rows.append(_posts_insert(count))
        _threads_settle()


def _threads_insert(count: int) -> int:
    """New threads in gardens that have members, each by one of them; `scale_thread` numbers
    them with their share of the posts."""
    table = Thread._meta.db_table
    first = next_id(table)
    written = execute(
        f"""
        INSERT INTO {table} (id, created_at, updated_at, title, last_post_at, post_count,
            account_id, author_id, garden_id)
        SELECT %(first)s + x.g - 1, x.at, x.at, t.title || ' (' || x.g || ')', x.at, 0,
            v.account_id, v.user_id, v.garden_id
        FROM (SELECT g, now() - random() * interval '{DAYS} days' AS at,
                  random() AS pick, random() AS who
              FROM generate_series(1, %(count)s) g) x
        JOIN (SELECT left(title, 180) AS title, row_number() OVER (ORDER BY id) - 1 AS k,
                  count(*) OVER () AS threads FROM {table}) t ON t.k = x.g %% t.threads
        JOIN (SELECT garden_id, row_number() OVER (ORDER BY garden_id) - 1 AS k,
                  count(*) OVER () AS gardens, max(voices) AS voices
              FROM scale_voice GROUP BY garden_id) gd
            ON gd.k = floor(x.pick * gd.gardens)
        JOIN scale_voice v ON v.garden_id = gd.garden_id AND v.k = floor(x.who * gd.voices)
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"first": first, "count": count},
    )
    ids_settle(table)
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_thread AS
        SELECT id - %s + 1 AS n, id, garden_id, created_at,
            power(1 - random(), -1.0) AS weight
        FROM {table} WHERE id >= %s
        """,  # noqa: S608
        [first, first],
    )
    return written


def _posts_insert(count: int) -> int:
    table = Post._meta.db_table
    return execute(
        f"""
        INSERT INTO {table} (created_at, updated_at, body, hidden_reason, account_id,
            author_id, thread_id)
        SELECT p.at, p.at, b.body, '', v.account_id, v.user_id, t.id
        FROM ({allocation_sql(source="scale_thread", weight="src.weight", total=str(count))}) t
        CROSS JOIN LATERAL generate_series(1, t.share) j
        CROSS JOIN LATERAL (SELECT least(now(), t.created_at + j * interval '5 hours') AS at,
            random() AS who) p
        JOIN (SELECT garden_id, max(voices) AS voices FROM scale_voice GROUP BY garden_id) gd
            ON gd.garden_id = t.garden_id
        JOIN scale_voice v ON v.garden_id = t.garden_id AND v.k = floor(p.who * gd.voices)
        JOIN (SELECT body, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS bodies
              FROM {table} WHERE account_id IS NOT NULL) b ON b.k = (t.n + j) %% b.bodies
        """  # noqa: S608 (table names from the models; values are parameters)
    )


def _threads_settle() -> None:
    """The new threads' post count and last post, from their posts."""
    table, post = Thread._meta.db_table, Post._meta.db_table
    execute(
        f"""
        UPDATE {table} t SET post_count = p.posts, last_post_at = p.last_at,
            updated_at = p.last_at
        FROM (SELECT thread_id, count(*) AS posts, max(created_at) AS last_at FROM {post}
              WHERE thread_id IN (SELECT id FROM scale_thread) GROUP BY thread_id) p
        WHERE t.id = p.thread_id
        """  # noqa: S608
    )


def ideas_build(progress: Progress, *, ideas: int, votes: int, comments: int) -> None:
    """Ideas up to `ideas` by garden members, then votes and comments up to their totals,
    skewed over the new ideas (a few popular, most with a handful)."""
    count = max(0, ideas - Idea.objects.count())
    with progress.step("ideas") as rows:
        rows.append(_ideas_insert(count))
    if not count:
        return
    with progress.step("votes") as rows, bulk_loading(Vote._meta.db_table):
        rows.append(_votes_insert(max(0, votes - Vote.objects.count())))
    with progress.step("idea comments") as rows, bulk_loading(Comment._meta.db_table):
        rows.append(_comments_insert(max(0, comments - Comment.objects.count())))


def _ideas_insert(count: int) -> int:
    table = Idea._meta.db_table
    statuses = [s.value for s in IdeaStatus if s != IdeaStatus.MERGED]
    first = next_id(table)
    written = execute(
        f"""
        INSERT INTO {table} (id, created_at, updated_at, title, job_to_be_done, proposal,
            links, status, author_id, author_account_id, garden_id)
        SELECT %(first)s + x.g - 1, x.at, x.at, left(t.title, 180) || ' (' || x.g || ')',
            t.job_to_be_done, t.proposal, t.links, (%(statuses)s::text[])[1 + x.g %% %(n)s],
            v.user_id, v.account_id, v.garden_id
        FROM (SELECT g, now() - random() * interval '{DAYS} days' AS at, random() AS pick,
                  random() AS who FROM generate_series(1, %(count)s) g) x
        JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS ideas
              FROM {table}) t ON t.k = x.g %% t.ideas
        JOIN (SELECT garden_id, row_number() OVER (ORDER BY garden_id) - 1 AS k,
                  count(*) OVER () AS gardens, max(voices) AS voices
              FROM scale_voice GROUP BY garden_id) gd ON gd.k = floor(x.pick * gd.gardens)
        JOIN scale_voice v ON v.garden_id = gd.garden_id AND v.k = floor(x.who * gd.voices)
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"first": first, "count": count, "statuses": statuses, "n": len(statuses)},
    )
    ids_settle(table)
    execute(
        f"""
        CREATE TEMPORARY TABLE scale_idea AS
        SELECT id - %s + 1 AS n, id, garden_id, created_at, power(1 - random(), -1.2) AS weight
        FROM {table} WHERE id >= %s
        """,  # noqa: S608
        [first, first],
    )
    return written


def _votes_insert(count: int) -> int:
    """Votes by distinct members of the idea's garden (consecutive numbers from a random
    start), at most one each: an idea gets its share of what is left, up to the members it
    has not had a vote from; what a full idea could not take goes round again."""
    execute(
        """
        ALTER TABLE scale_idea ADD COLUMN voices bigint, ADD COLUMN start bigint,
            ADD COLUMN given bigint NOT NULL DEFAULT 0
        """
    )
    execute(
        """
        UPDATE scale_idea i SET voices = v.voices, start = floor(random() * v.voices)
        FROM (SELECT garden_id, max(voices) AS voices FROM scale_voice GROUP BY garden_id) v
        WHERE v.garden_id = i.garden_id
        """
    )
    written = 0
    for _ in range(5):  # rounds; the first places nearly all
        left = count - written
        if left <= 0:
            break
        execute("DROP TABLE IF EXISTS scale_vote_round")
        execute(
            f"""
            CREATE TEMPORARY TABLE scale_vote_round AS
            SELECT n, id, least(share, voices - given) AS share FROM ({
                allocation_sql(
                    source="(SELECT * FROM scale_idea WHERE given < voices)",
                    weight="src.weight",
                    total=str(left),
                )
            }) a
            """  # noqa: S608
        )
        placed = execute(
            f"""
            INSERT INTO {Vote._meta.db_table} (created_at, account_id, idea_id, user_id)
            SELECT i.created_at + random() * (now() - i.created_at), v.account_id, i.id,
                v.user_id
            FROM scale_vote_round r JOIN scale_idea i ON i.n = r.n
            CROSS JOIN LATERAL generate_series(i.given, i.given + r.share - 1) j
            JOIN scale_voice v ON v.garden_id = i.garden_id
                AND v.k = (i.start + j) %% i.voices
            """  # noqa: S608 (table names from the models)
        )
        execute(
            "UPDATE scale_idea i SET given = i.given + r.share FROM scale_vote_round r "
            "WHERE r.n = i.n"
        )
        written += placed
        if not placed:
            break
    execute("DROP TABLE IF EXISTS scale_vote_round")
    return written


def _comments_insert(count: int) -> int:
    table = Comment._meta.db_table
    return execute(
        f"""
        INSERT INTO {table} (created_at, updated_at, body, author_id, idea_id)
        SELECT c.at, c.at, b.body, v.user_id, i.id
        FROM ({allocation_sql(source="scale_idea", weight="src.weight", total=str(count))}) i
        CROSS JOIN LATERAL generate_series(1, i.share) j
        CROSS JOIN LATERAL (SELECT i.created_at + random() * (now() - i.created_at) AS at,
            random() AS who) c
        JOIN (SELECT garden_id, max(voices) AS voices FROM scale_voice GROUP BY garden_id) gd
            ON gd.garden_id = i.garden_id
        JOIN scale_voice v ON v.garden_id = i.garden_id AND v.k = floor(c.who * gd.voices)
        JOIN (SELECT body, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS bodies
              FROM {table}) b ON b.k = (i.n + j) %% b.bodies
        """  # noqa: S608 (table names from the models)
    )


def notifications_build(progress: Progress, *, notifications: int) -> None:
    """Notifications up to `notifications`, to the new people (skewed: a few get many), each a
    copy of one of the demo's, over the last 90 days; those older than two weeks mostly read."""
    count = max(0, notifications - Notification.objects.count())
    table = Notification._meta.db_table
    with progress.step("notifications") as rows, bulk_loading(table):
        rows.append(_notifications_insert(count))


def _notifications_insert(count: int) -> int:
    table = Notification._meta.db_table
    user = User._meta.db_table
    return execute(
        f"""
        INSERT INTO {table} (kind, title, body, url, created_at, read_at, emailed_at, user_id,
            email_claimed_at, email_delivery, digest_id, email_error, email_failed_at,
            actor_id, actor_account_id, garden_id, names_actor)
        SELECT t.kind, t.title, t.body, t.url, x.at,
            CASE WHEN x.at < now() - interval '14 days' AND random() < 0.8
                 THEN x.at + interval '1 day' END,
            CASE WHEN t.emailed_at IS NOT NULL THEN x.at END,
            x.first + floor(power(x.who, 3) * x.people)::bigint,
            NULL, t.email_delivery, NULL, '', NULL, t.actor_id, t.actor_account_id,
            t.garden_id, t.names_actor
        FROM (SELECT g, now() - random() * interval '90 days' AS at, random() AS who,
                  (SELECT min(first_person) FROM scale_plan) AS first,
                  (SELECT sum(members) FROM scale_plan) AS people
              FROM generate_series(1, %(count)s) g) x
        JOIN (SELECT n.*, row_number() OVER (ORDER BY n.id) - 1 AS k,
                  count(*) OVER () AS templates
              FROM {table} n JOIN {user} u ON u.id = n.user_id
              WHERE n.digest_id IS NULL) t ON t.k = x.g %% t.templates
        """,  # noqa: S608 (table names from the models; values are parameters)
        {"count": count},
    )


def content_plan_drop() -> None:
    for table in ("scale_garden", "scale_voice", "scale_thread", "scale_idea"):
        execute(f"DROP TABLE IF EXISTS {table}")
