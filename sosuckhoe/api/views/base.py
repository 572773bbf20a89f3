"""What every endpoint shares: who acts, the role gate, the error answers in the schema."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.api.permissions import ReadsPersonalData
from sosuckhoe.api.serializers.common import ErrorSerializer

ERROR = OpenApiResponse(ErrorSerializer, description="code, translated message, fields")
ERRORS = dict.fromkeys((400, 401, 403, 404, 429), ERROR)


def answers(ok: Any, *extra: int, status: int = 200) -> dict[int, Any]:
    """The responses of an endpoint for the schema: its own, and the errors it may give."""
    return {status: ok, **ERRORS, **dict.fromkeys(extra, ERROR)}


class PersonalDataView(APIView):
    """An endpoint for staff who read personal data, scoped and audited by the selectors."""

    permission_classes = [ReadsPersonalData]

    def actor(self, request: Request) -> Actor:
        return Actor.of_request(request._request)

    @staticmethod
    def valid(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
        """The request body checked by the endpoint's serializer; 400 with its fields else."""
        form = serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)
