"""Reads of ideas: lists with their support, the pipeline board, a garden's ideas, an idea page.

Support is counted in the database, per idea, by correlated subqueries: a page of 25 ideas
counts the votes of those 25 only, a board sorted by support counts every idea once, and no
query grows with the number of ideas or votes. The list page's count and rows keep their SQL
per shape of the list (`idea_list_page`, config.sql_once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import Exact
from django.urls import reverse

from accounts.models import Account, User
from community.models import Garden
from community.selectors.activity_objects import ObjectName, digit_ids
from config.sql_once import SqlOnce, int_parameter
from ideas import workflow
from ideas.access import customer_ideas, internal_ideas, visible_ideas, visible_ideas_rule
from ideas.models import Idea, IdeaStatus, Vote

# How lists and the board may be sorted: name → ordering. "value" (support weighted by the
# annual contract value of the supporting accounts) is internal: only the board offers it.
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created_at", "-pk"),
    "people": ("-supporters", "-supporting_accounts", "-created_at", "-pk"),
    "accounts": ("-supporting_accounts", "-supporters", "-created_at", "-pk"),
    "value": ("-support_value", "-supporting_accounts", "-supporters", "-created_at", "-pk"),
}
LIST_SORTS = ("newest", "people", "accounts")
BOARD_SORTS = ("people", "accounts", "value")

_MONEY = DecimalField(max_digits=20, decimal_places=2)


def _supporters() -> Coalesce:
    """People who voted for the idea."""
    votes = (
        Vote.objects.filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        # COUNT(*), not COUNT(id) (the same: an id is never NULL): counted from the index of
        # (idea, account) alone, without reading the votes' rows.
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(votes, output_field=IntegerField()), Value(0))


def _supporting_accounts() -> Coalesce:
    """Distinct customer accounts among the voters (internal voters have none)."""
    votes = (
        Vote.objects.filter(idea=OuterRef("pk"), account__isnull=False)
        .order_by()
        .values("idea")
        .annotate(n=Count("account", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(votes, output_field=IntegerField()), Value(0))


def _support_value() -> Coalesce:
    """The sum of the annual contract values of the DISTINCT supporting accounts: two voters of
    one account count its contract value once."""
    voter_accounts = Vote.objects.filter(
        idea=OuterRef(OuterRef("pk")), account__isnull=False
    ).values("account_id")
    total = (
        Account.objects.filter(pk__in=voter_accounts)
        .order_by()
        .annotate(total=Func(F("annual_contract_value"), function="SUM", output_field=_MONEY))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY)


def _support_currency() -> Coalesce:
    """The currency of the supporting accounts' contract values when they share one; "" when
    they are in several (their sum is then no amount in any one currency)."""
    voter_accounts = Vote.objects.filter(
        idea=OuterRef(OuterRef("pk")), account__isnull=False
    ).values("account_id")
    lowest = Func(F("currency"), function="MIN", output_field=CharField())
    highest = Func(F("currency"), function="MAX", output_field=CharField())
    currency = (
        Account.objects.filter(pk__in=voter_accounts)
        .order_by()
        .annotate(one=Case(When(Exact(lowest, highest), then=lowest), default=Value("")))
        .values("one")
    )
    return Coalesce(Subquery(currency, output_field=CharField()), Value(""))


_CENT = Decimal("0.01")


def support_values(idea_ids: list[int]) -> dict[int, tuple[Decimal, str]]:
    """`_support_value` and `_support_currency` of many ideas at once, by id (ideas without a
    supporting account: absent): the same definitions, read in one grouped query over the
    distinct (idea, account) pairs joined once to the accounts, where the per-idea subqueries
    look up every supporting account of every idea twice. For the ideas a page has already
    chosen (the board's 400 cards)."""
    if not idea_ids:
        return {}
    vote, account = Vote._meta.db_table, Account._meta.db_table
    marks = ", ".join(["%s"] * len(idea_ids))
    sql = f"""
        SELECT pairs.idea_id, SUM(a.annual_contract_value), MIN(a.currency), MAX(a.currency)
        FROM (
            SELECT DISTINCT v.idea_id, v.account_id FROM {vote} v
            WHERE v.account_id IS NOT NULL AND v.idea_id IN ({marks})
        ) pairs
        JOIN {account} a ON a.id = pairs.account_id
        GROUP BY pairs.idea_id
    """  # noqa: S608 (table names from the models, ids as parameters)
    with connections[Vote.objects.db].cursor() as cursor:
        cursor.execute(sql, [int(pk) for pk in idea_ids])
        rows = cursor.fetchall()
    return {
        idea_id: (Decimal(str(total)).quantize(_CENT), lowest if lowest == highest else "")
        for idea_id, total, lowest, highest in rows
    }


def with_support(ideas: QuerySet[Idea], *, value: bool = False) -> QuerySet[Idea]:
    """`ideas` annotated with `supporters` (people) and `supporting_accounts`; with
    `value=True` also `support_value` and its `support_currency` (internal readers only)."""
    ideas = ideas.annotate(supporters=_supporters(), supporting_accounts=_supporting_accounts())
    if value:
        ideas = ideas.annotate(support_value=_support_value(), support_currency=_support_currency())
    return ideas


def _search(ideas: QuerySet[Idea], q: str) -> QuerySet[Idea]:
    q = (q or "").strip()
    if not q:
        return ideas
    return ideas.filter(
        Q(title__icontains=q) | Q(job_to_be_done__icontains=q) | Q(proposal__icontains=q)
    )


# --- Lists -------------------------------------------------------------------------------------


def idea_list(
    *,
    ideas: QuerySet[Idea],
    garden: Garden | None = None,
    status: str = "",
    q: str = "",
    sort: str = "newest",
) -> QuerySet[Idea]:
    """The ideas of a list page, CSV export or API list (`ideas` already scoped to the reader),
    filtered, with their gardens, authors and support."""
    if garden is not None:
        ideas = ideas.filter(garden=garden)
    if status:
        ideas = ideas.filter(status=status)
    ideas = _search(ideas, q)
    return (
        with_support(ideas)
        .select_related(*_LIST_RELATED)
        .order_by(*SORTS.get(sort if sort in LIST_SORTS else "newest"))
    )


_LIST_RELATED = ("garden", "author", "author_account")
# What a row of the list page and of its CSV shows (templates/ideas/idea_list_rows.html,
# ideas.views.ideas._ideas_csv): the ideas' texts and links, the gardens' charters and the
# people's and accounts' other columns are not read.
ROW_FIELDS = (
    "pk",
    "title",
    "status",
    "created_at",
    "author_account_id",
    "garden__name",
    "garden__shows_other_members",
    "author__first_name",
    "author__last_name",
    "author_account__name",
)


def idea_list_page(
    *,
    user: User,
    number,
    garden: Garden | None = None,
    status: str = "",
    q: str = "",
    sort: str = "newest",
    per_page: int = 25,
) -> Page:
    """Page `number` of `idea_list` of the ideas `user` sees (`visible_ideas`), its rows with
    the columns of ROW_FIELDS (Paginator.get_page: a number out of range gives the last page,
    one that is not a number the first). Two queries.

    Without a search (its words are folded into LIKE patterns), the count and the page keep
    their SQL per branch of the access rule, filters and sort (config.sql_once): the page is
    read by position, so one SQL serves every page."""
    rule = visible_ideas_rule(user)
    sort = sort if sort in LIST_SORTS else "newest"
    if rule is None or (q or "").strip():
        ideas = idea_list(ideas=visible_ideas(user), garden=garden, status=status, q=q, sort=sort)
        return Paginator(ideas.only(*ROW_FIELDS), per_page).get_page(number)
    branch, account_id = rule
    values = {"account_id": account_id} if branch == "customer" else {}
    if garden is not None:
        values["garden_id"] = garden.pk
    if status:
        values["status"] = str(status)  # a plain text, also for an IdeaStatus member
    shape = (branch, *sorted(values))
    paginator = Paginator([], per_page)
    paginator.count = _kept_count(shape).first(**values)  # the cached property, read here
    page = paginator.get_page(number)
    first, last = page.start_index(), page.end_index()
    page.object_list = (
        _kept_rows(shape, sort).all(**values, first=first, last=last) if first else []
    )
    return page


def _filtered(branch: str, values: dict) -> QuerySet[Idea]:
    """The ideas of a branch of the access rule (`visible_ideas_rule`) with the filters named
    in `values`: the ideas of a kept read."""
    ideas = customer_ideas(values["account_id"]) if branch == "customer" else internal_ideas()
    if "garden_id" in values:
        ideas = ideas.filter(garden_id=values["garden_id"])
    if "status" in values:
        ideas = ideas.filter(status=values["status"])
    return ideas


_VALUE_KINDS = {"account_id": int, "garden_id": int, "status": str}


@cache
def _kept_count(shape: tuple[str, ...]) -> SqlOnce:
    """The number of ideas of a branch and its filters (`shape`: the branch, then the names of
    its values), one SQL per shape and process."""
    branch, *names = shape
    return SqlOnce(
        Idea,
        lambda **values: (
            _filtered(branch, values)
            .order_by()
            .values(every=Value(1))
            .annotate(n=Count("*"))
            .values_list("n", flat=True)
        ),
        **{name: _VALUE_KINDS[name] for name in names},
    )


@cache
def _kept_rows(shape: tuple[str, ...], sort: str) -> SqlOnce:
    """The rows of the list from the `first` to the `last` in `sort`'s order (counted from 1),
    for a branch and its filters (`shape`, as `_kept_count`'s): the positions are parameters,
    where a slice would write them into the SQL. The support of the page's rows is counted
    for them alone (and for every idea only when it is the order)."""
    branch, *names = shape
    ordering = SORTS[sort]

    def rows(*, first: int, last: int, **values) -> QuerySet[Idea]:
        position = Window(RowNumber(), order_by=_order_expressions(ordering))
        chosen = (
            with_support(_filtered(branch, values))
            .annotate(position=position)
            .filter(position__gte=int_parameter(first), position__lte=int_parameter(last))
            .values("pk")
        )
        return (
            with_support(Idea.objects.filter(pk__in=chosen))
            .select_related(*_LIST_RELATED)
            .only(*ROW_FIELDS)
            .order_by(*ordering)
        )

    kinds = {name: _VALUE_KINDS[name] for name in names}
    return SqlOnce(Idea, rows, first=int, last=int, **kinds)


def _order_expressions(ordering: tuple[str, ...]) -> list[OrderBy]:
    """An `order_by` of names ("-supporters") as expressions, for a window's order."""
    return [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in ordering]


def _status_order() -> Case:
    return Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(IdeaStatus.values)),
        output_field=IntegerField(),
    )


