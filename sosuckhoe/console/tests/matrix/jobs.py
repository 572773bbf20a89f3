"""Jobs: every member of staff follows those of their unit's subtree; managers stop them."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import STAFF, Case
from sosuckhoe.console.tests.matrix.staff import button
from sosuckhoe.people.models import PopulationJob


def _waiting_job(unit) -> PopulationJob:
    job, _ = PopulationJob.objects.get_or_create(
        unit=unit, defaults={"progress_total": 10, "started_by_name": "system:matrix"}
    )
    return job


def _cancel(job: PopulationJob, sees: frozenset[str]) -> Case:
    return button(
        "console:job_cancel", reverse("console:job_cancel", args=[job.kind, job.uuid]), sees
    )


def cases(cast) -> list[Case]:
    units = cast.units
    return [
        Case("console:jobs", reverse("console:jobs"), STAFF, post=None),
        Case("console:jobs_status", reverse("console:jobs_status"), STAFF, post=None),
        _cancel(_waiting_job(units.province), frozenset({"province", "national_admin"})),
        _cancel(
            _waiting_job(units.other_province), frozenset({"province_other", "national_admin"})
        ),
        _cancel(_waiting_job(units.district), frozenset({"national_admin"})),
    ]
