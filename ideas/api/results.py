"""REST API of pilot results: GET /api/v1/pilots/<id>/results/?split=segment|level.

The same figures as the results page and its figures CSV (ideas.selectors.results.pilot_results,
each figure one function of ideas/selectors/results_figures.py), with the same values: means,
intervals and standard deviations already rounded to 2 decimals, shares as whole percentages.
For the same readers (access.access_pilot_results); verbatims only for internal readers."""

from __future__ import annotations

import threading

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import ErrorResponse403Serializer
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList
from rest_framework.views import APIView

from config import api_serializers as serializers
from config.figures_version import figures_version, remembered_figures
from ideas import access
from ideas.models import Phase
from ideas.selectors.results import MIN_PARTICIPANTS, ResultSplit, pilot_results, results_today

# --- Output serializers built once per process -------------------------------------------------

_BUILT: dict[tuple[type, bool, str], serializers.BaseSerializer] = {}
_BUILDING = threading.Lock()


def serialized(serializer_class: type[serializers.BaseSerializer], instance, *, many: bool = False):
    """`serializer_class(instance, many=many).data`, from a serializer object built once per
    process: an output serializer that reads no context answers the same for every instance, and
    building one (with its nested serializers, whose fields DRF copies per object) costs more
    than reading a pilot's results through it. The object is bound in full before it is shared
    (DRF binds fields on first use), so that two threads never see it half bound; one is kept
    per active time zone, which its date-time fields take when bound."""
    # Per active time zone: the object's date-time fields show it (config.api_lean).
    key = (serializer_class, many, timezone.get_current_timezone_name())
    serializer = _BUILT.get(key)
    if serializer is None:
        with _BUILDING:
            serializer = _BUILT.get(key)
            if serializer is None:
                serializer = serializer_class(many=many)
                _bind(serializer)
                _BUILT[key] = serializer
    data = serializer.to_representation(instance)
    if many:
        return ReturnList(data, serializer=serializer)
    return ReturnDict(data, serializer=serializer)


def _bind(serializer: serializers.BaseSerializer) -> None:
    if isinstance(serializer, serializers.ListSerializer):
        _bind(serializer.child)
        return
    for field in serializer.fields.values():
        if isinstance(field, serializers.BaseSerializer):
            _bind(field)
    readable_list = getattr(serializer, "_readable_list", None)  # config.api_lean's
    if readable_list is not None:
        readable_list()  # the readable fields, listed once per object


# --- The results -------------------------------------------------------------------------------


class PilotResultsQuerySerializer(serializers.Serializer):
    split = serializers.ChoiceField(
        choices=ResultSplit.choices,
        required=False,
        help_text="Split the figures by the accounts' segment, or by their engagement level "
        "when the pilot started (the level of their snapshot on the pilot's first day, or the "
        'latest one before it; none: "Level not known yet").',
    )


_TWO_PLACES = " Rounded half away from zero to 2 decimals, as the page shows it."
_PERCENT = " A whole percentage, rounded half away from zero, as the page shows it."


class IntervalSerializer(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()


class DimensionResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    expected_mean = serializers.FloatField(allow_null=True, help_text="1–7." + _TWO_PLACES)
    expected_n = serializers.IntegerField()
    experienced_mean = serializers.FloatField(allow_null=True, help_text="1–7." + _TWO_PLACES)
    experienced_n = serializers.IntegerField()
    gap_mean = serializers.FloatField(
        allow_null=True,
        help_text="Experienced − expected: the mean of each paired participant's difference."
        + _TWO_PLACES,
    )
    gap_sd = serializers.FloatField(
        allow_null=True, help_text="Sample standard deviation of the gaps." + _TWO_PLACES
    )
    gap_interval = IntervalSerializer(
        allow_null=True,
        help_text="95% t-interval of the gap; null under two pairs." + _TWO_PLACES,
    )
    paired_n = serializers.IntegerField(
        help_text="Participants with both an expected and an experienced rating."
    )
    met_count = serializers.IntegerField(
        help_text="Paired participants whose experience ≥ expectation."
    )
    met_percent = serializers.IntegerField(
        allow_null=True, help_text="met_count ÷ paired_n." + _PERCENT
    )
    sacrifice_mean = serializers.FloatField(allow_null=True, help_text="0–6." + _TWO_PLACES)
    sacrifice_n = serializers.IntegerField()
    perceived_mean = serializers.FloatField(
        allow_null=True,
        help_text="Perceived experience: the mean of each participant's expected − sacrifice."
        + _TWO_PLACES,
    )
    perceived_n = serializers.IntegerField()


class NpsResultSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    promoters = serializers.IntegerField(help_text="Answers 9–10.")
    passives = serializers.IntegerField(help_text="Answers 7–8.")
    detractors = serializers.IntegerField(help_text="Answers 0–6.")
    promoters_percent = serializers.IntegerField(allow_null=True, help_text=_PERCENT.strip())
    passives_percent = serializers.IntegerField(allow_null=True, help_text=_PERCENT.strip())
    detractors_percent = serializers.IntegerField(allow_null=True, help_text=_PERCENT.strip())
    score = serializers.IntegerField(
        allow_null=True, help_text="% promoters − % detractors, rounded half away from zero."
    )
    distribution = serializers.ListField(
        child=serializers.IntegerField(), help_text="Answers per score, 0 to 10."
    )
    too_small = serializers.BooleanField(help_text=f"n under {MIN_PARTICIPANTS}.")


class ChoiceCountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True, help_text="count ÷ n." + _PERCENT)


class JobDoneResultSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    choices = ChoiceCountSerializer(many=True)
    too_small = serializers.BooleanField()


class MeanResultSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True, help_text=_TWO_PLACES.strip())
    n = serializers.IntegerField()
    too_small = serializers.BooleanField()


class CheckInRateSerializer(serializers.Serializer):
    check_in = serializers.IntegerField(source="check_in_id")
    title = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    due_on = serializers.DateField(allow_null=True, help_text="Null: due at enrolment.")
    due = serializers.BooleanField(
        help_text="Due by today (site time zone): its due date has come (that day included), "
        "it has none (due at enrolment), or the pilot is closed."
    )
    submitted = serializers.IntegerField(
        help_text="Participants who submitted it (early answers too)."
    )
    enrolled = serializers.IntegerField()
    percent = serializers.IntegerField(
        allow_null=True, help_text="Submitted ÷ enrolled once due; null before." + _PERCENT
    )
    text = serializers.CharField(help_text='"5 of 7 answered, 71%" or "not due yet".')


class ResponseRateSerializer(serializers.Serializer):
    answered = serializers.IntegerField(help_text="Submitted responses to due check-ins.")
    due = serializers.IntegerField(help_text="Participants × check-ins due.")
    percent = serializers.IntegerField(
        allow_null=True, help_text="answered ÷ due; null when nothing is due." + _PERCENT
    )
    text = serializers.CharField(help_text='"22 of 24 due check-ins answered, 92%".')


class ResultGroupSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text='"overall", a segment, or an engagement level when the pilot started '
        '("not_computed": level not known yet).'
    )
    label = serializers.CharField()
    enrolled = serializers.IntegerField()
    respondents = serializers.IntegerField()
    too_small = serializers.BooleanField(help_text=f"Under {MIN_PARTICIPANTS} respondents.")
    paired_n = serializers.IntegerField()
    dimensions_too_small = serializers.BooleanField()
    dimensions = DimensionResultSerializer(many=True)
    nps = NpsResultSerializer()
    job_done = JobDoneResultSerializer()
    adopt = MeanResultSerializer(help_text="Likelihood to adopt, 0–10.")
    check_ins = CheckInRateSerializer(many=True)
    response_rate = ResponseRateSerializer(
        help_text="Due check-ins answered ÷ participants × check-ins due."
    )


class VerbatimSerializer(serializers.Serializer):
    response = serializers.IntegerField(source="response_id")
    account_name = serializers.CharField()
    segment = serializers.CharField()
    check_in = serializers.CharField()
    question = serializers.CharField()
    text = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class PilotResultsSerializer(serializers.Serializer):
    pilot = serializers.IntegerField(source="pilot.pk")
    split = serializers.ChoiceField(choices=ResultSplit.choices, allow_null=True)
    min_participants = serializers.IntegerField()
    today = serializers.DateField(help_text="The day check-ins are due by (site time zone).")
    overall = ResultGroupSerializer()
    groups = ResultGroupSerializer(many=True)
    verbatims = VerbatimSerializer(many=True)


class PilotResultsView(APIView):
    """A pilot's results: per dimension expected, experienced, gap with its 95% interval,
    met-or-exceeded share, sacrifice and perceived experience; NPS; job done; likelihood to
    adopt; response rates over the check-ins due; verbatims. For product managers (and
    programme admins)."""

    @extend_schema(
        parameters=[PilotResultsQuerySerializer],
        # 403: the pilot is visible to the caller, who may not read its results (customers).
        responses={200: PilotResultsSerializer, 403: ErrorResponse403Serializer},
    )
    def get(self, request, pk: int):
        version = figures_version()  # before the pilot is read (config.figures_version)
        pilot = access.access_pilot_results(request.user, pk)
        query = PilotResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        split = query.validated_data.get("split")
        verbatims = access.can_read_verbatims(request.user)
        today = results_today()

        def answer():
            results = pilot_results(pilot=pilot, split=split, today=today)
            if not verbatims:
                results.verbatims = []
            return serialized(PilotResultsSerializer, results)

        parts = (pilot.pk, split, verbatims, today)
        return Response(remembered_figures("pilot-results", parts, answer, version=version))
