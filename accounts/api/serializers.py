"""The accounts API's serializers: accounts, memberships, account teams, invitations and the
caller's own API tokens; and the items of a kept page of the first four, made from plain values
without their serializer (`*_items`: config.api.KeptPageList.kept_data)."""

from __future__ import annotations

from functools import cache

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
from accounts.people import PersonValues
from config import api_serializers as serializers
from config.api_rows import moment_shown
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


# A kept page's items, made from the values of accounts.selectors' `*_values` reads (their
# columns, in their order) without the serializers above: the same items, key for key and
# value for value. Texts, numbers and choices read from the database are what the serializers'
# fields give for them; the others go through the serializer's own fields.


def _person_item(pk: int | None, email, first_name, last_name, job_title) -> dict | None:
    """PersonSerializer's item of a person's values (`_PERSON`), None for no person."""
    if pk is None:
        return None
    return {
        "id": pk,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "full_name": PersonValues(first_name=first_name, last_name=last_name).full_name,
        "job_title": job_title,
    }


@cache
def _account_fields() -> dict:
    """AccountSerializer's fields, built once: how they show a decimal, a choice and a date."""
    return dict(AccountSerializer().fields)


def account_items(rows: list[tuple]) -> list[dict]:
    """AccountSerializer's items of accounts' values (accounts.selectors.account_values)."""
    moment = moment_shown()
    fields = _account_fields()
    segment, tier = fields["segment"].to_representation, fields["tier"].to_representation
    value, currency = (
        fields["annual_contract_value"].to_representation,
        fields["currency"].to_representation,
    )
    day = fields["customer_since"].to_representation
    items = []
    for pk, name, slug, seg, tie, acv, cur, since, renewal, created, updated in rows:
        items.append(
            {
                "id": pk,
                "name": name,
                "slug": slug,
                "segment": None if seg is None else segment(seg),
                "tier": None if tie is None else tier(tie),
                "annual_contract_value": None if acv is None else value(acv),
                "currency": None if cur is None else currency(cur),
                "customer_since": None if since is None else day(since),
                "renewal_date": None if renewal is None else day(renewal),
                "created_at": moment(created),
                "updated_at": moment(updated),
            }
        )
    return items


def member_items(rows: list[tuple]) -> list[dict]:
    """MembershipSerializer's (or TeamAssignmentSerializer's: the same fields) items of
    memberships' or account teams' values (accounts.selectors.MEMBER_VALUES)."""
    moment = moment_shown()
    return [
        {
            "id": pk,
            "user": _person_item(*person),
            "account": slug,
            "role": role,
            "created_at": moment(created),
        }
        for pk, role, created, slug, *person in rows
    ]


class _InvitationState:
    """What an invitation's status reads, read as an Invitation reads its status."""

    __slots__ = ("accepted_at", "revoked_at", "expires_at")
    status = Invitation.status

    def __init__(self, accepted_at, revoked_at, expires_at) -> None:
        self.accepted_at, self.revoked_at, self.expires_at = accepted_at, revoked_at, expires_at


def invitation_items(rows: list[tuple]) -> list[dict]:
    """InvitationSerializer's items of invitations' values
    (accounts.selectors.INVITATION_VALUES)."""
    moment = moment_shown()
    items = []
    for pk, email, role, expires, sent, accepted, revoked, created, slug, *inviter in rows:
        items.append(
            {
                "id": pk,
                "account": slug,
                "email": email,
                "role": role,
                "status": _InvitationState(accepted, revoked, expires).status,
                "invited_by": _person_item(*inviter),
                "expires_at": moment(expires),
                "sent_at": moment(sent),
                "accepted_at": moment(accepted),
                "revoked_at": moment(revoked),
                "created_at": moment(created),
            }
        )
    return items
