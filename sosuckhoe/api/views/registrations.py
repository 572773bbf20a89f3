"""Registrations: the unit's list to review, one registration, a new one."""

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from sosuckhoe.api.serializers.requests import RegistrationIn
from sosuckhoe.api.serializers.vaccination import RegistrationOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.vaccination.models import RegistrationChannel, RegistrationStatus
from sosuckhoe.vaccination.selectors import registration_read, registrations_to_review
from sosuckhoe.vaccination.services import registration_create


class RegistrationList(PersonalDataView):
    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=RegistrationStatus.values)],
        responses=answers(RegistrationOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        """The registrations of the caller's unit in a status (pending by default), oldest first."""
        wanted = request.query_params.get("status", RegistrationStatus.PENDING)
        if wanted not in RegistrationStatus.values:
            wanted = RegistrationStatus.PENDING
        actor = self.actor(request)
        found = registrations_to_review(actor=actor, unit=request.user.unit, status=wanted)
        return Response(RegistrationOut(found, many=True).data)

    @extend_schema(request=RegistrationIn, responses=answers(RegistrationOut, 409, status=201))
    def post(self, request: Request) -> Response:
        """Register a person, waiting for review; a submission key sent twice registers once."""
        data = self.valid(RegistrationIn, request)
        registration = registration_create(
            actor=self.actor(request), channel=RegistrationChannel.STAFF, **data
        )
        return Response(RegistrationOut(registration).data, status=status.HTTP_201_CREATED)


class RegistrationDetail(PersonalDataView):
    @extend_schema(responses=answers(RegistrationOut))
    def get(self, request: Request, registration_uuid: UUID) -> Response:
        registration = registration_read(
            actor=self.actor(request), registration_uuid=registration_uuid
        )
        return Response(RegistrationOut(registration).data)
