"""Ideas like one being written: offered while a customer types a new idea ("vote for this
instead" of proposing it twice).

How alike two ideas are (docs/product.md, "Similar ideas"):

- **On PostgreSQL**, two signals added: the trigram word similarity of the typed title to an
  idea's title (pg_trgm, migration ideas 0004: catches the same words spelt or cut a little
  differently), and the full-text rank of the typed words, stemmed in English, against the
  idea's title (weight A) and the job it should do (weight B): catches the same words in
  another order or another form ("exporting" and "export"). An idea is offered when its score
  reaches SIMILAR_FLOOR.
- **Elsewhere** (SQLite, the demo without services), a plain fallback: the share of the typed
  words (their first five letters) found in the idea's title and job, over the viewer's
  ideas.

Only the viewer's visible ideas are compared (`ideas.access.visible_ideas`), merged ones left
out (their survivor is offered instead). Quality is measured on a labelled set of paraphrased
pairs in tests/ideas/test_similar_ideas.py (precision and recall, written in docs/product.md).
"""

from __future__ import annotations

import re

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
from ideas.access import visible_ideas
from ideas.models import Idea, IdeaStatus

SIMILAR_LIMIT = 5
SIMILAR_FLOOR = 0.35  # the score an idea needs to be offered (tuned on the labelled set)
FALLBACK_FLOOR = 0.5  # the share of typed words an idea needs on SQLite
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
    candidates = visible_ideas(user).exclude(status=IdeaStatus.MERGED).select_related("garden")
    if connection.vendor == "postgresql":
        return list(_scored_in_postgres(candidates, text=" ".join(words), words=words)[:limit])
    return _scored_in_python(candidates, words=words)[:limit]


def _scored_in_postgres(ideas: QuerySet[Idea], *, text: str, words: list[str]) -> QuerySet[Idea]:
    vector = SearchVector("title", weight="A", config="english") + SearchVector(
        "job_to_be_done", weight="B", config="english"
    )
    # Any typed word, stemmed: the words are letters and digits only, safe in a raw query.
    query = SearchQuery(" | ".join(words), search_type="raw", config="english")
    return (
        ideas.annotate(
            title_likeness=TrigramWordSimilarity(text, "title"),
            text_rank=Cast(SearchRank(vector, query), FloatField()),
        )
        .annotate(similarity=F("title_likeness") + F("text_rank"))
        .filter(similarity__gte=SIMILAR_FLOOR)
        .order_by("-similarity", "-pk")
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
