"""Registration review, who is not reached, assignment to sessions, new sessions: for health
officers (commune and above); site staff and analysts are refused."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix import ROLES, SEES_COMMUNE_A, Case
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import PriorityGroup
from sosuckhoe.vaccination.services import registration_create
from sosuckhoe.vaccination.services.reference import vaccination_reference_load

OFFICERS = frozenset(
    {"commune", "commune_other", "district", "province", "province_other", "national_admin"}
)
# Officers whose unit holds commune A's residents.
REVIEWS_COMMUNE_A = SEES_COMMUNE_A & OFFICERS


def review(name: str, url: str, post: dict[str, object]) -> Case:
    """A POST-only review button: a GET is 405 for everyone."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in OFFICERS:
            return 403
        return 302 if role in REVIEWS_COMMUNE_A else 404

    return Case(name, url, REVIEWS_COMMUNE_A, OFFICERS, post=post,
                statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def cases(cast) -> list[Case]:
    supply_reference_load()
    vaccination_reference_load()
    units = cast.units
    registrant = PersonFactory(home_unit=units.commune_a, full_name="Đỗ Văn Giang")
    first_record = PersonFactory(home_unit=units.commune_a, full_name="Đỗ Văn Giang")
    registration = registration_create(
        actor=SYSTEM, person=registrant, priority_group=PriorityGroup.objects.get(code=9)
    )
    site = Facility.objects.create(
        name="Điểm tiêm Nhà văn hóa", kind=FacilityKind.OTHER, unit=units.commune_a
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    session = {"site": site.uuid, "date": tomorrow.isoformat(), "product": "comirnaty",
               "slots": "07:30-09:00 20"}  # fmt: skip
    url, r = reverse, registration.uuid
    # Narrowed to commune A: officers whose subtree holds it; the others' unit is not widened.
    in_a = f"unit={units.commune_a.code}"
    return [
        Case("console:registrations", url("console:registrations"), OFFICERS, OFFICERS,
             post=None),
        Case("console:registrations", f"{url('console:registrations')}?{in_a}",
             REVIEWS_COMMUNE_A, OFFICERS, post=None),
        Case("console:not_reached", url("console:not_reached") + "?missing=dose", OFFICERS,
             OFFICERS, post=None),
        Case("console:not_reached", f"{url('console:not_reached')}?missing=dose&{in_a}",
             REVIEWS_COMMUNE_A, OFFICERS, post=None),
        Case("console:assign", url("console:assign"), OFFICERS, OFFICERS, post={}),
        Case("console:assign", f"{url('console:assign')}?{in_a}", REVIEWS_COMMUNE_A, OFFICERS,
             post={}),
        Case("console:session_new", url("console:session_new"), OFFICERS, OFFICERS,
             post=session),
        review("console:registration_approve", url("console:registration_approve", args=[r]), {}),
        review("console:registration_reject", url("console:registration_reject", args=[r]),
               {"reason": "Không đủ giấy tờ"}),
        review("console:registration_duplicate", url("console:registration_duplicate", args=[r]),
               {"of": first_record.id_number}),
    ]  # fmt: skip
