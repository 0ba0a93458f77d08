"""Serializers of the ideas API: what goes out (ideas, comments, support) and what comes in."""

from __future__ import annotations

from types import SimpleNamespace

from drf_spectacular.utils import extend_schema_field

from accounts.models import User
from accounts.people import FROM_MEMBERSHIP, PersonValues, person_name
from config import api_serializers as serializers
from config.api_rows import moment_shown
from config.single_line import validate_single_line
from ideas.models import Comment, Idea, IdeaStatus, IdeaTransition, Pilot, PilotState
from ideas.services.ideas import MAX_COMMENT_LENGTH, MAX_LINK_LENGTH


def _name(
    serializer: serializers.Serializer,
    user,
    account_id=FROM_MEMBERSHIP,
    *,
    account=None,
    garden=None,
) -> str | None:
    """People are named by accounts.people's rule for the caller, in the idea's garden (its
    setting may name other accounts' members by first name and account)."""
    if user is None:
        return None
    viewer = serializer.context["request"].user
    return person_name(
        viewer=viewer,
        person=user,
        person_account_id=account_id,
        person_account=account,
        garden=garden,
    )


# IdeaSerializer's fields that are annotations of the list's queryset, not columns of the idea.
IDEA_ANNOTATED_FIELDS = frozenset({"supporters", "supporting_accounts"})


class IdeaSerializer(serializers.ModelSerializer):
    """An idea in a list. `author_account` is shown only to readers who see every account and
    to the author's colleagues; `null` otherwise."""

    garden = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SerializerMethodField()
    author_account = serializers.SerializerMethodField()
    supporters = serializers.IntegerField(read_only=True, help_text="People who voted for it.")
    supporting_accounts = serializers.IntegerField(
        read_only=True, help_text="Distinct customer accounts among the voters."
    )

    class Meta:
        model = Idea
        fields = [
            "id",
            "garden",
            "title",
            "job_to_be_done",
            "proposal",
            "links",
            "status",
            "merged_into",
            "author",
            "author_account",
            "supporters",
            "supporting_accounts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, idea: Idea) -> str | None:
        return _name(
            self,
            idea.author,
            idea.author_account_id,
            account=idea.author_account,
            garden=idea.garden,
        )

    @extend_schema_field(serializers.SlugField(allow_null=True))
    def get_author_account(self, idea: Idea) -> str | None:
        if idea.author_account is None:
            return None
        own = self.context.get("viewer_account_id") == idea.author_account_id
        return idea.author_account.slug if own or self.context.get("show_accounts") else None


def idea_items(rows: list[tuple], *, viewer: User, context: dict) -> list[dict]:
    """IdeaSerializer's items (with `context`) of the ideas API's list rows read as plain
    values (ideas.selectors.ideas_rows.ROW_VALUES), the same, key for key and value for value."""
    moment = moment_shown()
    named: dict[tuple, str] = {}
    viewer_account_id = context.get("viewer_account_id")
    show_accounts = context.get("show_accounts")
    items = []
    for row in rows:
        pk, garden, shows, title, job, proposal, links, status, merged_into = row[:9]
        author, account, slug = row[9], row[12], row[13]
        if author is not None and (author, account, shows) not in named:
            named[author, account, shows] = _row_name(viewer, row[9:15], shows)
        shown = account is not None and (show_accounts or viewer_account_id == account)
        items.append(
            {
                "id": pk,
                "garden": garden,
                "title": title,
                "job_to_be_done": job,
                "proposal": proposal,
                "links": links,
                "status": status,
                "merged_into": merged_into,
                "author": None if author is None else named[author, account, shows],
                "author_account": slug if shown else None,
                "supporters": row[15],
                "supporting_accounts": row[16],
                "created_at": moment(row[17]),
                "updated_at": moment(row[18]),
            }
        )
    return items


def _row_name(viewer: User, person: tuple, shows_other_members: bool) -> str:
    """The author's name by accounts.people's rule, from a list row's values of the person
    (id, first and last name, account id, slug and name) and the garden's setting."""
    _pk, first, last, account_id, _slug, account_name = person
    return person_name(
        viewer=viewer,
        person=PersonValues(first_name=first, last_name=last),
        person_account_id=account_id,
        person_account=None
        if account_id is None
        else SimpleNamespace(pk=account_id, name=account_name),
        garden=SimpleNamespace(shows_other_members=shows_other_members),
    )


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = IdeaTransition
        fields = ["from_status", "to_status", "actor", "reason", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, transition: IdeaTransition) -> str | None:
        return _name(self, transition.actor, garden=transition.idea.garden)


class IdeaPilotSerializer(serializers.ModelSerializer):
    """A pilot of the idea; the decision and outcome note ("you said, we did") once closed."""

    decision = serializers.SerializerMethodField()
    outcome_note = serializers.SerializerMethodField()

    class Meta:
        model = Pilot
        fields = ["id", "title", "state", "decision", "outcome_note"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_decision(self, pilot: Pilot) -> str:
        return pilot.decision if pilot.state == PilotState.CLOSED else ""

    @extend_schema_field(serializers.CharField())
    def get_outcome_note(self, pilot: Pilot) -> str:
        return pilot.outcome_note if pilot.state == PilotState.CLOSED else ""


class IdeaDetailSerializer(IdeaSerializer):
    """One idea with its log, the caller's vote and follow, the moves they may make, and the
    pilots they may see."""

    voted = serializers.BooleanField(read_only=True)
    following = serializers.BooleanField(read_only=True)
    allowed_moves = serializers.ListField(
        child=serializers.ChoiceField(choices=IdeaStatus.choices),
        read_only=True,
        help_text="The statuses the caller may move the idea to now.",
    )
    transitions = TransitionSerializer(many=True, read_only=True, source="transition_log")
    pilots = IdeaPilotSerializer(many=True, read_only=True, source="visible_pilots")

    class Meta(IdeaSerializer.Meta):
        fields = [
            *IdeaSerializer.Meta.fields,
            "voted",
            "following",
            "allowed_moves",
            "transitions",
            "pilots",
        ]
        read_only_fields = fields


class IdeaWriteSerializer(serializers.Serializer):
    garden = serializers.SlugField(help_text="The garden's slug; one the caller can see.")
    title = serializers.CharField(max_length=200, validators=[validate_single_line])
    job_to_be_done = serializers.CharField()
    proposal = serializers.CharField()
    links = serializers.ListField(
        child=serializers.CharField(max_length=MAX_LINK_LENGTH, validators=[validate_single_line]),
        required=False,
        default=list,
        help_text="Up to 5 web addresses (http or https).",
    )


class SupportSerializer(serializers.Serializer):
    voted = serializers.BooleanField(help_text="Whether the caller supports the idea now.")
    supporters = serializers.IntegerField()
    supporting_accounts = serializers.IntegerField()


class FollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, comment: Comment) -> str | None:
        return _name(self, comment.author, garden=comment.idea.garden)


def comment_items(rows: list[tuple], *, viewer: User, garden) -> list[dict]:
    """CommentSerializer's items of an idea's comments (in `garden`) read as plain values
    (ideas.selectors.ideas_page.COMMENT_VALUES), the same, key for key and value for value."""
    moment = moment_shown()
    shows = garden.shows_other_members
    named: dict[tuple, str] = {}
    items = []
    for pk, body, created_at, author, first, last, account, account_name in rows:
        if author is not None and (author, account) not in named:
            person = (author, first, last, account, None, account_name)
            named[author, account] = _row_name(viewer, person, shows)
        items.append(
            {
                "id": pk,
                "author": None if author is None else named[author, account],
                "body": body,
                "created_at": moment(created_at),
            }
        )
    return items


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_COMMENT_LENGTH)


class TransitionWriteSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=IdeaStatus.choices)
    reason = serializers.CharField(help_text="Why; the idea's followers read it.")


class MergeWriteSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, help_text="The id of the original idea.")
    reason = serializers.CharField()


# --- Similar ideas and likely duplicates (ideas.selectors.similar) ----------------------------


class SimilarQuerySerializer(serializers.Serializer):
    """What is being typed: a new idea's title and, if written, the job it should do."""

    title = serializers.CharField(max_length=200, help_text="The new idea's title, as typed.")
    job_to_be_done = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True
    )


class IdeaReferenceSerializer(serializers.ModelSerializer):
    """An idea named in a pair or an offer: no author, no text but its title."""

    garden = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Idea
        fields = ["id", "garden", "title", "status", "created_at"]
        read_only_fields = fields


class SimilarIdeaSerializer(IdeaReferenceSerializer):
    similarity = serializers.FloatField(
        read_only=True,
        help_text="How alike (docs/product.md, 'Similar ideas'); the first is the most alike.",
    )

    class Meta(IdeaReferenceSerializer.Meta):
        fields = [*IdeaReferenceSerializer.Meta.fields, "similarity"]
        read_only_fields = fields


class DuplicatePairSerializer(serializers.Serializer):
    """`newer` looks like `older`: merging the newer into the older keeps the first idea."""

    newer = IdeaReferenceSerializer(read_only=True)
    older = IdeaReferenceSerializer(read_only=True)
    likeness = serializers.FloatField(
        read_only=True, help_text="pg_trgm's similarity of the two titles, 0 to 1."
    )
