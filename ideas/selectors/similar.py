"""Ideas like one being written: offered while a customer types a new idea ("vote for this
instead" of proposing it twice).

How alike two ideas are (docs/product.md, "Similar ideas"):

- **On PostgreSQL**, two signals added: the trigram word similarity of the typed title to an
  idea's title (pg_trgm, migration ideas 0004: catches the same words spelt or cut a little
  differently), and the full-text rank of the typed words, stemmed in English, against the
  idea's title (weight A) and the job it should do (weight B): catches the same words in
  another order or another form ("exporting" and "export"). An idea is offered when its score
  reaches SIMILAR_FLOOR and SIMILAR_SHARE_OF_BEST of the best idea's score (one shared word,
  "mode", does not bring every "… mode" idea along with the one meant).
- **Elsewhere** (SQLite, the demo without services), a plain fallback: the share of the typed
  words (their first five letters) found in the idea's title and job, over the viewer's
  ideas, from FALLBACK_FLOOR and, as above, SIMILAR_SHARE_OF_BEST of the best.

Only the viewer's visible ideas are compared (`ideas.access.visible_ideas`), merged ones left
out (their survivor is offered instead). Quality is measured on a labelled set of paraphrased
pairs in tests/ideas/test_similar_ideas.py (precision and recall, written in docs/product.md).

**Likely duplicates** (`likely_duplicates`, the product managers' queue): each idea awaiting a
decision (proposed or under review) paired with the most alike *older* open idea, when their
titles are trigram-similar (pg_trgm's `%`; the nearest found through the trigram GiST index of
migration ideas 0006, one probe per idea awaiting a decision), most alike first; on SQLite,
titles sharing at least DUPLICATE_SHARE of their words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, FloatField, QuerySet
from django.db.models.functions import Cast

from accounts.models import User
from community.models import Garden
from config.sql_once import SqlOnce
from config.sql_prepared import preparing
from ideas.access import customer_ideas, internal_ideas, visible_ideas, visible_ideas_rule
from ideas.models import Idea, IdeaStatus

SIMILAR_LIMIT = 5
SIMILAR_FLOOR = 0.5  # the score an idea needs to be offered (tuned on the labelled set)
SIMILAR_SHARE_OF_BEST = 0.6  # and this share of the best idea's score
FALLBACK_FLOOR = 0.5  # the share of typed words an idea needs on SQLite
DUPLICATE_LIMIT = 50  # pairs in the queue
DUPLICATE_SHARE = 0.6  # on SQLite: the share of words two titles must share
# Ideas still open to a merge: not merged, withdrawn or declined.
_CLOSED = (IdeaStatus.MERGED, IdeaStatus.WITHDRAWN, IdeaStatus.DECLINED)
_WORD = re.compile(r"[a-z0-9]+")
# Words too common in ideas to say anything about what one is.
_STOP = frozenset(
    "a an and as at be by can for from in into is it of on or our the their this to we with "
    "when where which who will you your all any more new".split()
)


def typed_words(text: str) -> list[str]:
    """The words of `text` that say something: lower case, letters and digits only, at least
    three characters, common words left out, each once, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= 3 and word not in _STOP:
            seen.setdefault(word, None)
    return list(seen)


def similar_ideas(*, user: User, text: str, limit: int = SIMILAR_LIMIT) -> list[Idea]:
    """Up to `limit` ideas visible to `user` most like `text` (a new idea's title, perhaps
    with its job), most alike first; none when `text` has no telling word."""
    words = typed_words(text)
    if not words:
        return []
    if connection.vendor == "postgresql":
        scored = _similar_in_postgres(
            user, text=" ".join(words), query=" | ".join(words), limit=limit
        )
    else:
        scored = _scored_in_python(_candidates(visible_ideas(user)), words=words)[:limit]
    return [i for i in scored if i.similarity >= SIMILAR_SHARE_OF_BEST * scored[0].similarity]