def garden_ideas(
    *, ideas: QuerySet[Idea], garden: Garden, status: str = "", limit: int = 100
) -> list[Idea]:
    """A garden's ideas for its page, in workflow order and by support within a status; at most
    `limit` (the idea list has them all)."""
    ideas = ideas.filter(garden=garden)
    if status:
        ideas = ideas.filter(status=status)
    return list(
        with_support(ideas)
        .select_related("merged_into")
        .annotate(status_order=_status_order())
        .order_by("status_order", "-supporters", "-supporting_accounts", "-created_at", "-pk")[
            :limit
        ]
    )


# --- The pipeline board ------------------------------------------------------------------------


@dataclass
class BoardColumn:
    status: str
    label: str
    ideas: list[Idea] = field(default_factory=list)
    total: int = 0

    @property
    def hidden(self) -> int:
        return self.total - len(self.ideas)


# What a card of the board shows (ideas.templatetags.board_tags): 400 cards at full size, read
# without the ideas' texts and the gardens' charters.
_CARD_FIELDS = ("pk", "title", "status", "garden__name")


def idea_board(
    *,
    ideas: QuerySet[Idea],
    garden: Garden | None = None,
    sort: str = "people",
    per_column: int = 50,
) -> list[BoardColumn]:
    """The pipeline board: a column per status of `workflow.BOARD_COLUMNS`, each with its top
    `per_column` ideas by `sort` and its total. Two queries, whatever the number of ideas, and
    a third for the cards' support values unless they are the sort."""
    ideas = ideas.filter(status__in=workflow.BOARD_COLUMNS)
    if garden is not None:
        ideas = ideas.filter(garden=garden)
    sort = sort if sort in BOARD_SORTS else "people"
    ordering = SORTS[sort]
    order_by = _order_expressions(ordering)
    # Sorted by value, every idea's value ranks it; else only the cards shown need theirs,
    # read for all of them at once after (support_values).
    top = list(
        with_support(ideas, value=sort == "value")
        .select_related("garden")
        .only(*_CARD_FIELDS)
        .annotate(rank=Window(RowNumber(), partition_by=F("status"), order_by=order_by))
        .filter(rank__lte=per_column)
        .order_by(*ordering)
    )
    if sort != "value":
        values = support_values([idea.pk for idea in top])
        for idea in top:
            idea.support_value, idea.support_currency = values.get(idea.pk, (Decimal("0"), ""))
    columns = {
        status: BoardColumn(status=status, label=IdeaStatus(status).label)
        for status in workflow.BOARD_COLUMNS
    }
    totals = ideas.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    for status, n in totals:
        columns[status].total = n
    for idea in top:
        columns[idea.status].ideas.append(idea)
    return list(columns.values())


