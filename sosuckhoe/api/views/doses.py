"""Doses: one a request, a batch, one read, a void."""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from sosuckhoe.api.doses import dose_record_item, doses_batch, plain_dose
from sosuckhoe.api.serializers.requests import DoseBatchIn, DoseBatchOut, DoseIn, DoseVoidIn
from sosuckhoe.api.serializers.vaccination import DoseOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.vaccination.selectors import dose_for_change, dose_read
from sosuckhoe.vaccination.services import dose_void


class DoseCreate(PersonalDataView):
    @extend_schema(request=DoseIn, responses=answers(DoseOut, 409, status=201))
    def post(self, request: Request) -> Response:
        """Record a dose and use its stock; its kind and number are derived."""
        item = plain_dose(request.data) or self.valid(DoseIn, request)
        dose = dose_record_item(actor=self.actor(request), item=item)
        return Response(DoseOut(dose).data, status=status.HTTP_201_CREATED)


class DoseBatch(PersonalDataView):
    @extend_schema(request=DoseBatchIn, responses=answers(DoseBatchOut))
    def post(self, request: Request) -> Response:
        """Up to 1000 doses, each accepted or refused on its own with its reason."""
        data = self.valid(DoseBatchIn, request)
        results = doses_batch(
            actor=self.actor(request), raw_items=data["items"], use_stock=data["use_stock"]
        )
        return Response({"results": results})


class DoseDetail(PersonalDataView):
    @extend_schema(responses=answers(DoseOut))
    def get(self, request: Request, dose_uuid: UUID) -> Response:
        return Response(DoseOut(dose_read(actor=self.actor(request), dose_uuid=dose_uuid)).data)


class DoseVoid(PersonalDataView):
    @extend_schema(request=DoseVoidIn, responses=answers(DoseOut))
    def post(self, request: Request, dose_uuid: UUID) -> Response:
        """Void a dose with a reason; stock comes back when it was never given."""
        actor = self.actor(request)
        dose = dose_for_change(actor=actor, dose_uuid=dose_uuid)
        dose = dose_void(actor=actor, dose=dose, **self.valid(DoseVoidIn, request))
        return Response(DoseOut(dose).data)
