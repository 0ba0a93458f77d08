"""REST API of people's profiles: GET /api/v1/people/<id>/profile/ — a person's contributions
(counted per kind), support given (internal people), discussion and harvest figures, recent
items and badges. The same readers as the profile page
(community.access.recognition.access_profile): the people of the person's own account and internal
users who see that account; else 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse404Serializer
from rest_framework.response import Response
from rest_framework.views import APIView

from community.access.recognition import access_profile
from community.models import Milestone, MilestoneKind
from community.selectors.recognition import person_profile
from config import api_serializers as serializers


class MilestoneSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MilestoneKind.choices)
    label = serializers.CharField(source="get_kind_display")
    description = serializers.CharField()

    class Meta:
        model = Milestone
        fields = ["kind", "label", "description", "awarded_at"]
        read_only_fields = fields


class ContributionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The activity kind counted.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    last_at = serializers.DateTimeField(allow_null=True, help_text="The latest one.")


class RecentItemSerializer(serializers.Serializer):
    label = serializers.CharField(
        help_text="A sentence: 'You voted for Offline sync' on one's own profile, the person's "
        "name for anyone else; what it was about by its title when the caller may see it."
    )
    occurred_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="What it was about, if the caller may open it; or ''.")
    title = serializers.CharField(help_text="Its title, if the caller may see it; or ''.")
    support = serializers.BooleanField(help_text="Done by an internal person for an account.")


class ProfileHarvestSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField()


class ProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="person.pk")
    name = serializers.CharField(help_text="How the caller may name the person (accounts.people).")
    account = serializers.SlugField(
        source="account.slug", allow_null=True, help_text="Null for internal people."
    )
    is_internal = serializers.BooleanField()
    garden_partner = serializers.BooleanField(
        source="is_partner", help_text="Their account's latest engagement level is Co-creating."
    )
    milestones = MilestoneSerializer(many=True)
    contributions = ContributionSerializer(many=True)
    support = ContributionSerializer(
        many=True, help_text="What an internal person did for customer accounts."
    )
    posts = serializers.IntegerField(
        help_text="Discussion posts counted in contributions and support (the same events)."
    )
    helpful_received = serializers.IntegerField(help_text="'Helpful' reactions from others.")
    harvests_inspired = serializers.IntegerField()
    harvests_published = serializers.IntegerField()
    recent_harvests = ProfileHarvestSerializer(
        many=True, help_text="The latest harvests they inspired that the caller may read."
    )
    recent = RecentItemSerializer(many=True)


class PersonProfileView(APIView):
    """A person's contributions and badges."""

    @extend_schema(responses={200: ProfileSerializer, 404: ErrorResponse404Serializer})
    def get(self, request, pk: int):
        person = access_profile(request.user, pk)
        return Response(ProfileSerializer(person_profile(viewer=request.user, person=person)).data)
