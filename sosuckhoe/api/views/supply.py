"""Stock on hand and lots: no personal data, scoped to the caller's unit subtree."""

from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sosuckhoe.api.permissions import IsStaff
from sosuckhoe.api.serializers.supply import LotOut, StockOut
from sosuckhoe.api.views.base import answers
from sosuckhoe.supply.models import Lot
from sosuckhoe.supply.selectors import facilities_visible_to, stock_balances


class Stock(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[OpenApiParameter("facility", UUID, required=True)],
        responses=answers(StockOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        """Doses on hand per lot at a facility of the caller's unit; earliest expiry first."""
        try:
            facility_uuid = UUID(request.query_params.get("facility", ""))
        except ValueError:
            raise ValidationError({"facility": [_("Give the UUID of a facility.")]}) from None
        facility = facilities_visible_to(user=request.user).filter(uuid=facility_uuid).first()
        if facility is None:
            raise Http404
        return Response(
            StockOut(stock_balances(user=request.user, facility=facility), many=True).data
        )


class Lots(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[OpenApiParameter("product", str, description="product key")],
        responses=answers(LotOut(many=True)),
    )
    def get(self, request: Request) -> Response:
        """Lots of a product (of every product without one), latest expiry first."""
        lots = Lot.objects.select_related("product").order_by("-expiry_date", "number")
        if product := request.query_params.get("product"):
            lots = lots.filter(product__key=product)
        return Response(LotOut(lots, many=True).data)
