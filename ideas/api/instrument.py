"""REST API of the instrument designer: thin views over ideas.access,
ideas.selectors.instrument and ideas.services.instrument.

Product managers (every edit answers the instrument that now holds it: once members have
answered, an edit makes a new version, whose questions and dimensions have new ids):
    GET  /pilots/{id}/instrument/                                the current version
    GET  /pilots/{id}/instrument/questions/                      POST: add one
    GET  /pilots/{id}/instrument/questions/{question_id}/        PATCH: reword; DELETE: remove
    POST /pilots/{id}/instrument/questions/{question_id}/move/   up or down within its phase
    GET  /pilots/{id}/instrument/dimensions/                     POST: add one
    GET  /pilots/{id}/instrument/dimensions/{dimension_id}/      PATCH: rename, set the target;
                                                                 DELETE: remove
    POST /pilots/{id}/instrument/dimensions/{dimension_id}/move/ up or down
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas import access
from ideas.api import instrument_serializers as s
from ideas.api.results import serialized
from ideas.models import Dimension, Pilot, Question
from ideas.selectors import instrument as selectors
from ideas.services import instrument as services


def _pilot(request: Request, pk: int) -> Pilot:
    """Only product managers design instruments (customers get 404 or 403)."""
    return access.access_pilot(request.user, pk, for_write=True)


def _instrument_body(pilot: Pilot) -> dict:
    return s.InstrumentSerializer(selectors.instrument_design(pilot=pilot)).data


def _question(request: Request, pk: int, question_id: int) -> Question:
    question = selectors.instrument_question(pilot=_pilot(request, pk), question_id=question_id)
    if question is None:
        raise Http404("No such question in the current instrument.")
    return question


def _dimension(request: Request, pk: int, dimension_id: int) -> Dimension:
    dimension = selectors.instrument_dimension(pilot=_pilot(request, pk), dimension_id=dimension_id)
    if dimension is None:
        raise Http404("No such dimension in the current instrument.")
    return dimension


class InstrumentView(APIView):
    """The current version of a pilot's feedback instrument."""

    @extend_schema(responses={200: s.InstrumentSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_instrument_body(_pilot(request, pk)))


class InstrumentQuestionsView(APIView):
    @extend_schema(
        summary="The questions of the current version",
        responses={200: s.QuestionSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        questions = selectors.instrument_questions(pilot=_pilot(request, pk))
        return Response(serialized(s.QuestionSerializer, questions, many=True))

    @extend_schema(
        summary="Add a question at the end of its phase",
        request=s.QuestionCreateSerializer,
        responses={201: s.InstrumentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        pilot = _pilot(request, pk)
        data = s.QuestionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.instrument_question_add(pilot=pilot, **data.validated_data)
        return Response(_instrument_body(pilot), status=201)


class InstrumentQuestionView(APIView):
    @extend_schema(responses={200: s.QuestionSerializer})
    def get(self, request: Request, pk: int, question_id: int) -> Response:
        return Response(s.QuestionSerializer(_question(request, pk, question_id)).data)

    @extend_schema(
        summary="Reword a question",
        request=s.QuestionUpdateSerializer,
        responses={200: s.InstrumentSerializer},
    )
    def patch(self, request: Request, pk: int, question_id: int) -> Response:
        question = _question(request, pk, question_id)
        data = s.QuestionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.instrument_question_update(question=question, **data.validated_data)
        return Response(_instrument_body(question.instrument.pilot))

    @extend_schema(
        summary="Remove a question (answers already given keep it in their version)",
        responses={200: s.InstrumentSerializer},
    )
    def delete(self, request: Request, pk: int, question_id: int) -> Response:
        question = _question(request, pk, question_id)
        services.instrument_question_remove(question=question)
        return Response(_instrument_body(question.instrument.pilot))


class InstrumentQuestionMoveView(APIView):
    @extend_schema(
        summary="Move a question up or down within its phase",
        request=s.MoveSerializer,
        responses={200: s.InstrumentSerializer},
    )
    def post(self, request: Request, pk: int, question_id: int) -> Response:
        question = _question(request, pk, question_id)
        data = s.MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.instrument_question_move(
            question=question, direction=data.validated_data["direction"]
        )
        return Response(_instrument_body(question.instrument.pilot))


class InstrumentDimensionsView(APIView):
    @extend_schema(
        summary="The dimensions of the current version",
        responses={200: s.DimensionSerializer(many=True)},
    )
    def get(self, request: Request, pk: int) -> Response:
        dimensions = selectors.instrument_dimensions(pilot=_pilot(request, pk))
        return Response(serialized(s.DimensionSerializer, dimensions, many=True))

    @extend_schema(
        summary="Add a dimension at the end (its key is made from the label, and stays)",
        request=s.DimensionCreateSerializer,
        responses={201: s.InstrumentSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        pilot = _pilot(request, pk)
        data = s.DimensionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.instrument_dimension_add(pilot=pilot, **data.validated_data)
        return Response(_instrument_body(pilot), status=201)


class InstrumentDimensionView(APIView):
    @extend_schema(responses={200: s.DimensionSerializer})
    def get(self, request: Request, pk: int, dimension_id: int) -> Response:
        return Response(s.DimensionSerializer(_dimension(request, pk, dimension_id)).data)

    @extend_schema(
        summary="Rename a dimension, or set its target experience",
        request=s.DimensionUpdateSerializer,
        responses={200: s.InstrumentSerializer},
    )
    def patch(self, request: Request, pk: int, dimension_id: int) -> Response:
        dimension = _dimension(request, pk, dimension_id)
        data = s.DimensionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.instrument_dimension_update(dimension=dimension, **data.validated_data)
        return Response(_instrument_body(dimension.instrument.pilot))

    @extend_schema(
        summary="Remove a dimension (an instrument keeps at least one)",
        responses={200: s.InstrumentSerializer},
    )
    def delete(self, request: Request, pk: int, dimension_id: int) -> Response:
        dimension = _dimension(request, pk, dimension_id)
        services.instrument_dimension_remove(dimension=dimension)
        return Response(_instrument_body(dimension.instrument.pilot))


class InstrumentDimensionMoveView(APIView):
    @extend_schema(
        summary="Move a dimension up or down",
        request=s.MoveSerializer,
        responses={200: s.InstrumentSerializer},
    )
    def post(self, request: Request, pk: int, dimension_id: int) -> Response:
        dimension = _dimension(request, pk, dimension_id)
        data = s.MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.instrument_dimension_move(
            dimension=dimension, direction=data.validated_data["direction"]
        )
        return Response(_instrument_body(dimension.instrument.pilot))
