"""REST API of gardens (community.access decides who sees and changes what):

- GET /api/v1/gardens/ and /gardens/<slug>/: the gardens the caller sees (invite-only ones only
  for invited accounts: 404 otherwise); POST /gardens/ and PATCH /gardens/<slug>/: programme
  admins (others 403).
- POST /gardens/<slug>/join/ and /gardens/<slug>/leave/: customers join (open garden, or their
  account accepted) and leave themselves.
- GET /gardens/<slug>/members/: members and internal users; other accounts' members only if
  the garden shows them (first name and account), colleagues and internal callers by name.
- /garden-invitations/: stewards and programme admins list, invite (POST) and withdraw
  (DELETE); an invited account's admins list theirs and accept or decline them.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.access import is_internal
from accounts.api.fields import COMPANY, PersonNameField
from accounts.models import Account, User
from accounts.people import PersonValues, other_accounts_named, person_name
from community.access.gardens import (
    access_garden,
    access_garden_content,
    access_garden_for_invitations,
    access_garden_invitation,
    can_manage_gardens,
    garden_is_member,
    visible_garden_invitations,
    visible_gardens,
)
from community.api.rows import RowAccount, fields_shown
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
)
from community.models.gardens import theme_label
from community.selectors import api_rows
from community.selectors import gardens as selectors
from community.services import gardens as services
from config import api_serializers as serializers
from config.api import KeptPageList, asks_only_a_page
from config.api_rows import moment_shown
from config.single_line import validate_single_line
from config.sql_once import KeptRows

# --- Serializers -------------------------------------------------------------------------------


class StewardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = PersonNameField(account_id=COMPANY)


class GardenSerializer(serializers.ModelSerializer):
    theme_label = serializers.CharField(read_only=True)
    stewards = StewardSerializer(many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    is_member = serializers.SerializerMethodField()

    class Meta:
        model = Garden
        fields = [
            "id",
            "name",
            "slug",
            "theme",
            "theme_label",
            "custom_theme",
            "description",
            "charter",
            "visibility",
            "shows_other_members",
            "stewards",
            "member_count",
            "is_member",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_member(self, garden: Garden) -> bool:
        return bool(getattr(garden, "own_memberships", None))


def garden_items(rows: list[tuple], *, viewer: User) -> list[dict]:
    """GardenSerializer's items of the gardens API's list rows read as plain values
    (community.selectors.gardens.GARDEN_VALUES) for `viewer`, with their stewards (one query)
    named by accounts.people's rule: the same, key for key and value for value, made without
    the serializer (the values each choice field turns into what it shows, as it does)."""
    theme_shown, visibility_shown = fields_shown(GardenSerializer, "theme visibility")
    moment = moment_shown()
    stewards = api_rows.garden_steward_rows(garden_ids=[row[0] for row in rows])
    items = []
    for row in rows:
        pk, name, slug, theme, custom_theme, description, charter, visibility = row[:8]
        shows_other_members, member_count, own_memberships, created_at = row[8:]
        items.append(
            {
                "id": pk,
                "name": name,
                "slug": slug,
                "theme": theme_shown(theme),
                "theme_label": str(theme_label(theme, custom_theme)),
                "custom_theme": custom_theme,
                "description": description,
                "charter": charter,
                "visibility": visibility_shown(visibility),
                "shows_other_members": shows_other_members,
                "stewards": [
                    {"id": steward_id, "name": _steward_name(viewer, first_name, last_name)}
                    for steward_id, first_name, last_name in stewards[pk]
                ],
                "member_count": member_count,
                "is_member": bool(own_memberships),
                "created_at": moment(created_at),
            }
        )
    return items


def _steward_name(viewer: User, first_name: str, last_name: str) -> str:
    """A steward's name (one of the company's people: COMPANY) by accounts.people's rule."""
    person = PersonValues(first_name=first_name, last_name=last_name)
    return person_name(viewer=viewer, person=person, person_account_id=None)


class GardenWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_single_line])
    theme = serializers.ChoiceField(choices=GardenTheme.choices)
    custom_theme = serializers.CharField(
        max_length=100, required=False, allow_blank=True, validators=[validate_single_line]
    )
    description = serializers.CharField(required=False, allow_blank=True)
    charter = serializers.CharField(required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=GardenVisibility.choices, required=False)
    shows_other_members = serializers.BooleanField(required=False)
    stewards = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=User.objects.filter(is_active=True),
        help_text="Ids of internal users.",
    )


class GardenMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="label", help_text="As the caller may see the person.")
    account = serializers.SerializerMethodField(
        help_text="The member's account name (null where the caller may not see it)."
    )
    joined_at = serializers.DateTimeField()

    def get_account(self, membership: GardenMembership) -> str | None:
        return membership.account.name if self.context.get("show_accounts") else None


def garden_member_items(rows: list[tuple], *, viewer: User, garden: Garden) -> list[dict]:
    """GardenMemberSerializer's items of a garden's members read as plain values
    (community.selectors.api_rows.MEMBER_VALUES) for `viewer`, each named by accounts.people's
    rule in `garden`: the same, key for key and value for value, made without the serializer."""
    moment = moment_shown()
    show_accounts = other_accounts_named(viewer=viewer, garden=garden)
    items = []
    for user_id, first_name, last_name, account_id, account_name, joined_at in rows:
        name = person_name(
            viewer=viewer,
            person=PersonValues(first_name=first_name, last_name=last_name),
            person_account_id=account_id,
            person_account=RowAccount(pk=account_id, name=account_name),
            garden=garden,
        )
        items.append(
            {
                "id": user_id,
                "name": name,
                "account": account_name if show_accounts else None,
                "joined_at": moment(joined_at),
            }
        )
    return items


class GardenMembershipSerializer(serializers.Serializer):
    garden = serializers.SlugField(source="garden.slug")
    joined_at = serializers.DateTimeField()


class GardenInvitationSerializer(serializers.ModelSerializer):
    garden = serializers.SlugField(source="garden.slug", read_only=True)
    garden_name = serializers.CharField(source="garden.name", read_only=True)
    account = serializers.SlugField(source="account.slug", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="invited, accepted or declined.")

    class Meta:
        model = GardenAccount
        fields = [
            "id",
            "garden",
            "garden_name",
            "account",
            "account_name",
            "status",
            "created_at",
            "responded_at",
        ]
        read_only_fields = fields


def garden_invitation_items(rows: list[tuple]) -> list[dict]:
    """GardenInvitationSerializer's items of the invitations API's list rows read as plain
    values (community.selectors.api_rows.INVITATION_VALUES): the same, key for key and value
    for value, made without the serializer."""
    moment = moment_shown()
    return [
        {
            "id": pk,
            "garden": garden_slug,
            "garden_name": garden_name,
            "account": account_slug,
            "account_name": account_name,
            "status": status,
            "created_at": moment(created_at),
            "responded_at": None if responded_at is None else moment(responded_at),
        }
        for (
            pk,
            garden_slug,
            garden_name,
            account_slug,
            account_name,
            status,
            created_at,
            responded_at,
        ) in rows
    ]


class GardenInvitationCreateSerializer(serializers.Serializer):
    garden = serializers.SlugField(help_text="The invite-only garden's slug.")
    account = serializers.SlugField(help_text="The account's slug.")


# --- Gardens -----------------------------------------------------------------------------------


class GardenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Gardens the caller may see; programme admins create (POST) and change (PATCH) them."""

    queryset = Garden.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = GardenSerializer
    lookup_field = "slug"
    filterset_fields = ["theme", "visibility"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.garden_list(
            gardens=visible_gardens(self.request.user), user=self.request.user
        ).prefetch_related("stewards")

    def list(self, request, *args, **kwargs):
        # A page of the unfiltered list: a kept read of plain values.
        rows = (
            selectors.visible_garden_rows(user=request.user) if asks_only_a_page(request) else None
        )
        if rows is None:
            return super().list(request, *args, **kwargs)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(garden_items(page, viewer=request.user))

    def get_object(self) -> Garden:
        garden = access_garden(self.request.user, self.kwargs["slug"])
        return self.get_queryset().get(pk=garden.pk)

    def _out(self, garden: Garden, *, status_code: int = status.HTTP_200_OK) -> Response:
        garden = self.get_queryset().get(pk=garden.pk)
        return Response(
            GardenSerializer(garden, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(request=GardenWriteSerializer, responses={201: GardenSerializer})
    def create(self, request, *args, **kwargs):
        if not can_manage_gardens(request.user):
            raise PermissionDenied("Only programme admins create gardens.")
        data = GardenWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        garden = services.garden_create(created_by=request.user, **data.validated_data)
        return self._out(garden, status_code=status.HTTP_201_CREATED)

    @extend_schema(request=GardenWriteSerializer, responses={200: GardenSerializer})
    def partial_update(self, request, *args, **kwargs):
        garden = access_garden(request.user, self.kwargs["slug"], for_write=True)
        data = GardenWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        garden = services.garden_update(garden=garden, **data.validated_data)
        return self._out(garden)

    @extend_schema(request=None, responses={201: GardenMembershipSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, slug=None):
        """Join the garden (customers; an invite-only garden once the account accepted)."""
        garden = access_garden(request.user, slug)
        membership = services.garden_join(garden=garden, user=request.user)
        return Response(GardenMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, slug=None):
        """Leave the garden (nothing happens if the caller is not a member)."""
        garden = access_garden(request.user, slug)
        services.garden_leave(garden=garden, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: GardenMemberSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_fields=[], search_fields=[])
    def members(self, request, slug=None):
        """The members the caller may see (members and internal users only: 403 otherwise;
        404 where the caller's account is only invited, as for a stranger)."""
        garden = access_garden_content(request.user, slug)
        internal = is_internal(request.user)
        if not internal and not garden_is_member(request.user, garden):
            raise PermissionDenied("Join the garden to see who takes part.")
        page = self.paginate_queryset(
            api_rows.garden_member_values(viewer=request.user, garden=garden)
        )
        items = garden_member_items(page, viewer=request.user, garden=garden)
        return self.get_paginated_response(items)


# --- Invitations -------------------------------------------------------------------------------


class GardenInvitationFilter(django_filters.FilterSet):
    garden = django_filters.CharFilter(field_name="garden__slug", help_text="The garden's slug.")
    status = django_filters.ChoiceFilter(choices=GardenAccountStatus.choices)

    class Meta:
        model = GardenAccount
        fields = ["garden", "status"]


class GardenInvitationViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations of accounts to invite-only gardens."""

    queryset = GardenAccount.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = GardenInvitationSerializer
    filterset_class = GardenInvitationFilter
    search_fields: list[str] = []
    ordering_fields: list[str] = []

    def get_queryset(self):
        return selectors.garden_invitations(
            invitations=visible_garden_invitations(self.request.user)
        )

    def kept_rows(self) -> KeptRows | None:
        # A page of the unfiltered list, as plain values.
        return api_rows.visible_invitation_rows(user=self.request.user)

    def kept_data(self, page: list) -> list:
        # GardenInvitationSerializer's items, made from the values.
        return garden_invitation_items(page)

    def get_object(self) -> GardenAccount:
        pk = self.kwargs["pk"]
        return access_garden_invitation(self.request.user, int(pk) if str(pk).isdigit() else 0)

    @extend_schema(
        request=GardenInvitationCreateSerializer, responses={201: GardenInvitationSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Invite an account (the garden's stewards and programme admins)."""
        data = GardenInvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            garden = access_garden_for_invitations(request.user, data.validated_data["garden"])
        except Http404:
            raise serializers.ValidationError({"garden": ["No such garden."]}) from None
        account = Account.objects.filter(slug=data.validated_data["account"]).first()
        if account is None:
            raise serializers.ValidationError({"account": ["No such account."]})
        invitation = services.garden_invite(garden=garden, account=account, invited_by=request.user)
        return Response(GardenInvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """Withdraw the account from the garden (its members leave it): stewards only."""
        invitation = self.get_object()
        access_garden_for_invitations(request.user, invitation.garden.slug)
        services.garden_account_remove(garden=invitation.garden, account=invitation.account)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _answer(self, request, pk, service) -> Response:
        invitation = access_garden_invitation(
            request.user, int(pk) if str(pk).isdigit() else 0, for_answer=True
        )
        invitation = service(invitation=invitation, by=request.user)
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(GardenInvitationSerializer(invitation).data)

    @extend_schema(request=None, responses={200: GardenInvitationSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept for the account (its admins): its members may then join."""
        return self._answer(request, pk, services.garden_invitation_accept)

    @extend_schema(request=None, responses={200: GardenInvitationSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline for the account (its admins): the garden disappears for it."""
        return self._answer(request, pk, services.garden_invitation_decline)
