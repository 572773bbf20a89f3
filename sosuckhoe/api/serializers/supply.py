"""Stock and lots: no personal data."""

from rest_framework import serializers

from sosuckhoe.api.serializers.common import RecordOut
from sosuckhoe.supply.models import Lot, StockBalance


class LotOut(RecordOut):
    product = serializers.CharField(source="product.key", read_only=True)

    class Meta:
        model = Lot
        fields = [
            "uuid",
            "product",
            "number",
            "expiry_date",
            "doses_per_vial",
            "manufacturer",
            "recalled_at",
        ]


class StockOut(RecordOut):
    facility = serializers.UUIDField(source="facility.uuid", read_only=True)
    lot = LotOut(read_only=True)

    class Meta:
        model = StockBalance
        fields = ["facility", "lot", "doses"]