def _candidates(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """The ideas that may be offered among `ideas`: not merged (their survivor is)."""
    return ideas.exclude(status=IdeaStatus.MERGED).select_related("garden")


def _similar_in_postgres(user: User, *, text: str, query: str, limit: int) -> list[Idea]:
    """The `limit` ideas visible to `user` most like `text` and its words as a full-text
    `query`, from SIMILAR_FLOOR: their SQL kept per branch of the access rule (config.sql_once:
    asked as a new idea is typed), else written by the ORM."""
    rule = visible_ideas_rule(user)
    if rule is None:
        ideas = _candidates(visible_ideas(user))
        return list(_scored_in_postgres(ideas, text=text, query=query)[:limit])
    branch, account_id = rule
    if branch == "customer":
        return _kept_similar(branch, limit).all(account_id=account_id, text=text, query=query)
    return _kept_similar(branch, limit).all(text=text, query=query)


def _scored_in_postgres(ideas: QuerySet[Idea], *, text: str, query: str) -> QuerySet[Idea]:
    vector = SearchVector("title", weight="A", config="english") + SearchVector(
        "job_to_be_done", weight="B", config="english"
    )
    # Any typed word, stemmed: the words are letters and digits only, safe in a raw query.
    words = SearchQuery(query, search_type="raw", config="english")
    return (
        ideas.annotate(
            title_likeness=TrigramWordSimilarity(text, "title"),
            text_rank=Cast(SearchRank(vector, words), FloatField()),
        )
        .annotate(similarity=F("title_likeness") + F("text_rank"))
        .filter(similarity__gte=SIMILAR_FLOOR)
        .order_by("-similarity", "-pk")
    )


@cache
def _kept_similar(branch: str, limit: int) -> SqlOnce:
    """`_scored_in_postgres` of the ideas of a branch of the access rule, `limit` of them."""
    if branch == "customer":
        return SqlOnce(
            Idea,
            lambda account_id, text, query: _scored_in_postgres(
                _candidates(customer_ideas(account_id)), text=text, query=query
            )[:limit],
            account_id=int,
            text=str,
            query=str,
        )
    return SqlOnce(
        Idea,
        lambda text, query: _scored_in_postgres(
            _candidates(internal_ideas()), text=text, query=query
        )[:limit],
        text=str,
        query=str,
    )


def _scored_in_python(ideas: QuerySet[Idea], *, words: list[str]) -> list[Idea]:
    stems = {word[:5] for word in words}
    scored = []
    for idea in ideas.only("pk", "title", "job_to_be_done", "status", "garden__name"):
        theirs = {word[:5] for word in typed_words(f"{idea.title} {idea.job_to_be_done}")}
        idea.similarity = len(stems & theirs) / len(stems)
        if idea.similarity >= FALLBACK_FLOOR:
            scored.append(idea)
    scored.sort(key=lambda idea: (-idea.similarity, -idea.pk))
    return scored


# --- Likely duplicates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePair:
    """`newer` looks like `older` (`likeness` 0 to 1): merging the newer into the older keeps
    the idea that came first."""

    newer: Idea
    older: Idea
    likeness: float


# The newer idea of a pair is one still awaiting a decision: triage is where a duplicate is
# merged (an idea already planned, piloted or decided is not folded into another).
_AWAITING = (IdeaStatus.PROPOSED, IdeaStatus.UNDER_REVIEW)
# What a pair shows of each of its ideas (the queue's page and the API's DuplicatePairSerializer),
# read with the pair: the idea's columns in the model's order (as `Model.from_db` takes them),
# then its garden's. The other columns stay deferred.
_PAIRED_IDEA = tuple(
    f.attname
    for f in Idea._meta.concrete_fields
    if f.attname in {"id", "created_at", "garden_id", "title", "status"}
)
_PAIRED_GARDEN = ("id", "name", "slug")


def _paired_columns(idea: str, garden: str) -> str:
    return ", ".join(
        [*(f"{idea}.{c}" for c in _PAIRED_IDEA), *(f"{garden}.{c}" for c in _PAIRED_GARDEN[1:])]
    )


def _pairs_sql(*, open_older: str, awaiting: str, before: str = "") -> str:
    """Each idea awaiting a decision (`awaiting`, a condition on `newer`) with its nearest older
    open idea (`open_older`, a condition on `candidate`): pg_trgm's distance `<->`, one minus
    the similarity, walked in the order of the trigram GiST index of migration ideas 0006; kept
    when the two titles are trigram-similar (`%`: beyond pg_trgm.similarity_threshold, 0.3).
    One probe of the index per idea awaiting a decision, however many ideas there are; the two
    ideas of a pair and their gardens read with it. (`%` inside the walk would change which of
    equally alike older ideas is found.)"""
    return f"""{before}SELECT similarity(newer.title, older.title) AS likeness,
    {_paired_columns("newer", "newer_garden")}, {_paired_columns("older", "older_garden")}
FROM ideas_idea newer
CROSS JOIN LATERAL (
    SELECT {", ".join(f"candidate.{c}" for c in _PAIRED_IDEA)} FROM ideas_idea candidate
    WHERE candidate.id < newer.id AND {open_older}
    ORDER BY candidate.title <-> newer.title
    LIMIT 1
) older
JOIN community_garden newer_garden ON newer_garden.id = newer.garden_id
JOIN community_garden older_garden ON older_garden.id = older.garden_id
WHERE {awaiting} AND newer.title %% older.title
ORDER BY likeness DESC, newer.id DESC
LIMIT %s
"""  # noqa: S608 (column names of our own models, no value)


# The pairs among open ideas given by id, then those awaiting a decision, and the limit. Not
# prepared: the server's generic plan of this walk sorts every older idea by distance instead
# (twice the work of planning it each time).
_PAIRS_OF_IDS_SQL = _pairs_sql(
    open_older="candidate.id = ANY(%s::bigint[])", awaiting="newer.id = ANY(%s::bigint[])"
)
# An active internal user's (a moderator's) pairs: the open ideas they see read in the same
# statement (internal_ideas, its SQL written by the ORM once per database), prepared on the
# server (config.sql_prepared), whose generic plan walks the index as each planned one does.
_internal_pairs: dict[str, tuple[str, tuple]] = {}


def _internal_pairs_sql() -> tuple[str, tuple]:
    """(SQL, parameters before the statuses awaiting a decision and the limit)."""
    found = _internal_pairs.get(connection.alias)
    if found is None:
        visible = _statuses(internal_ideas()).query.get_compiler(connection=connection)
        sql, params = visible.as_sql()
        found = _internal_pairs[connection.alias] = (
            _pairs_sql(
                before=f"WITH open_idea AS MATERIALIZED ({sql})\n",
                open_older="candidate.id IN (SELECT pk FROM open_idea)",
                awaiting="newer.id IN (SELECT pk FROM open_idea WHERE status IN (%s, %s))",
            ),
            tuple(params),
        )
    return found


def likely_duplicates(*, user: User, limit: int = DUPLICATE_LIMIT) -> list[DuplicatePair]:
    """Pairs of ideas visible to `user`, most alike first: each idea awaiting a decision with
    the most alike older open idea, when their titles are alike."""
    if connection.vendor != "postgresql":
        return _duplicates_in_python(_open(visible_ideas(user)))[:limit]
    if visible_ideas_rule(user) == ("internal", None):
        sql, params = _internal_pairs_sql()
        prepared = preparing(connection) if settings.PREPARE_KEPT_SQL else connection
        with prepared.cursor() as cursor:
            cursor.execute(sql, [*params, *_AWAITING, limit])
            rows = cursor.fetchall()
    else:
        status_of = dict(_open_statuses(user))
        awaiting = [pk for pk, status in status_of.items() if status in _AWAITING]
        with connection.cursor() as cursor:
            cursor.execute(_PAIRS_OF_IDS_SQL, [list(status_of), awaiting, limit])
            rows = cursor.fetchall()
    ideas: dict[int, Idea] = {}
    width = len(_PAIRED_IDEA) + len(_PAIRED_GARDEN) - 1
    return [
        DuplicatePair(
            _paired_idea(row[1 : 1 + width], ideas),
            _paired_idea(row[1 + width :], ideas),
            row[0],
        )
        for row in rows
    ]


def _paired_idea(values: tuple, ideas: dict[int, Idea]) -> Idea:
    """An idea of a pair (`_PAIRED_IDEA`'s columns, then its garden's), as the ORM would have
    read it with `only` and `select_related("garden")`: one instance per idea."""
    idea = ideas.get(values[0])
    if idea is None:
        own = len(_PAIRED_IDEA)
        idea = ideas[values[0]] = Idea.from_db(connection.alias, _PAIRED_IDEA, values[:own])
        garden = (idea.garden_id, *values[own:])
        Idea.garden.field.set_cached_value(
            idea, Garden.from_db(connection.alias, _PAIRED_GARDEN, garden)
        )
    return idea


def _open(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    """The ideas still open to a merge among `ideas`."""
    return ideas.exclude(status__in=_CLOSED)


def _statuses(ideas: QuerySet[Idea]) -> QuerySet[Idea]:
    return _open(ideas).order_by().values_list("pk", "status")


def _open_statuses(user: User) -> list[tuple[int, str]]:
    """(id, status) of the open ideas `user` sees: the SQL kept per branch of the access rule
    (config.sql_once), else written by the ORM."""
    rule = visible_ideas_rule(user)
    if rule is None:
        return list(_statuses(visible_ideas(user)))
    branch, account_id = rule
    if branch == "customer":
        return _CUSTOMER_OPEN_STATUSES.all(account_id=account_id)
    return _INTERNAL_OPEN_STATUSES.all()


_CUSTOMER_OPEN_STATUSES = SqlOnce(
    Idea, lambda account_id: _statuses(customer_ideas(account_id)), account_id=int
)
_INTERNAL_OPEN_STATUSES = SqlOnce(Idea, lambda: _statuses(internal_ideas()))


def _duplicates_in_python(ideas: QuerySet[Idea]) -> list[DuplicatePair]:
    ideas = list(ideas.select_related("garden").order_by("pk"))
    words = {idea.pk: {word[:5] for word in typed_words(idea.title)} for idea in ideas}
    pairs = []
    for index, newer in enumerate(ideas):
        if newer.status not in _AWAITING:
            continue
        best: tuple[float, Idea] | None = None
        for older in ideas[:index]:
            shared = words[newer.pk] & words[older.pk]
            both = words[newer.pk] | words[older.pk]
            likeness = len(shared) / len(both) if both else 0.0
            if likeness >= DUPLICATE_SHARE and (best is None or likeness > best[0]):
                best = (likeness, older)
        if best:
            pairs.append(DuplicatePair(newer, best[1], best[0]))
    pairs.sort(key=lambda pair: (-pair.likeness, -pair.newer.pk))
    return pairs
