"""Bookings and the sessions they are made in."""

import datetime as dt
from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sosuckhoe.api.permissions import IsStaff
from sosuckhoe.api.serializers.requests import BookingCancelIn, BookingIn
from sosuckhoe.api.serializers.vaccination import BookingOut, SessionOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.places.models import Facility
from sosuckhoe.vaccination.selectors import booking_for_change, sessions_of_site
from sosuckhoe.vaccination.services import booking_cancel, booking_create


class BookingCreate(PersonalDataView):
    @extend_schema(request=BookingIn, responses=answers(BookingOut, 409, status=201))
    def post(self, request: Request) -> Response:
        """Book a person into a time slot; 409 `slot_full` when it is full."""
        booking = booking_create(actor=self.actor(request), **self.valid(BookingIn, request))
        return Response(BookingOut(booking).data, status=status.HTTP_201_CREATED)


class BookingCancel(PersonalDataView):
    @extend_schema(request=BookingCancelIn, responses=answers(BookingOut))
    def post(self, request: Request, booking_uuid: UUID) -> Response:
        """Cancel a booking: its place is free again."""
        actor = self.actor(request)
        booking = booking_for_change(actor=actor, booking_uuid=booking_uuid)
        reason = self.valid(BookingCancelIn, request)["reason"]
        return Response(
            BookingOut(booking_cancel(actor=actor, booking=booking, reason=reason)).data
        )


def _day(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"date": [_("Give a day as YYYY-MM-DD.")]}) from None


class SessionList(APIView):
    # A timetable names no one: any member of staff reads it, as citizens will.
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("site", UUID, required=True),
            OpenApiParameter("date", dt.date, description="that day; from today on by default"),
        ],
        responses=answers(SessionOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        """A site's sessions with their slots and free places."""
        try:
            site = Facility.objects.get(uuid=UUID(request.query_params.get("site", "")))
        except (ValueError, Facility.DoesNotExist):
            raise ValidationError({"site": [_("Give the UUID of a facility.")]}) from None
        sessions = sessions_of_site(site=site, day=_day(request.query_params.get("date")))
        return Response(SessionOut(sessions, many=True).data)
