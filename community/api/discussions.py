"""REST API of discussions (community.access decides who sees and does what):

- GET /api/v1/threads/?garden=<slug>: threads of the gardens the caller sees, most active
  first (hidden ones only for internal users); POST: start one {garden, title, body} (members
  of the garden and internal users; others 403).
- GET /threads/<id>/: one thread; GET /threads/<id>/posts/: its posts, oldest first (hidden
  ones only for internal users, marked); POST: reply {body}.
- GET /posts/<id>/; PATCH {body}: the author edits (the earlier text is kept);
  GET /posts/<id>/revisions/: the earlier versions.
- POST /posts/<id>/reactions/ {kind}: toggle a reaction; POST /posts/<id>/flag/ {reason}:
  flag once; POST /posts/<id>/hide/ {reason}: stewards hide, DELETE: show again.

Authors are named by the garden's privacy rules (accounts.people.person_name, with the garden).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from accounts.people import PersonValues, person_name
from community.access.discussions import (
    access_garden_discussions,
    access_post,
    access_thread,
    visible_thread_rows,
    visible_threads,
)
from community.api.route_fields import RouteAddresses, RouteField
from community.api.rows import RowAccount, RowGarden
from community.markdown import markdown_render
from community.models import Post, PostRevision, ReactionKind, Thread
from community.selectors import api_rows
from community.selectors import discussions as selectors
from community.services import discussions as services
from config import api_serializers as serializers
from config.api import KeptPageList
from config.api_rows import moment_shown
from config.single_line import validate_single_line
from config.sql_once import KeptRows

# --- Serializers -------------------------------------------------------------------------------


class ThreadSerializer(serializers.ModelSerializer):
    garden = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = serializers.SerializerMethodField(help_text="Named by the garden's privacy rules.")
    reply_count = serializers.IntegerField(read_only=True)
    post_count = serializers.IntegerField(
        read_only=True, help_text="Posts customers see (hidden ones are not counted)."
    )
    hidden = serializers.SerializerMethodField(
        help_text="Hidden with its opening post (internal callers only see such threads)."
    )
    url = RouteField(
        route="community:thread-detail",
        values=lambda thread: {"slug": thread.garden.slug, "pk": thread.pk},
    )

    class Meta:
        model = Thread
        fields = [
            "id",
            "garden",
            "title",
            "author",
            "created_at",
            "last_post_at",
            "post_count",
            "reply_count",
            "hidden",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_author(self, thread: Thread) -> str:
        return person_name(
            viewer=self.context["request"].user,
            person=thread.author,
            person_account_id=thread.account_id,
            person_account=thread.account,
            garden=thread.garden,
        )

    @extend_schema_field(serializers.BooleanField())
    def get_hidden(self, thread: Thread) -> bool:
        return thread.hidden_at is not None


def thread_items(rows: list[tuple], *, viewer: User) -> list[dict]:
    """ThreadSerializer's items of the threads API's list rows read as plain values
    (community.access.discussions.THREAD_VALUES) for `viewer`, authors named by
    accounts.people's rule in their gardens: the same, key for key and value for value, made
    without the serializer."""
    moment = moment_shown()
    address = RouteAddresses("community:thread-detail")
    items = []
    for row in rows:
        pk, slug, shows_other_members, title = row[:4]
        created_at, last_post_at, post_count, hidden_at = row[9:]
        items.append(
            {
                "id": pk,
                "garden": slug,
                "title": title,
                "author": _row_author(viewer, row[4:9], shows_other_members),
                "created_at": moment(created_at),
                "last_post_at": moment(last_post_at),
                "post_count": post_count,
                "reply_count": max(post_count - 1, 0),
                "hidden": hidden_at is not None,
                "url": address(slug=slug, pk=pk),
            }
        )
    return items


def _row_author(viewer: User, author: tuple, shows_other_members: bool) -> str:
    """The name of a row's author (their id, first and last name, the account they wrote for
    and its name; a gone author's id is None) by accounts.people's rule, in a garden with
    this `shows_other_members`."""
    author_id, first_name, last_name, account_id, account_name = author
    return person_name(
        viewer=viewer,
        person=None
        if author_id is None
        else PersonValues(first_name=first_name, last_name=last_name),
        person_account_id=account_id,
        person_account=None if account_id is None else RowAccount(pk=account_id, name=account_name),
        garden=RowGarden(shows_other_members=shows_other_members),
    )


class ThreadWriteSerializer(serializers.Serializer):
    garden = serializers.SlugField(help_text="The garden's slug.")
    title = serializers.CharField(
        max_length=services.MAX_TITLE_LENGTH, validators=[validate_single_line]
    )
    body = serializers.CharField(
        max_length=services.MAX_BODY_LENGTH, help_text="Markdown; @handle mentions a member."
    )


class ReactionCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    mine = serializers.BooleanField(help_text="Whether the caller reacted so.")


class PostSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField(help_text="Named by the garden's privacy rules.")
    body_html = serializers.SerializerMethodField(help_text="The body rendered, sanitised.")
    hidden = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "hidden",
            "hidden_reason",
            "reactions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_author(self, post: Post) -> str:
        return person_name(
            viewer=self.context["request"].user,
            person=post.author,
            person_account_id=post.account_id,
            person_account=post.account,
            garden=post.thread.garden,
        )

    @extend_schema_field(serializers.CharField())
    def get_body_html(self, post: Post) -> str:
        return str(markdown_render(post.body))

    @extend_schema_field(serializers.BooleanField())
    def get_hidden(self, post: Post) -> bool:
        return post.hidden_at is not None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hidden_reason(self, post: Post) -> str | None:
        return post.hidden_reason if post.hidden_at is not None else None

    @extend_schema_field(ReactionCountSerializer(many=True))
    def get_reactions(self, post: Post) -> list:
        counts = getattr(post, "reaction_counts", None)
        if counts is None:
            user = self.context["request"].user
            counts = selectors.post_reactions(post_ids=[post.pk], user=user)[post.pk]
        # One ReactionCountSerializer for every post of the page (a new one per post built
        # its fields again each time); the rows it gives are the same.
        reactions = self.__dict__.get("_reactions")
        if reactions is None:
            reactions = self.__dict__["_reactions"] = ReactionCountSerializer(many=True)
        return reactions.to_representation(counts)


def post_items(rows: list[tuple], *, thread: Thread, viewer: User) -> list[dict]:
    """PostSerializer's items of a page of `thread`'s posts read as plain values
    (community.selectors.api_rows.POST_VALUES) for `viewer`, with their reactions (one query),
    authors named by accounts.people's rule in the thread's garden: the same, key for key and
    value for value, made without the serializer."""
    if not rows:
        return []
    moment = moment_shown()
    shows_other_members = thread.garden.shows_other_members
    reactions = selectors.thread_page_reactions(
        thread_id=thread.pk, post_ids=[row[0] for row in rows], user=viewer
    )
    items = []
    for row in rows:
        pk, body, created_at, edited_at, hidden_at, hidden_reason = row[0], *row[6:]
        hidden = hidden_at is not None
        items.append(
            {
                "id": pk,
                "thread": thread.pk,
                "author": _row_author(viewer, row[1:6], shows_other_members),
                "body": body,
                "body_html": str(markdown_render(body)),
                "created_at": moment(created_at),
                "edited_at": None if edited_at is None else moment(edited_at),
                "hidden": hidden,
                "hidden_reason": hidden_reason if hidden else None,
                "reactions": [
                    {"kind": r.kind, "label": str(r.label), "count": r.count, "mine": r.mine}
                    for r in reactions[pk]
                ],
            }
        )
    return items


class BodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_BODY_LENGTH)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=services.MAX_REASON_LENGTH, validators=[validate_single_line]
    )


class ReactionWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)


class ReactionResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReactionKind.choices)
    reacted = serializers.BooleanField(help_text="Whether the caller now reacts so.")
    reactions = ReactionCountSerializer(many=True)


class FlagResultSerializer(serializers.Serializer):
    flagged = serializers.BooleanField()


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostRevision
        fields = ["id", "body", "created_at"]
        read_only_fields = fields


# --- Views -------------------------------------------------------------------------------------


class ThreadViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Threads of the gardens the caller sees."""

    lookup_value_regex = "[0-9]+"  # a non-numeric id is no thread: 404, not a failing query
    queryset = Thread.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = ThreadSerializer
    filter_backends: list = []

    def get_queryset(self):
        threads = visible_threads(self.request.user).select_related("garden", "author", "account")
        garden = self.request.query_params.get("garden")
        if garden:
            threads = threads.filter(garden__slug=garden)
        return threads.order_by("-last_post_at", "-pk")

    def get_object(self) -> Thread:
        return access_thread(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[OpenApiParameter("garden", OpenApiTypes.STR, description="A garden's slug.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)  # here for the schema's parameter

    def kept_rows(self) -> KeptRows | None:
        # A page of every visible thread (no garden asked), as plain values.
        return visible_thread_rows(self.request.user)

    def kept_data(self, page: list) -> list:
        # ThreadSerializer's items, made from the values.
        return thread_items(page, viewer=self.request.user)

    @extend_schema(request=ThreadWriteSerializer, responses={201: ThreadSerializer})
    def create(self, request, *args, **kwargs):
        data = ThreadWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            garden = access_garden_discussions(request.user, fields.pop("garden"))
        except Http404 as missing:
            raise ValidationError({"garden": ["No such garden."]}) from missing
        thread = services.thread_start(garden=garden, author=request.user, **fields)
        body = ThreadSerializer(thread, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: PostSerializer(many=True)})
    @extend_schema(methods=["POST"], request=BodySerializer, responses={201: PostSerializer})
    @action(detail=True, methods=["get", "post"])
    def posts(self, request, pk=None):
        """The thread's posts, oldest first; POST replies (Markdown; @handle mentions)."""
        if request.method == "GET":
            thread = self.get_object()
            page = self.paginate_queryset(
                api_rows.thread_post_rows(thread=thread, user=request.user)
            )
            data = post_items(page, thread=thread, viewer=request.user)
            return self.get_paginated_response(data)
        thread = access_thread(request.user, pk, for_write=True)
        data = BodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_reply(thread=thread, author=request.user, **data.validated_data)
        post.thread = thread
        body = PostSerializer(post, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class PostViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One post: read, edit (its author), react, flag, hide (stewards)."""

    lookup_value_regex = "[0-9]+"  # a non-numeric id is no post: 404, not a failing query
    queryset = Post.objects.none()  # for the schema; access_post scopes it
    serializer_class = PostSerializer
    filter_backends: list = []

    def get_object(self) -> Post:
        return access_post(self.request.user, self.kwargs["pk"])

    @extend_schema(request=BodySerializer, responses={200: PostSerializer})
    def partial_update(self, request, pk=None):
        """The author changes the post's body (the earlier text is kept as a revision)."""
        post = access_post(request.user, pk, for_write=True)
        data = BodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_edit(post=post, editor=request.user, body=data.validated_data["body"])
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: RevisionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def revisions(self, request, pk=None):
        """The earlier versions of the post, newest first."""
        post = self.get_object()
        return Response(RevisionSerializer(selectors.post_revision_list(post=post), many=True).data)

    @extend_schema(request=ReactionWriteSerializer, responses={200: ReactionResultSerializer})
    @action(detail=True, methods=["post"])
    def reactions(self, request, pk=None):
        """Toggle the caller's reaction of a kind (not on their own post)."""
        post = access_post(request.user, pk, for_write=True)
        data = ReactionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        reacted = services.reaction_toggle(post=post, user=request.user, kind=kind)
        counts = selectors.post_reactions(post_ids=[post.pk], user=request.user)[post.pk]
        return Response(
            ReactionResultSerializer({"kind": kind, "reacted": reacted, "reactions": counts}).data
        )

    @extend_schema(request=ReasonSerializer, responses={201: FlagResultSerializer})
    @action(detail=True, methods=["post"])
    def flag(self, request, pk=None):
        """Ask the garden's stewards to look at the post (once per person)."""
        post = access_post(request.user, pk, for_write=True)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_flag(post=post, user=request.user, reason=data.validated_data["reason"])
        return Response({"flagged": True}, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["POST"],
        request=ReasonSerializer,
        responses={200: PostSerializer},
        description="Hide the post from customers, with a reason (the garden's stewards).",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={200: PostSerializer},
        description="Show the hidden post again (the garden's stewards).",
    )
    @action(detail=True, methods=["post", "delete"])
    def hide(self, request, pk=None):
        post = access_post(request.user, pk, for_moderation=True)
        if request.method == "DELETE":
            post = services.post_unhide(post=post, steward=request.user)
        else:
            data = ReasonSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            post = services.post_hide(
                post=post, steward=request.user, reason=data.validated_data["reason"]
            )
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)
