"""Persons: search, and one person with their vaccination history."""

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from sosuckhoe.api.serializers.persons import PersonDetailOut, PersonOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.people.selectors import person_read, persons_search
from sosuckhoe.vaccination.selectors import person_vaccination_history


class PersonList(PersonalDataView):
    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="CCCD/CMND/passport, phone or name")],
        responses=answers(PersonOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        """Search persons as the console does: an identity number, a phone or a name's start."""
        text = request.query_params.get("q", "")
        found = persons_search(actor=self.actor(request), text=text) if text.strip() else []
        return Response(PersonOut(found, many=True).data)


class PersonDetail(PersonalDataView):
    @extend_schema(responses=answers(PersonDetailOut))
    def get(self, request: Request, person_uuid: UUID) -> Response:
        """A person of the caller's unit with their registrations, bookings, screenings, doses
        (voided ones included), reactions and the next dose due."""
        actor = self.actor(request)
        person = person_read(actor=actor, person_uuid=person_uuid)
        history = person_vaccination_history(actor=actor, person_uuid=person.uuid)
        return Response(PersonDetailOut({**history.__dict__, "person": person}).data)
