"""REST API of ideas: thin views over ideas.access, ideas.selectors.ideas and ideas.services.ideas.

GET  /ideas/                    ideas the caller can see (filters: garden, status, search)
POST /ideas/                    propose an idea in a garden the caller can see
GET  /ideas/{id}/               one idea with its log, pilots and the caller's vote/follow
POST /ideas/{id}/vote/          toggle the caller's vote; answers the new support
POST /ideas/{id}/follow/        follow (idempotent);  DELETE: unfollow (idempotent)
GET  /ideas/{id}/comments/      the comments, oldest first;  POST: add one
GET  /ideas/similar/?title=     up to five visible ideas like a new one being typed
GET  /ideas/duplicates/         likely duplicate pairs to merge (moderators)
POST /ideas/{id}/transition/    move it through the workflow (moderators; author withdraws)
POST /ideas/{id}/merge/         merge this duplicate into {into} (moderators)
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import customer_membership, sees_all_accounts
from community.access.gardens import access_garden_content
from config.api import KeptPageList, asks_only_a_page
from config.sql_once import KeptRows
from ideas import access, workflow
from ideas.api import ideas_serializers as s
from ideas.api.results import serialized
from ideas.models import Idea, IdeaStatus
from ideas.selectors import ideas as selectors
from ideas.selectors import ideas_page
from ideas.selectors.ideas_rows import idea_list_values
from ideas.selectors.similar import likely_duplicates, similar_ideas
from ideas.services import ideas as services


class IdeaFilter(django_filters.FilterSet):
    garden = django_filters.CharFilter(field_name="garden__slug", help_text="A garden's slug.")
    status = django_filters.ChoiceFilter(choices=IdeaStatus.choices)

    class Meta:
        model = Idea
        fields = ["garden", "status"]


_LIST_COLUMNS = (
    *(field for field in s.IdeaSerializer.Meta.fields if field not in s.IDEA_ANNOTATED_FIELDS),
    "garden__slug",
    "garden__shows_other_members",
    "author__first_name",
    "author__last_name",
    "author_account__slug",
    "author_account__name",
)


class IdeaViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Ideas of the gardens the caller can see, with their support as people and accounts."""

    queryset = Idea.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.IdeaSerializer
    filterset_class = IdeaFilter
    search_fields = ["title", "job_to_be_done", "proposal"]
    ordering_fields = ["created_at", "supporters", "supporting_accounts"]

    def get_queryset(self):
        ideas = selectors.idea_list(ideas=access.visible_ideas(self.request.user))
        # A list row shows its own columns and a few of its garden, author and account: the
        # other columns of those three (passwords, charters, contract values) are not read.
        return ideas.only(*_LIST_COLUMNS) if self.action == "list" else ideas

    def kept_rows(self) -> KeptRows | None:
        # The same rows in the same order as the unfiltered queryset, as plain values.
        return idea_list_values(user=self.request.user, columns=_LIST_COLUMNS)

    def kept_data(self, page: list) -> list:
        # IdeaSerializer's items, made from the values.
        context = self.get_serializer_context()
        return s.idea_items(page, viewer=self.request.user, context=context)

    def get_object(self) -> Idea:
        return access.access_idea(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        user = self.request.user
        if user.is_authenticated:
            membership = customer_membership(user)
            context["viewer_account_id"] = membership.account_id if membership else None
            context["show_accounts"] = membership is None and sees_all_accounts(user)
        return context

    def _detail(self, idea: Idea) -> dict:
        page = ideas_page.idea_page(idea=idea, user=self.request.user)
        idea.supporters = page.supporters
        idea.supporting_accounts = page.supporting_accounts
        idea.voted = page.voted
        idea.following = page.following
        idea.allowed_moves = [status for status, _ in page.allowed_moves]
        idea.transition_log = page.transitions
        idea.visible_pilots = page.pilots
        return s.IdeaDetailSerializer(idea, context=self.get_serializer_context()).data

    @extend_schema(responses={200: s.IdeaDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    @extend_schema(request=s.IdeaWriteSerializer, responses={201: s.IdeaDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = s.IdeaWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            garden = access_garden_content(request.user, fields.pop("garden"))
        except Http404 as missing:
            raise ValidationError({"garden": ["No such garden."]}) from missing
        idea = services.idea_propose(garden=garden, author=request.user, **fields)
        return Response(self._detail(idea), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[s.SimilarQuerySerializer],
        responses={200: s.SimilarIdeaSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def similar(self, request):
        """Up to five ideas the caller can see that are like a new idea being typed, most alike
        first ("vote for this instead"); none when the title has no telling word."""
        query = s.SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = f"{query.validated_data['title']} {query.validated_data['job_to_be_done']}"
        ideas = similar_ideas(user=request.user, text=text)
        return Response(serialized(s.SimilarIdeaSerializer, ideas, many=True))

    @extend_schema(responses={200: s.DuplicatePairSerializer(many=True)})
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def duplicates(self, request):
        """Likely duplicate pairs, most alike first (product managers and programme admins):
        each idea awaiting a decision with the most alike older open idea, 50 at most."""
        if not workflow.can_moderate(request.user):
            raise PermissionDenied("Only product managers and programme admins merge ideas.")
        pairs = likely_duplicates(user=request.user)
        return Response(serialized(s.DuplicatePairSerializer, pairs, many=True))

    @extend_schema(request=None, responses={200: s.SupportSerializer})
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Toggle the caller's vote: one vote per person. Voters follow the idea."""
        idea = self.get_object()
        voted = services.idea_vote_toggle(idea=idea, user=request.user)
        support = ideas_page.idea_support(idea=idea, user=request.user)
        return Response(s.SupportSerializer({**support, "voted": voted}).data)

    @extend_schema(
        methods=["POST"],
        request=None,
        responses={200: s.FollowSerializer},
        description="Follow the idea (nothing changes if the caller follows it already).",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={200: s.FollowSerializer},
        description="Stop following the idea (nothing changes if the caller did not follow it).",
    )
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, pk=None):
        idea = self.get_object()
        if request.method == "DELETE":
            services.idea_unfollow(idea=idea, user=request.user)
            return Response(s.FollowSerializer({"following": False}).data)
        services.idea_follow(idea=idea, user=request.user)
        return Response(s.FollowSerializer({"following": True}).data)

    @extend_schema(methods=["GET"], responses={200: s.CommentSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=s.CommentWriteSerializer, responses={201: s.CommentSerializer}
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """The comments on the idea, oldest first; POST adds one (plain text)."""
        idea = self.get_object()
        if request.method == "GET":
            # A call that asks for nothing but a page reads it from kept SQL (the same rows).
            if asks_only_a_page(request):
                page = self.paginate_queryset(ideas_page.idea_comment_rows(idea=idea))
                items = s.comment_items(page, viewer=request.user, garden=idea.garden)
                return self.get_paginated_response(items)
            page = self.paginate_queryset(ideas_page.idea_comments(idea=idea))
            return self.get_paginated_response(
                s.CommentSerializer(page, many=True, context=self.get_serializer_context()).data
            )
        data = s.CommentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.idea_comment(
            idea=idea, author=request.user, body=data.validated_data["body"]
        )
        body = s.CommentSerializer(comment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TransitionWriteSerializer, responses={200: s.IdeaDetailSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the idea (product managers, programme admins; the author may withdraw it while
        it is proposed). The reason is logged and told to the followers."""
        idea = self.get_object()
        if not workflow.can_moderate(request.user) and idea.author_id != request.user.pk:
            raise PermissionDenied("Only product managers and programme admins move ideas.")
        data = s.TransitionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.idea_transition(idea=idea, actor=request.user, **data.validated_data)
        return Response(self._detail(idea))

    @extend_schema(request=s.MergeWriteSerializer, responses={200: s.IdeaDetailSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge this duplicate into the idea `into`: votes (one per person) and followers move,
        this idea points there, and the followers of both are told."""
        duplicate = access.access_idea(request.user, pk, for_moderation=True)
        data = s.MergeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            original = access.access_idea(request.user, data.validated_data["into"])
        except Http404 as missing:
            raise ValidationError({"into": ["No such idea."]}) from missing
        services.idea_merge(
            duplicate=duplicate,
            original=original,
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(self._detail(duplicate))
