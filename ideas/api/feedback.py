"""REST API of feedback: thin views over ideas.access, ideas.selectors.feedback and
ideas.services.feedback (the instrument designer's API is ideas/api/instrument.py).

Members (enrolled in the check-in's pilot):
    GET  /check-ins/{id}/                   the questions and the caller's own response
    PUT  /check-ins/{id}/response/          save a draft (the answers given replace the saved)
    POST /check-ins/{id}/response/submit/   submit, once (without answers: the saved draft)
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas import access
from ideas.api import feedback_serializers as s
from ideas.selectors import feedback as selectors
from ideas.services import feedback as services


def _response_body(response) -> dict:
    answers = selectors.stored_answers(response=response)
    return s.ResponseSerializer(response, context={"answers": answers}).data


class CheckInView(APIView):
    """A check-in the caller is enrolled for: what to expect, the questions, their response."""

    @extend_schema(responses={200: s.CheckInSheetSerializer})
    def get(self, request: Request, pk: int) -> Response:
        check_in, enrolment = access.access_check_in_for_answer(request.user, pk)
        sheet = selectors.check_in_sheet(check_in=check_in, enrolment=enrolment)
        return Response(s.CheckInSheetSerializer(sheet, context={"answers": sheet.answers}).data)


class CheckInResponseView(APIView):
    """Save the caller's answers as a draft: ranges and options are checked, completeness is
    not. The answers given replace the ones saved; a submitted response no longer changes."""

    @extend_schema(request=s.ResponseWriteSerializer, responses={200: s.ResponseSerializer})
    def put(self, request: Request, pk: int) -> Response:
        check_in, enrolment = access.access_check_in_for_answer(request.user, pk)
        data = s.ResponseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.response_save(
            check_in=check_in,
            enrolment=enrolment,
            answers=data.validated_data["answers"],
            submit=False,
        )
        return Response(_response_body(response))


class CheckInResponseSubmitView(APIView):
    """Submit the caller's answers, once: every required question answered, every dimension
    rated. Without `answers`, the saved draft is submitted as it is."""

    @extend_schema(request=s.ResponseSubmitSerializer, responses={200: s.ResponseSerializer})
    def post(self, request: Request, pk: int) -> Response:
        check_in, enrolment = access.access_check_in_for_answer(request.user, pk)
        data = s.ResponseSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = services.response_save(
            check_in=check_in,
            enrolment=enrolment,
            answers=data.validated_data.get("answers"),
            submit=True,
        )
        return Response(_response_body(response))
