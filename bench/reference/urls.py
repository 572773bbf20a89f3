from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bench.reference.authentication import TokenAuthentication
from bench.reference.models import Person


def person(request: HttpRequest, pk: int) -> JsonResponse:
    """One primary-key SELECT through the ORM, returned as JSON."""
    row = Person.objects.filter(pk=pk).values("id", "full_name", "birth_year").first()
    if row is None:
        raise Http404
    return JsonResponse(row)


class ApiPerson(APIView):
    """One primary-key SELECT behind the API's token check, through DRF: the floor of an API
    request (bench/doses.py)."""

    authentication_classes = [TokenAuthentication]

    def get(self, request: Request, pk: int) -> Response:
        row = Person.objects.filter(pk=pk).values("id", "full_name", "birth_year").first()
        if row is None:
            raise Http404
        return Response(row)


urlpatterns = [
    path("persons/<int:pk>/", person),
    path("api/persons/<int:pk>/", ApiPerson.as_view()),
]
