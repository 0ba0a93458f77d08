"""REST API of harvests.

GET  /api/v1/harvests/                 the harvests aimed at the caller's account (customers);
                                       every harvest for internal users (drafts they may write)
GET  /api/v1/harvests/<slug>/          one harvest the caller may see (404 otherwise)
POST /api/v1/harvests/                 a draft: stewards of its garden, product managers,
PATCH /api/v1/harvests/<slug>/         programme admins (403 for others)
POST /api/v1/harvests/<slug>/publish/  publish and tell the accounts it is aimed at
POST /api/v1/harvests/<slug>/reads/    mark it read (once per person; 200 either way)
GET  /api/v1/harvests/<slug>/reach/    how far it travelled (those who write it)

A harvest of an invite-only garden shown to an account not taking part in it comes without
its garden and sources (garden: null)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.models import Segment, User
from community.access.harvests import (
    access_harvest,
    can_write_harvests,
    harvest_garden_shown,
    harvest_writable_gardens,
)
from community.api.route_fields import RouteAddresses, RouteField
from community.api.rows import fields_shown
from community.markdown import markdown_render
from community.models import (
    EngagementLevel,
    GardenTheme,
    Harvest,
    HarvestAudience,
    HarvestKind,
    Thread,
)
from community.selectors import api_rows
from community.selectors import harvests as selectors_harvests
from community.services.harvests import (
    harvest_create,
    harvest_publish,
    harvest_read,
    harvest_update,
)
from config import api_serializers as serializers
from config.api import KeptPageList
from config.api_rows import moment_shown
from config.single_line import validate_single_line
from config.sql_once import KeptRows


class _HarvestSourceSerializer(serializers.Serializer):
    """Where a harvest came from; null when its garden is not shown to the caller."""

    thread = serializers.IntegerField(allow_null=True, help_text="The thread's id.")
    pilot = serializers.IntegerField(allow_null=True, help_text="The pilot's id.")
    url = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "HarvestSource"


class HarvestSerializer(serializers.ModelSerializer):
    garden = serializers.SerializerMethodField(
        help_text="The garden's slug; null when it has none or the caller may not see it."
    )
    garden_name = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField(help_text="The body rendered (safe HTML).")
    source = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()
    url = RouteField(
        route="community:harvest-detail", values=lambda harvest: {"slug": harvest.slug}
    )

    class Meta:
        model = Harvest
        fields = [
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "kind",
            "garden",
            "garden_name",
            "audience",
            "segments",
            "source",
            "published_at",
            "is_read",
            "url",
        ]
        read_only_fields = fields

    def _shown(self, harvest: Harvest) -> bool:
        shown = getattr(harvest, "garden_shown", None)
        if shown is None:
            shown = harvest_garden_shown(self.context["request"].user, harvest)
            harvest.garden_shown = shown
        return harvest.garden_id is not None and bool(shown)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_garden(self, harvest: Harvest) -> str | None:
        return harvest.garden.slug if self._shown(harvest) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_garden_name(self, harvest: Harvest) -> str | None:
        return harvest.garden.name if self._shown(harvest) else None

    def get_body_html(self, harvest: Harvest) -> str:
        return str(markdown_render(harvest.body))

    @extend_schema_field(_HarvestSourceSerializer(allow_null=True))
    def get_source(self, harvest: Harvest) -> dict | None:
        if harvest.garden_id is not None and not self._shown(harvest):
            return None
        return {
            "thread": harvest.source_thread_id,
            "pilot": harvest.source_pilot_ref,
            "url": harvest.source_url or None,
        }

    def get_is_read(self, harvest: Harvest) -> bool:
        is_read = getattr(harvest, "is_read", None)
        if is_read is None:
            is_read = harvest.reads.filter(user=self.context["request"].user).exists()
        return bool(is_read)


def harvest_items(rows: list[tuple]) -> list[dict]:
    """HarvestSerializer's items of the harvests API's feed rows read as plain values
    (community.selectors.api_rows.HARVEST_VALUES, which say whether the reader read each harvest
    and may see its garden): the same, key for key and value for value, made without the
    serializer (the values each choice field turns into what it shows, as it does)."""
    kind_shown, audience_shown = fields_shown(HarvestSerializer, "kind audience")
    moment = moment_shown()
    address = RouteAddresses("community:harvest-detail")
    items = []
    for row in rows:
        slug, title, summary, body, kind, garden_id, garden_slug, garden_name = row[:8]
        audience, segments, thread_id, pilot_ref, source_url, published_at = row[8:14]
        is_read, garden_shown = row[14:]
        shown = garden_id is not None and bool(garden_shown)
        hidden = garden_id is not None and not shown
        items.append(
            {
                "slug": slug,
                "title": title,
                "summary": summary,
                "body": body,
                "body_html": str(markdown_render(body)),
                "kind": kind_shown(kind),
                "garden": garden_slug if shown else None,
                "garden_name": garden_name if shown else None,
                "audience": audience_shown(audience),
                "segments": segments,
                "source": None
                if hidden
                else {"thread": thread_id, "pilot": pilot_ref, "url": source_url or None},
                "published_at": None if published_at is None else moment(published_at),
                "is_read": bool(is_read),
                "url": address(slug=slug),
            }
        )
    return items


class HarvestWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[validate_single_line])
    summary = serializers.CharField(max_length=500)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=HarvestKind.choices)
    garden = serializers.SlugField(
        required=False, allow_null=True, default=None, help_text="The garden's slug."
    )
    audience = serializers.ChoiceField(
        choices=HarvestAudience.choices, default=HarvestAudience.GARDEN
    )
    segments = serializers.ListField(
        child=serializers.ChoiceField(choices=Segment.choices), required=False, default=list
    )
    source_thread = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="A discussion's id."
    )
    source_pilot_ref = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="A pilot's id."
    )
    source_url = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        validators=[validate_single_line],
    )
    inspired_by = serializers.ListField(
        child=serializers.EmailField(validators=[validate_single_line]),
        required=False,
        help_text="Email addresses of the people it came from.",
    )

    def validate_garden(self, slug):
        if not slug:
            return None
        garden = harvest_writable_gardens(self.context["request"].user).filter(slug=slug).first()
        if garden is None:
            raise serializers.ValidationError("No garden of yours with this slug.")
        return garden

    def validate_source_thread(self, pk):
        if pk is None:
            return None
        user = self.context["request"].user
        thread = Thread.objects.filter(pk=pk, garden__in=harvest_writable_gardens(user)).first()
        if thread is None:
            raise serializers.ValidationError("No discussion of your gardens with this id.")
        return thread

    def validate_inspired_by(self, emails):
        emails = [e.lower() for e in emails]
        people = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = sorted(set(emails) - {p.email.lower() for p in people})
        if unknown:
            raise serializers.ValidationError(f"No active person with: {', '.join(unknown)}.")
        return people


class HarvestReadSerializer(serializers.Serializer):
    harvest = serializers.SlugField(source="harvest.slug")
    read_at = serializers.DateTimeField()


class LevelReachSerializer(serializers.Serializer):
    level = serializers.CharField(
        help_text="A level on the day of the read (empty: not computed yet by then)."
    )
    label = serializers.CharField()
    accounts = serializers.IntegerField()


class AccountReachSerializer(serializers.Serializer):
    account = serializers.CharField(help_text="Its name, if the caller may see the account.")
    segment = serializers.ChoiceField(choices=Segment.choices)
    level = serializers.ChoiceField(
        choices=[("", "Not computed yet"), *EngagementLevel.choices],
        help_text="The account's engagement level on the day it first read it, as its "
        "engagement history stands (empty: not computed yet by then).",
    )
    outside_garden = serializers.BooleanField()
    readers = serializers.IntegerField()
    first_read = serializers.DateTimeField()


class HarvestReachSerializer(serializers.Serializer):
    readers = serializers.IntegerField()
    accounts = serializers.IntegerField()
    outside_garden = serializers.IntegerField()
    by_level = LevelReachSerializer(many=True)
    rows = AccountReachSerializer(many=True)


class HarvestFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=HarvestKind.choices, method="_noop")
    garden = django_filters.CharFilter(method="_noop", help_text="A garden's slug.")
    theme = django_filters.ChoiceFilter(choices=GardenTheme.choices, method="_noop")

    class Meta:
        model = Harvest
        fields: list[str] = []

    def _noop(self, queryset, name, value):  # the selector filters (see get_queryset)
        return queryset


_ERRORS = {403: ErrorResponse403Serializer, 404: ErrorResponse404Serializer}


class HarvestViewSet(
    KeptPageList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Harvests: what the gardens learnt, for the customers it is aimed at."""

    queryset = Harvest.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = HarvestSerializer
    lookup_field = "slug"
    filterset_class = HarvestFilter
    search_fields = ["title", "summary"]
    ordering_fields: list[str] = []

    def get_queryset(self):
        params = self.request.query_params
        garden = None
        if params.get("garden"):
            garden = (
                selectors_harvests.harvest_filter_gardens(user=self.request.user)
                .filter(slug=params["garden"])
                .first()
            )
            if garden is None:
                return Harvest.objects.none()
        return selectors_harvests.harvest_feed(
            user=self.request.user,
            kind=params.get("kind", "") if params.get("kind") in HarvestKind.values else "",
            garden=garden,
            theme=params.get("theme", "") if params.get("theme") in GardenTheme.values else "",
        ).select_related("source_thread")

    def kept_rows(self) -> KeptRows | None:
        # A page of the unfiltered feed, as plain values.
        return api_rows.harvest_feed_rows(user=self.request.user)

    def kept_data(self, page: list) -> list:
        # HarvestSerializer's items, made from the values.
        return harvest_items(page)

    def get_object(self) -> Harvest:
        return access_harvest(self.request.user, self.kwargs["slug"])

    @extend_schema(
        request=HarvestWriteSerializer,
        responses={201: HarvestSerializer, 403: ErrorResponse403Serializer},
    )
    def create(self, request):
        user = request.user
        if not (can_write_harvests(user, None) or harvest_writable_gardens(user).exists()):
            raise PermissionDenied("Only stewards, product managers and programme admins.")
        data = HarvestWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        harvest = harvest_create(created_by=user, **data.validated_data)
        return Response(
            HarvestSerializer(harvest, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=HarvestWriteSerializer, responses={200: HarvestSerializer, **_ERRORS})
    def partial_update(self, request, slug=None):
        """Change the fields given (the others stay)."""
        harvest = access_harvest(request.user, slug, for_write=True)
        data = HarvestWriteSerializer(data=request.data, context={"request": request}, partial=True)
        data.is_valid(raise_exception=True)
        harvest = harvest_update(harvest=harvest, by=request.user, **data.validated_data)
        return Response(HarvestSerializer(harvest, context={"request": request}).data)

    @extend_schema(request=None, responses={200: HarvestSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, slug=None):
        harvest = access_harvest(request.user, slug, for_write=True)
        harvest = harvest_publish(harvest=harvest, by=request.user)
        return Response(HarvestSerializer(harvest, context={"request": request}).data)

    @extend_schema(request=None, responses={200: HarvestReadSerializer, **_ERRORS})
    @action(detail=True, methods=["post"])
    def reads(self, request, slug=None):
        harvest = access_harvest(request.user, slug)
        read = harvest_read(harvest=harvest, user=request.user)
        if read is None:  # a draft (seen by those who write it): nothing to read yet
            raise serializers.ValidationError({"non_field_errors": ["A draft is not read."]})
        return Response(HarvestReadSerializer(read).data)

    @extend_schema(request=None, responses={200: HarvestReachSerializer, **_ERRORS})
    @action(detail=True, methods=["get"])
    def reach(self, request, slug=None):
        harvest = access_harvest(request.user, slug, for_write=True)
        reach = selectors_harvests.harvest_reach(harvest=harvest, viewer=request.user)
        return Response(HarvestReachSerializer(reach).data)
