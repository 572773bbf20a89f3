"""Reactions after a dose (AEFI)."""

from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from sosuckhoe.api.serializers.requests import ReactionIn
from sosuckhoe.api.serializers.vaccination import ReactionOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.vaccination.selectors import dose_read, reactions_of_dose
from sosuckhoe.vaccination.services import reaction_record


class Reactions(PersonalDataView):
    @extend_schema(
        parameters=[OpenApiParameter("dose", UUID, required=True)],
        responses=answers(ReactionOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        """The reactions recorded after a dose."""
        try:
            dose_uuid = UUID(request.query_params.get("dose", ""))
        except ValueError:
            raise ValidationError({"dose": [_("Give the UUID of a dose.")]}) from None
        actor = self.actor(request)
        dose = dose_read(actor=actor, dose_uuid=dose_uuid)
        return Response(ReactionOut(reactions_of_dose(actor=actor, dose=dose), many=True).data)

    @extend_schema(request=ReactionIn, responses=answers(ReactionOut, status=201))
    def post(self, request: Request) -> Response:
        """Record a reaction; a serious one opens an investigation and tells the officers."""
        reaction = reaction_record(actor=self.actor(request), **self.valid(ReactionIn, request))
        return Response(ReactionOut(reaction).data, status=status.HTTP_201_CREATED)