def idea_names(viewer: User, ids: list[str]) -> dict[str, ObjectName]:
    """The link and title of each of these ideas that the viewer may see: the namer of
    "ideas.idea" for activity events (community.selectors.activity_objects). One query."""
    ideas = visible_ideas(viewer).filter(pk__in=digit_ids(ids)).values_list("pk", "title")
    return {
        str(pk): ObjectName(reverse("ideas:idea-detail", args=[pk]), title) for pk, title in ideas
    }


# --- Merge targets -----------------------------------------------------------------------------

MERGE_TARGET_LIMIT = 10


def idea_number(text: str) -> int | None:
    """The idea number someone typed ("42" or "#42"), or None for anything else."""
    digits = text.strip().removeprefix("#").strip()
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None


def idea_merge_targets(
    *, ideas: QuerySet[Idea], duplicate: Idea, query: str, limit: int = MERGE_TARGET_LIMIT
) -> list[Idea]:
    """The ideas among `ideas` (those the moderator sees: ideas.access.visible_ideas) that
    `duplicate` could be merged into and match `query`: the idea of that number, and those whose
    title contains it; never the duplicate itself nor a merged or withdrawn idea. The numbered
    idea first, then those of the duplicate's garden, then the newest; at most `limit`. One
    query."""
    query = query.strip()
    if not query:
        return []
    match = Q(title__icontains=query)
    first = [When(garden_id=duplicate.garden_id, then=Value(1))]
    number = idea_number(query)
    if number is not None:
        match |= Q(pk=number)
        first.insert(0, When(pk=number, then=Value(0)))
    return list(
        ideas.filter(match)
        .exclude(pk=duplicate.pk)
        .exclude(status__in=(IdeaStatus.MERGED, IdeaStatus.WITHDRAWN))
        .select_related("garden")
        .annotate(nearness=Case(*first, default=Value(2), output_field=IntegerField()))
        .order_by("nearness", "-created_at", "-pk")[:limit]
    )


# Ideas waiting for a product manager's review: the navigation's "Board" count and the product
# manager's home (ideas/selectors/todos.py) both read this.
AWAITING_REVIEW = (IdeaStatus.PROPOSED, IdeaStatus.UNDER_REVIEW)


def ideas_awaiting_review_count(*, user: User) -> int:
    """Ideas proposed or under review, of the gardens the user sees, for a moderator's
    navigation badge (0 without a query for everyone else). One query."""
    if not workflow.can_moderate(user):
        return 0
    return visible_ideas(user).filter(status__in=AWAITING_REVIEW).count()


IDEA_FOLLOWERS = "ideas.idea_followers"  # an audience of community.services.notification_fanouts


def idea_followers(args: dict) -> QuerySet[User]:
    """The people following an idea (a fan-out audience: {"idea": id}), without the people
    taking part in a pilot when {"except_pilot": id} (they are told on their own)."""
    followers = User.objects.filter(idea_follows__idea_id=args["idea"])
    if args.get("except_pilot") is not None:
        followers = followers.exclude(enrolments__pilot_id=args["except_pilot"])
    return followers
