"""Certificates: a person's current one, and the verifier's verdict on a text."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sosuckhoe.api.serializers.common import RecordOut, uuid_of
from sosuckhoe.certificates.models import Certificate
from sosuckhoe.certificates.verifier import REASONS

CERTIFICATE_STATUSES = ("valid", "expired")


class CertificateOut(RecordOut):
    """A current (unrevoked) certificate: `hc1` is the text its QR code holds."""

    person = uuid_of("person")
    status = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["uuid", "person", "uvci", "hc1", "issued_at", "expires_at", "status"]

    @extend_schema_field(serializers.ChoiceField(choices=CERTIFICATE_STATUSES))
    def get_status(self, certificate: Certificate) -> str:
        return "valid" if certificate.expires_at > timezone.now() else "expired"


class VerifyIn(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="The QR code's text, HC1:…")
    at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When to judge it; now if none"
    )


class VerifyOut(serializers.Serializer):
    """The verifier's verdict: `reason_code` names the first step that failed (or `valid`),
    `reason` says it in the request's language; `payload` is the certificate's content when
    it could be read, even if it is not valid."""

    decoded = serializers.BooleanField()
    valid = serializers.BooleanField()
    reason_code = serializers.ChoiceField(choices=list(REASONS))
    reason = serializers.CharField()
    payload = serializers.JSONField(allow_null=True)
    # Codes of reason_code's set: one enum in the schema, named by the field above.
    failures = serializers.ListField(
        child=serializers.CharField(), help_text="Every check that failed; the first is the reason"
    )
