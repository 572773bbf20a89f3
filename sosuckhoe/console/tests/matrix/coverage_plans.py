"""Coverage plans, on the planning page: set and removed by the health officers over the
plan's unit (a POST each; a GET is 405 for everyone); the others are refused or find no
such unit or plan."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.analytics.plans import plan_set
from sosuckhoe.console.tests.matrix import Case
from sosuckhoe.console.tests.matrix.planning import OVER_COMMUNE_A, post_only
from sosuckhoe.console.tests.vaccination_day import SYSTEM


def cases(cast) -> list[Case]:
    commune_a = cast.units.commune_a
    by = timezone.localdate() + dt.timedelta(days=60)
    plan = plan_set(actor=SYSTEM, unit=commune_a, kind="primary", number=1, coverage=80, due_on=by)
    new = {"dose": "primary_2", "coverage": 70, "due_on": by.isoformat(), "unit": commune_a.code}
    return [
        post_only("console:coverage_plan_new", reverse("console:coverage_plan_new"), new,
                  OVER_COMMUNE_A),
        post_only("console:coverage_plan_delete",
                  reverse("console:coverage_plan_delete", args=[plan.uuid]), {}, OVER_COMMUNE_A),
    ]  # fmt: skip
