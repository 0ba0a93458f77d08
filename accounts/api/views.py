"""REST API of accounts: thin views over access helpers, selectors and services."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
    ValidationErrorResponseSerializer,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, selectors, services
from accounts.api import serializers as s
from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    Invitation,
    Membership,
    User,
)
from accounts.personal_data import personal_data_export
from config.api import KeptPageList
from config.sql_once import KeptRows


def _for_account(request, queryset):
    """`?account=<slug>`: the rows of that account. One the caller cannot see is a 404, as
    fetching the account itself is — never an empty list that tells nothing (the same answer
    as every list filtered by account, e.g. /api/v1/alerts/ and /api/v1/outcomes/)."""
    slug = request.query_params.get("account")
    if not slug:
        return queryset
    return queryset.filter(account=access.access_account(request.user, slug))


class AccountFilter(django_filters.FilterSet):
    renewal_before = django_filters.DateFilter(field_name="renewal_date", lookup_expr="lte")
    renewal_after = django_filters.DateFilter(field_name="renewal_date", lookup_expr="gte")

    class Meta:
        model = Account
        fields = ["segment", "tier"]


class AccountViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Customer accounts the caller may see: their own, their assigned ones, or all."""

    queryset = Account.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.AccountSerializer
    lookup_field = "slug"
    filterset_class = AccountFilter
    search_fields = ["name"]
    ordering_fields = ["name", "renewal_date", "annual_contract_value", "customer_since"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return access.visible_accounts(self.request.user)

    def kept_rows(self) -> KeptRows | None:
        rule = access.visible_accounts_rule(self.request.user)
        return selectors.account_values(rule=rule) if rule else None

    def kept_data(self, page: list) -> list:
        # AccountSerializer's items, made from the values.
        return s.account_items(page)

    def get_object(self) -> Account:
        return access.access_account(
            self.request.user,
            self.kwargs["slug"],
            for_write=self.request.method not in SAFE_METHODS,
        )

    @extend_schema(request=s.AccountWriteSerializer, responses={201: s.AccountSerializer})
    def create(self, request, *args, **kwargs):
        if not access.manages_all_accounts(request.user):
            raise PermissionDenied("Only programme admins create accounts.")
        data = s.AccountWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.account_create(**data.validated_data)
        return Response(s.AccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AccountWriteSerializer, responses={200: s.AccountSerializer})
    def partial_update(self, request, *args, **kwargs):
        account = self.get_object()
        data = s.AccountWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        account = services.account_update(account=account, **data.validated_data)
        return Response(s.AccountSerializer(account).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered; PATCH is
        return self.partial_update(request, *args, **kwargs)


class MembershipViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the accounts the caller may see. Admins and the account team change roles."""

    queryset = Membership.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.MembershipSerializer
    filterset_fields = ["role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    ordering_fields = ["created_at", "user__email"]

    def get_queryset(self):
        queryset = access.visible_memberships(self.request.user).select_related("user", "account")
        return _for_account(self.request, queryset)

    def kept_rows(self) -> KeptRows | None:
        rule = access.visible_accounts_rule(self.request.user)
        return selectors.membership_values(rule=rule) if rule else None

    def kept_data(self, page: list) -> list:
        # MembershipSerializer's items, made from the values.
        return s.member_items(page)

    def get_object(self) -> Membership:
        return access.access_membership(
            self.request.user, self._pk(), for_write=self.request.method not in SAFE_METHODS
        )

    def _pk(self) -> int:
        pk = self.kwargs["pk"]
        return int(pk) if str(pk).isdigit() else 0

    @extend_schema(request=s.MembershipRoleSerializer, responses={200: s.MembershipSerializer})
    @action(detail=True, methods=["post"], url_path="role")
    def set_role(self, request, pk=None):
        membership = self.get_object()
        data = s.MembershipRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_set_role(
            membership=membership, role=data.validated_data["role"]
        )
        return Response(s.MembershipSerializer(membership).data)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(membership=instance)


class TeamAssignmentViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Account teams: who inside the company looks after which account."""

    queryset = AccountTeamAssignment.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.TeamAssignmentSerializer
    filterset_fields = ["role"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        queryset = access.visible_team_assignments(self.request.user).select_related(
            "user", "account"
        )
        return _for_account(self.request, queryset)

    def kept_rows(self) -> KeptRows | None:
        rule = access.visible_accounts_rule(self.request.user)
        return selectors.team_assignment_values(rule=rule) if rule else None

    def kept_data(self, page: list) -> list:
        # TeamAssignmentSerializer's items, made from the values.
        return s.member_items(page)

    def get_object(self) -> AccountTeamAssignment:
        pk = self.kwargs["pk"]
        return access.access_team_assignment(
            self.request.user,
            int(pk) if str(pk).isdigit() else 0,
            for_write=self.request.method not in SAFE_METHODS,
        )

    @extend_schema(
        request=s.TeamAssignmentWriteSerializer, responses={201: s.TeamAssignmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        if not access.can_manage_account_teams(request.user):
            raise PermissionDenied("Only programme admins assign account teams.")
        data = s.TeamAssignmentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = access.access_account(request.user, data.validated_data["account"])
        user = get_object_or_404(User, pk=data.validated_data["user"])
        assignment = services.team_assignment_create(
            user=user, account=account, role=data.validated_data["role"]
        )
        return Response(s.TeamAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: AccountTeamAssignment) -> None:
        services.team_assignment_delete(assignment=instance)


class InvitationViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to join an account, seen and sent by its admins and account team."""

    queryset = Invitation.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.InvitationSerializer
    filterset_fields = ["role"]
    search_fields = ["email"]
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        queryset = access.visible_invitations(self.request.user).select_related(
            "account", "invited_by"
        )
        return _for_account(self.request, queryset)

    def kept_rows(self) -> KeptRows | None:
        rule = access.visible_invitations_rule(self.request.user)
        return selectors.invitation_values(rule=rule) if rule else None

    def kept_data(self, page: list) -> list:
        # InvitationSerializer's items, made from the values.
        return s.invitation_items(page)

    def get_object(self) -> Invitation:
        pk = self.kwargs["pk"]
        return access.access_invitation(self.request.user, int(pk) if str(pk).isdigit() else 0)

    @extend_schema(request=s.InvitationWriteSerializer, responses={201: s.InvitationSerializer})
    def create(self, request, *args, **kwargs):
        data = s.InvitationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = access.access_account_for_management(request.user, data.validated_data["account"])
        invitation = services.invitation_create(
            account=account,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
            invited_by=request.user,
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.InvitationSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(invitation=self.get_object())
        return Response(s.InvitationSerializer(invitation).data)


class MeView(APIView):
    """The caller: who they are, their account (customers) and their internal roles."""

    @extend_schema(responses={200: s.MeSerializer})
    def get(self, request):
        membership = access.customer_membership(request.user)
        return Response(
            s.MeSerializer(
                {
                    "user": request.user,
                    "account": membership.account if membership else None,
                    "account_role": membership.role if membership else None,
                    "internal_roles": request.user.internal_roles,
                }
            ).data
        )


class ApiTokenViewSet(
    KeptPageList, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The caller's own API tokens that still work, newest first; DELETE revokes one at once.
    Tokens are made on the profile page, where the new token is shown once."""

    queryset = ApiToken.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = s.ApiTokenSerializer
    lookup_field = "token_key"
    lookup_value_regex = "[^/]+"
    filter_backends: list = []

    def get_queryset(self):
        return access.visible_api_tokens(self.request.user)

    def kept_rows(self) -> KeptRows | None:
        return selectors.api_token_rows(user_id=self.request.user.pk, now=timezone.now())

    def get_object(self) -> ApiToken:
        return access.access_api_token(self.request.user, self.kwargs["token_key"])

    def perform_destroy(self, instance: ApiToken) -> None:
        services.api_token_revoke(token=instance)


class MyDataView(APIView):
    """Download the caller's own personal data (JSON): everything every app holds about them."""

    @extend_schema(responses={200: s.PersonalDataSerializer})
    def get(self, request):
        response = Response(personal_data_export(user=request.user))
        response["Cache-Control"] = "no-store"
        return response


class PersonEraseView(APIView):
    """Erase a person's personal data (programme admins). Their contributions stay, shown as a
    former member's; erasing an erased person again changes nothing."""

    @extend_schema(
        request=None,
        responses={
            200: s.PersonErasedSerializer,
            400: ValidationErrorResponseSerializer,
            403: ErrorResponse403Serializer,
            404: ErrorResponse404Serializer,
        },
    )
    def post(self, request, pk: int):
        person = access.access_person_for_erasure(request.user, pk)
        person = services.person_erase(user=person, by=request.user)
        return Response(s.PersonErasedSerializer(person).data)
