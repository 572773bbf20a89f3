"""Screening before a dose: the answers and vital signs in, the derived outcome out."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from sosuckhoe.api.serializers.requests import ScreeningIn
from sosuckhoe.api.serializers.vaccination import ScreeningOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.vaccination.services import Vitals, screening_record


class ScreeningCreate(PersonalDataView):
    @extend_schema(request=ScreeningIn, responses=answers(ScreeningOut, status=201))
    def post(self, request: Request) -> Response:
        """Record a screening on the form in force; its outcome is derived from the answers."""
        data = self.valid(ScreeningIn, request)
        data["answers"] = {code: (a["yes"], a["detail"]) for code, a in data["answers"].items()}
        data["vitals"] = Vitals(**data["vitals"])
        screening = screening_record(actor=self.actor(request), **data)
        return Response(ScreeningOut(screening).data, status=status.HTTP_201_CREATED)
