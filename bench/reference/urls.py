from django.http import Http404, HttpRequest, JsonResponse
from django.urls import path

from bench.reference.models import Person


def person(request: HttpRequest, pk: int) -> JsonResponse:
    """One primary-key SELECT through the ORM, returned as JSON."""
    row = Person.objects.filter(pk=pk).values("id", "full_name", "birth_year").first()
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns = [path("persons/<int:pk>/", person)]
