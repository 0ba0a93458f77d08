"""REST API of pilots, and of enrolment as actions on a pilot (invitations, agreements, accept,
enrol): thin views over the access helpers, selectors and services, with the same permissions
as the pages."""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import visible_accounts
from config import api_serializers as serializers
from config.api import asks_only_a_page
from ideas.access import (
    access_idea,
    access_pilot,
    access_pilot_for_agreement,
    access_pilot_for_enrolment,
    can_manage_pilots,
    visible_pilots,
)
from ideas.api import pilots_serializers as s
from ideas.api.results import serialized
from ideas.models import Pilot, PilotState
from ideas.selectors import pilots as selectors
from ideas.services import enrolment as enrolment_services
from ideas.services import pilots as services


class PilotFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PilotState.choices)
    idea = django_filters.NumberFilter(field_name="idea_id", help_text="The idea's id.")
    garden = django_filters.CharFilter(field_name="idea__garden__slug", help_text="Garden slug.")

    class Meta:
        model = Pilot
        fields = ["state", "idea", "garden"]


class PilotViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Pilots the caller may see: all for internal users; for a customer, the pilots their
    account is invited to (never drafts). Product managers create and run them; account admins
    accept agreements; members enrol."""

    queryset = Pilot.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.PilotSerializer
    filterset_class = PilotFilter
    search_fields = ["title", "idea__title"]
    ordering_fields = ["runs_from", "runs_until", "title", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.pilot_list(pilots=visible_pilots(self.request.user))

    def list(self, request, *args, **kwargs):
        # A page of the unfiltered list, in its order, from a kept read when the caller's rule
        # allows one; any filter, search or ordering goes through the filter backends.
        rows = (
            selectors.visible_pilot_list_rows(user=request.user)
            if asks_only_a_page(request)
            else None
        )
        if rows is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serialized(s.PilotSerializer, page, many=True))

    def _pilot(self, *, for_write: bool = False) -> Pilot:
        return access_pilot(self.request.user, self.kwargs["pk"], for_write=for_write)

    def _out(self, pilot: Pilot) -> dict:
        pilot.accounts_taking_part = selectors.pilot_accounts_taking_part(pilot=pilot)
        return s.PilotSerializer(pilot, context=self.get_serializer_context()).data

    @extend_schema(responses={200: s.PilotDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        page = selectors.pilot_page(
            pilot=self._pilot(), user=request.user, accounts=visible_accounts(request.user)
        )
        page.pilot.accounts_taking_part = page.accounts_taking_part
        return Response(
            s.PilotDetailSerializer(
                page.pilot, context={**self.get_serializer_context(), "page": page}
            ).data
        )

    @extend_schema(request=s.PilotCreateSerializer, responses={201: s.PilotSerializer})
    def create(self, request, *args, **kwargs):
        if not can_manage_pilots(request.user):
            raise PermissionDenied("Only product managers run pilots.")
        data = s.PilotCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            idea = access_idea(request.user, fields.pop("idea"))
        except Http404:
            raise serializers.ValidationError({"idea": ["No such idea."]}) from None
        pilot = services.pilot_create(idea=idea, created_by=request.user, **fields)
        return Response(self._out(pilot), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PilotWriteSerializer, responses={200: s.PilotSerializer})
    def partial_update(self, request, *args, **kwargs):
        pilot = self._pilot(for_write=True)
        data = s.PilotWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        pilot = services.pilot_update(pilot=pilot, actor=request.user, **data.validated_data)
        return Response(self._out(pilot))

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered; PATCH is
        return self.partial_update(request, *args, **kwargs)

    # --- States ------------------------------------------------------------------------------

    @extend_schema(request=s.PilotStateSerializer, responses={200: s.PilotSerializer})
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None):
        """Move the pilot forward: draft → recruiting → running → closed."""
        pilot = self._pilot(for_write=True)
        data = s.PilotStateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pilot = services.pilot_set_state(
            pilot=pilot, actor=request.user, state=data.validated_data["state"]
        )
        return Response(self._out(pilot))

    @extend_schema(request=None, responses={200: s.PilotSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Let the schedule move the pilot on its dates (and apply today's date now)."""
        pilot = services.pilot_publish(pilot=self._pilot(for_write=True), actor=request.user)
        return Response(self._out(pilot))

    # --- Invitations -------------------------------------------------------------------------

    @extend_schema(
        request=s.InvitationsWriteSerializer, responses={201: s.InvitationsResultSerializer}
    )
    @action(detail=True, methods=["post"])
    def invitations(self, request, pk=None):
        """Invite eligible accounts; all are refused if one is not eligible."""
        pilot = self._pilot(for_write=True)
        data = s.InvitationsWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slugs = list(dict.fromkeys(data.validated_data["accounts"]))
        accounts = list(visible_accounts(request.user).filter(slug__in=slugs))
        missing = sorted(set(slugs) - {a.slug for a in accounts})
        if missing:
            raise serializers.ValidationError(
                {"accounts": [f"There is no account “{slug}”." for slug in missing]}
            )
        created = enrolment_services.pilot_invite(
            pilot=pilot, accounts=accounts, invited_by=request.user
        )
        by_id = {a.pk: a.slug for a in accounts}
        return Response(
            {"invited": sorted(by_id[i.account_id] for i in created)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: s.SupporterInvitationsSerializer})
    @action(detail=True, methods=["post"], url_path="invite-supporters")
    def invite_supporters(self, request, pk=None):
        """Invite the eligible accounts whose members voted for the idea."""
        report = enrolment_services.pilot_invite_supporters(
            pilot=self._pilot(for_write=True), invited_by=request.user
        )
        return Response(
            s.SupporterInvitationsSerializer(
                {
                    "invited": report.invited,
                    "already_invited": report.already_invited,
                    "not_eligible": report.not_eligible,
                    "message": str(report),
                }
            ).data
        )

    # --- Agreements --------------------------------------------------------------------------

    @extend_schema(request=s.AgreementWriteSerializer, responses={201: s.AgreementSerializer})
    @action(detail=True, methods=["post"])
    def agreements(self, request, pk=None):
        """Publish a new version of the agreement; accounts must accept it again."""
        pilot = self._pilot(for_write=True)
        data = s.AgreementWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = enrolment_services.agreement_publish(
            pilot=pilot, actor=request.user, **data.validated_data
        )
        return Response(s.AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.AcceptanceSerializer})
    @action(detail=True, methods=["post"], url_path="agreement/accept")
    def agreement_accept(self, request, pk=None):
        """The account admin accepts the current agreement version for the whole account."""
        pilot = access_pilot_for_agreement(request.user, pk)
        acceptance = enrolment_services.agreement_accept(pilot=pilot, admin=request.user)
        return Response(s.AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)

    # --- Enrolment and the decision ----------------------------------------------------------

    @extend_schema(request=None, responses={201: s.EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        """Enrol the calling member for their account."""
        pilot = access_pilot_for_enrolment(request.user, pk)
        enrolment = enrolment_services.pilot_enrol(pilot=pilot, member=request.user)
        return Response(s.EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DecisionSerializer, responses={200: s.PilotSerializer})
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        """Record the decision on a closed pilot and tell participants and followers."""
        pilot = self._pilot(for_write=True)
        data = s.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pilot = services.pilot_decide(pilot=pilot, actor=request.user, **data.validated_data)
        return Response(self._out(pilot))
