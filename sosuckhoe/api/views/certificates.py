"""Certificates: issue or fetch a person's current one, and verify a certificate's text."""

from uuid import UUID

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sosuckhoe.api.permissions import IsStaff
from sosuckhoe.api.serializers.certificates import CertificateOut, VerifyIn, VerifyOut
from sosuckhoe.api.views.base import PersonalDataView, answers
from sosuckhoe.certificates.selectors import (
    certificate_current,
    certificate_current_unscoped,
    certificate_person_for_change,
)
from sosuckhoe.certificates.services import certificate_issue
from sosuckhoe.certificates.verifier import verify


class PersonCertificate(PersonalDataView):
    @extend_schema(responses=answers(CertificateOut))
    def get(self, request: Request, person_uuid: UUID) -> Response:
        """The person's current certificate: identifier, QR text, when issued and expiring."""
        certificate = certificate_current(actor=self.actor(request), person_uuid=person_uuid)
        return Response(CertificateOut(certificate).data)

    @extend_schema(
        request=None, responses={200: CertificateOut, **answers(CertificateOut, status=201)}
    )
    def post(self, request: Request, person_uuid: UUID) -> Response:
        """Issue the certificate of the person's valid doses: 201 with a new one (the one
        before it revoked), 200 with the current one when the doses have not changed."""
        actor = self.actor(request)
        person = certificate_person_for_change(actor=actor, person_uuid=person_uuid)
        before = certificate_current_unscoped(person)
        certificate = certificate_issue(actor=actor, person=person)
        new = before is None or before.pk != certificate.pk
        return Response(
            CertificateOut(certificate).data,
            status=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
        )


class CertificateVerify(APIView):
    """Any member of staff, analysts too: the answer names no one in our records, only what
    the text itself says. Not open to everyone: the public verifies on the verifier page,
    in the browser, with the public lists; here each call costs the server a signature
    check and is throttled by the caller's key."""

    permission_classes = [IsStaff]

    @extend_schema(request=VerifyIn, responses=answers(VerifyOut))
    def post(self, request: Request) -> Response:
        """Verify a certificate's text at a time (now by default); any text gets a verdict."""
        form = VerifyIn(data=request.data)
        form.is_valid(raise_exception=True)
        verdict = verify(
            form.validated_data["text"], at=form.validated_data["at"] or timezone.now()
        )
        return Response(VerifyOut(verdict).data)
