"""The accounts API's serializers: accounts, memberships, account teams, invitations and the
caller's own API tokens."""

from __future__ import annotations

from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    Currency,
    Invitation,
    MemberRole,
    Membership,
    Segment,
    TeamRole,
    Tier,
    User,
)
from config import api_serializers as serializers
from config.single_line import validate_single_line


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "full_name", "job_title"]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = [
            "id",
            "name",
            "slug",
            "segment",
            "tier",
            "annual_contract_value",
            "currency",
            "customer_since",
            "renewal_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]


class AccountWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, validators=[validate_single_line])
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    annual_contract_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False
    )
    currency = serializers.ChoiceField(
        choices=Currency.choices, required=False, help_text="ISO 4217 code of the contract value."
    )
    customer_since = serializers.DateField(required=False, allow_null=True)
    renewal_date = serializers.DateField(required=False, allow_null=True)


class MembershipSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "account", "role", "created_at"]
        read_only_fields = fields


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MemberRole.choices)


class TeamAssignmentSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = AccountTeamAssignment
        fields = ["id", "user", "account", "role", "created_at"]
        read_only_fields = fields


class TeamAssignmentWriteSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="ID of an internal user.")
    account = serializers.SlugField(help_text="Slug of the account.")
    role = serializers.ChoiceField(choices=TeamRole.choices)


class InvitationSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    invited_by = PersonSerializer(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "account",
            "email",
            "role",
            "status",
            "invited_by",
            "expires_at",
            "sent_at",
            "accepted_at",
            "revoked_at",
            "created_at",
        ]
        read_only_fields = fields


class InvitationWriteSerializer(serializers.Serializer):
    account = serializers.SlugField(help_text="Slug of the account to invite the person to.")
    email = serializers.EmailField(validators=[validate_single_line])
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)


class MeSerializer(serializers.Serializer):
    user = PersonSerializer()
    account = AccountSerializer(allow_null=True)
    account_role = serializers.ChoiceField(choices=MemberRole.choices, allow_null=True)
    internal_roles = serializers.ListField(child=serializers.CharField())


class ApiTokenSerializer(serializers.ModelSerializer):
    """One of the caller's API tokens. The token itself is never shown again after it was made
    (only its hash is stored): `token_key`, its first characters, names it."""

    token_key = serializers.CharField(
        read_only=True, help_text="The first characters of the token; its URL uses them."
    )
    created_at = serializers.DateTimeField(source="created", read_only=True)
    expires_at = serializers.DateTimeField(
        source="expiry", read_only=True, allow_null=True, help_text="It stops working then."
    )

    class Meta:
        model = ApiToken
        fields = ["token_key", "name", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class PersonalDataSerializer(serializers.Serializer):
    """The caller's personal data: one object per app section (accounts, community, ideas),
    each holding lists of their own rows. Free-form beyond the first keys."""

    format = serializers.CharField(help_text='"customer-garden-personal-data/1".')
    exported_at = serializers.DateTimeField()
    accounts = serializers.DictField(
        help_text="Profile, membership, invitations, API tokens (their names, never the tokens), "
        "the audit trail's changes about them and by them."
    )
    community = serializers.DictField(
        required=False,
        help_text="Garden memberships, discussion threads/posts/reactions/flags, harvest reads, "
        "notifications, preferences, milestones, activity events.",
    )
    ideas = serializers.DictField(
        required=False,
        help_text="Ideas, votes, comments, follows, pilot enrolments, agreements accepted, "
        "feedback responses with their answers.",
    )


class PersonErasedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name", help_text='Always "Former member".')
    erased_at = serializers.DateTimeField()
