"""The list of people overdue for their next dose: for health officers (commune and above),
each over their unit's subtree; `?unit=` outside it is not found."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.analytics.models import OverduePerson
from sosuckhoe.console.tests.matrix import Case
from sosuckhoe.console.tests.matrix.registrations import OFFICERS, REVIEWS_COMMUNE_A


def cases(cast) -> list[Case]:
    today = timezone.localdate()
    OverduePerson.objects.create(
        unit=cast.units.commune_a, person=cast.own_person, kind="primary", number=2,
        due_by=today - dt.timedelta(days=10), counted_on=today,
    )  # fmt: skip
    url = reverse("console:overdue")
    in_a = f"{url}?unit={cast.units.commune_a.code}&product=comirnaty&page=1"
    return [
        Case("console:overdue", url, OFFICERS, OFFICERS, post=None),
        Case("console:overdue", in_a, REVIEWS_COMMUNE_A, OFFICERS, post=None),
    ]
