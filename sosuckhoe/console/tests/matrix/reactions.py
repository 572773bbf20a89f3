"""Reactions after vaccination: the full report after a dose, its outcome, the open
investigations and the causality assessment."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix import PERSONAL_DATA, ROLES, SEES_COMMUNE_A, Case
from sosuckhoe.console.tests.vaccination_day import SYSTEM, no_answers
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose, Investigation, Reaction
from sosuckhoe.vaccination.services import Vitals, dose_record, reaction_record, screening_record
from sosuckhoe.vaccination.services.reference import vaccination_reference_load

OFFICERS = frozenset(
    {"commune", "commune_other", "district", "province", "province_other", "national_admin"}
)
ASSESSORS = frozenset({"district", "province", "province_other", "national_admin"})
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


@dataclass
class SeriousCase:
    dose: Dose
    reaction: Reaction
    investigation: Investigation


def dose_earlier_today(cast) -> Dose:  # type: ignore[no-untyped-def]
    """A walk-in resident of commune A vaccinated a while ago today at a school's site, so
    that an onset typed to the minute (as the form takes it) falls after the dose."""
    supply_reference_load()
    vaccination_reference_load()
    site = Facility.objects.create(
        name="Điểm tiêm Trường THCS Nam Định", kind=FacilityKind.SCHOOL, unit=cast.units.commune_a
    )
    product = Product.objects.get(key="comirnaty")
    expiry = timezone.localdate() + dt.timedelta(days=200)
    lot = lot_register(actor=SYSTEM, product=product, number="RX0456", expiry_date=expiry)
    stock_receive(actor=SYSTEM, facility=site, lot=lot, doses=10)
    person = PersonFactory(home_unit=cast.units.commune_a, full_name="Hoàng Văn Hải")
    screening_record(
        actor=SYSTEM,
        person=person,
        site=site,
        answers={code[5:]: False for code in no_answers()},
        vitals=Vitals(temperature_c=Decimal("36.6")),
    )
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    given_at = max(midnight, timezone.now() - dt.timedelta(minutes=30))
    return dose_record(
        actor=SYSTEM, person=person, product=product, lot=lot, site=site, given_at=given_at
    )


def serious_case(cast) -> SeriousCase:  # type: ignore[no-untyped-def]
    """A dose with a serious reaction reported by phone, and the investigation it opened."""
    dose = dose_earlier_today(cast)
    reaction = reaction_record(
        actor=SYSTEM, dose=dose, onset_at=timezone.now(), terms=["S2", "W7"],
        reporter_name="Nguyễn Thị Mẹ", treated_at="district_hospital",
    )  # fmt: skip
    return SeriousCase(dose, reaction, reaction.investigation)


def reaction_form(**changes: object) -> dict[str, object]:
    """A common reaction, now, as the reaction form posts it."""
    return {
        "onset_at": timezone.localtime().strftime(LOCAL_MINUTE), "terms_common": ["C1", "C2"],
        "outcome": "recovering", "treated_at": "on_site", **changes,
    }  # fmt: skip


def assessment_form(**changes: object) -> dict[str, object]:
    """An assessment whose classification (A1) follows from its answers."""
    return {
        "diagnosis": "Sốc phản vệ độ II", "diagnosis_valid": "1", "other_cause": "no",
        "known_association": "product", "within_time_window": "yes", "evidence_against": "no",
        "classification": "A1", **changes,
    }  # fmt: skip


def button(name: str, url: str, post: dict[str, object], gate: frozenset[str]) -> Case:
    """A POST-only URL: a GET is 405 for everyone; of the roles it serves, those who see
    commune A's record are sent on, the others find nothing."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in gate:
            return 403
        return 302 if role in SEES_COMMUNE_A else 404

    return Case(name, url, SEES_COMMUNE_A & gate, gate, post=post,
                statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def cases(cast) -> list[Case]:
    case = serious_case(cast)
    investigation, url = case.investigation.uuid, reverse
    return [
        Case("console:reaction_new", url("console:reaction_new", args=[case.dose.uuid]),
             SEES_COMMUNE_A, PERSONAL_DATA, post=reaction_form()),
        button("console:reaction_outcome",
               url("console:reaction_outcome", args=[case.reaction.uuid]),
               {"outcome": "recovered"}, PERSONAL_DATA),
        Case("console:investigations", url("console:investigations"), OFFICERS, OFFICERS,
             post=None),
        Case("console:investigation", url("console:investigation", args=[investigation]),
             SEES_COMMUNE_A, PERSONAL_DATA, post=None),
        button("console:investigation_assess",
               url("console:investigation_assess", args=[investigation]), assessment_form(),
               ASSESSORS),
    ]  # fmt: skip
