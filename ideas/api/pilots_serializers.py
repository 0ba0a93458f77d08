"""Serializers of the pilots API: input serializers only parse; the services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field

from accounts.api.fields import PersonNameField
from accounts.models import Segment
from community.models import EngagementLevel
from config import api_serializers as serializers
from config.single_line import validate_single_line
from ideas.models import Agreement, CheckIn, Enrolment, Pilot, PilotDecision, PilotState

_LEVEL_CHOICES = [("", "Any level"), *EngagementLevel.choices]


# --- Output ------------------------------------------------------------------------------------


class PilotSerializer(serializers.ModelSerializer):
    idea_title = serializers.CharField(source="idea.title", read_only=True)
    garden = serializers.SlugRelatedField(source="idea.garden", slug_field="slug", read_only=True)
    accounts_taking_part = serializers.IntegerField(
        read_only=True, help_text="How many accounts have members enrolled."
    )
    # Declared so the schema says what is sent: blank ("") until set.
    min_engagement_level = serializers.ChoiceField(
        choices=EngagementLevel.choices,
        allow_blank=True,
        read_only=True,
        help_text="Accounts below this level are not eligible; blank means any level.",
    )
    decision = serializers.ChoiceField(
        choices=PilotDecision.choices,
        allow_blank=True,
        read_only=True,
        help_text="Blank until the pilot is decided.",
    )

    class Meta:
        model = Pilot
        fields = [
            "id",
            "title",
            "idea",
            "idea_title",
            "garden",
            "description",
            "what_to_expect",
            "recruiting_opens",
            "runs_from",
            "runs_until",
            "capacity",
            "eligible_segments",
            "min_engagement_level",
            "state",
            "published",
            "accounts_taking_part",
            "decision",
            "outcome_note",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["version", "title", "text", "created_at"]
        read_only_fields = fields


class CheckInSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckIn
        fields = ["id", "phase", "title", "due_on"]
        read_only_fields = fields


class ParticipationSerializer(serializers.Serializer):
    """The caller's own account in the pilot (customers only)."""

    account = serializers.CharField(help_text="The caller's account (slug).")
    agreement_accepted = serializers.BooleanField(
        help_text="The account accepted the current agreement version."
    )
    enrolled = serializers.BooleanField(help_text="The caller is enrolled.")
    enrolment_refusal = serializers.CharField(
        allow_null=True, help_text="Why the caller cannot enrol now (null: they can, or are)."
    )


class EnrolledMemberSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = PersonNameField(person="user", account_id="account_id")
    email = serializers.EmailField(source="user.email")
    enrolled_at = serializers.DateTimeField(source="created_at")


class InvitedAccountSerializer(serializers.Serializer):
    """An invited account with its agreement status and enrolled members (product managers)."""

    account = serializers.CharField(source="account.slug")
    name = serializers.CharField(source="account.name")
    segment = serializers.CharField(source="account.segment")
    level = serializers.CharField()
    agreement_accepted = serializers.BooleanField(source="accepted_current")
    not_eligible = serializers.CharField(
        source="ineligible", help_text="Why it is no longer eligible; empty if it is."
    )
    enrolments = EnrolledMemberSerializer(many=True)


class PilotDetailSerializer(PilotSerializer):
    """A pilot with its agreement and check-ins; a customer's own participation, or, for a
    product manager, the invited accounts and their enrolments. Needs `page` (a PilotPage)
    in the context."""

    agreement = serializers.SerializerMethodField()
    check_ins = serializers.SerializerMethodField()
    participation = serializers.SerializerMethodField()
    invitations = serializers.SerializerMethodField()

    class Meta(PilotSerializer.Meta):
        fields = [
            *PilotSerializer.Meta.fields,
            "agreement",
            "check_ins",
            "participation",
            "invitations",
        ]
        read_only_fields = fields

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, pilot):
        page = self.context["page"]
        return AgreementSerializer(page.agreement).data if page.agreement else None

    @extend_schema_field(CheckInSerializer(many=True))
    def get_check_ins(self, pilot):
        return CheckInSerializer(self.context["page"].check_ins, many=True).data

    @extend_schema_field(ParticipationSerializer(allow_null=True))
    def get_participation(self, pilot):
        page = self.context["page"]
        if page.membership is None:
            return None
        return ParticipationSerializer(
            {
                "account": page.membership.account.slug,
                "agreement_accepted": page.agreement_accepted,
                "enrolled": page.enrolment is not None,
                "enrolment_refusal": page.refusal.message if page.refusal else None,
            }
        ).data

    @extend_schema_field(InvitedAccountSerializer(many=True, allow_null=True))
    def get_invitations(self, pilot):
        page = self.context["page"]
        if not page.manages:
            return None
        return InvitedAccountSerializer(page.invited, many=True, context=self.context).data


class EnrolmentSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "pilot", "user", "account", "created_at"]
        read_only_fields = fields


class AcceptanceSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.slug")
    agreement_version = serializers.IntegerField(source="agreement.version")
    accepted_by = serializers.IntegerField(source="accepted_by_id")
    accepted_at = serializers.DateTimeField()


class InvitationsResultSerializer(serializers.Serializer):
    invited = serializers.ListField(
        child=serializers.CharField(), help_text="Accounts newly invited (slugs)."
    )


class SupporterInvitationsSerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    already_invited = serializers.IntegerField()
    not_eligible = serializers.IntegerField()
    message = serializers.CharField()


# --- Input -------------------------------------------------------------------------------------


class PilotWriteSerializer(serializers.Serializer):
    """A pilot's fields; the schedule and eligibility rules are checked by the service."""

    title = serializers.CharField(max_length=200, validators=[validate_single_line])
    description = serializers.CharField()
    what_to_expect = serializers.CharField()
    recruiting_opens = serializers.DateField()
    runs_from = serializers.DateField()
    runs_until = serializers.DateField()
    capacity = serializers.IntegerField(min_value=1, help_text="How many accounts can take part.")
    eligible_segments = serializers.ListField(
        child=serializers.ChoiceField(choices=Segment.choices),
        required=False,
        help_text="Empty: every segment.",
    )
    min_engagement_level = serializers.ChoiceField(
        choices=_LEVEL_CHOICES, required=False, allow_blank=True
    )


class PilotCreateSerializer(PilotWriteSerializer):
    idea = serializers.IntegerField(help_text="The idea to pilot (its id).")
    agreement_title = serializers.CharField(
        max_length=200, default="Pilot agreement", validators=[validate_single_line]
    )
    agreement_text = serializers.CharField(help_text="Version 1 of the agreement (NDA or terms).")


class PilotStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=PilotState.choices)


class InvitationsWriteSerializer(serializers.Serializer):
    accounts = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text="Slugs of the accounts to invite."
    )


class AgreementWriteSerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=200, default="Pilot agreement", validators=[validate_single_line]
    )
    text = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=PilotDecision.choices)
    outcome_note = serializers.CharField(help_text='"You said, we did", told to participants.')
