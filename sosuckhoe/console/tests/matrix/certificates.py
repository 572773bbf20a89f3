"""Vaccination certificates: issue a person's, download its QR code and card, print and issue
the certificates of a session's persons."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.certificates.models import Certificate
from sosuckhoe.certificates.services import certificate_issue, signer_create
from sosuckhoe.console.tests.matrix import PERSONAL_DATA, SEES_COMMUNE_A, Case
from sosuckhoe.console.tests.matrix.vaccination import button
from sosuckhoe.console.tests.vaccination_day import SYSTEM, no_answers
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import VaccinationSession
from sosuckhoe.vaccination.services import (
    SlotSpec,
    Vitals,
    dose_record,
    screening_record,
    session_create,
)
from sosuckhoe.vaccination.services.reference import vaccination_reference_load

# Who sees a person of commune B: the same province's officers and the other commune's.
SEES_COMMUNE_B = frozenset({"commune_other", "province", "national_admin"})


@dataclass
class CertificateDay:
    """A session today at a site of commune A: a resident of commune A and one of commune B
    vaccinated and certified, and a resident of commune A vaccinated without a certificate."""

    site: Facility
    session: VaccinationSession
    certificate: Certificate
    neighbour_certificate: Certificate
    uncertified: Person


def _vaccinate(site: Facility, lot: Lot, person: Person) -> None:
    screening_record(
        actor=SYSTEM,
        person=person,
        site=site,
        answers={code[5:]: False for code in no_answers()},
        vitals=Vitals(temperature_c=Decimal("36.6")),
    )
    dose_record(actor=SYSTEM, person=person, product=lot.product, lot=lot, site=site)


def certificate_day(cast) -> CertificateDay:  # type: ignore[no-untyped-def]
    supply_reference_load()
    vaccination_reference_load()
    site = Facility.objects.create(
        name="Điểm tiêm Nhà văn hoá Tổ 9",
        kind=FacilityKind.COMMUNE_STATION,
        unit=cast.units.commune_a,
    )
    product = Product.objects.get(key="comirnaty")
    today = timezone.localdate()
    lot = lot_register(actor=SYSTEM, product=product, number="CE0789",
                       expiry_date=today + dt.timedelta(days=200))  # fmt: skip
    stock_receive(actor=SYSTEM, facility=site, lot=lot, doses=10)
    session = session_create(actor=SYSTEM, site=site, date=today, product=product,
                             slots=[SlotSpec(dt.time(7), dt.time(11), 20)])  # fmt: skip
    holder = PersonFactory(home_unit=cast.units.commune_a, full_name="Đặng Thị Ánh Tuyết")
    neighbour = PersonFactory(home_unit=cast.units.commune_b, full_name="Phùng Văn Lộc")
    uncertified = PersonFactory(home_unit=cast.units.commune_a, full_name="Hồ Thị Chưa")
    for person in (holder, neighbour, uncertified):
        _vaccinate(site, lot, person)
    signer_create(actor=SYSTEM)
    return CertificateDay(
        site=site,
        session=session,
        certificate=certificate_issue(actor=SYSTEM, person=holder),
        neighbour_certificate=certificate_issue(actor=SYSTEM, person=neighbour),
        uncertified=uncertified,
    )


def cases(cast) -> list[Case]:
    day = certificate_day(cast)
    session, url = day.session.uuid, reverse
    return [
        button("console:certificate_issue",
               url("console:certificate_issue", args=[day.uncertified.uuid]), {}, SEES_COMMUNE_A),
        *(
            Case("console:certificate_download",
                 url("console:certificate_download", args=[certificate.uuid, kind]), sees,
                 PERSONAL_DATA, post=None)
            for certificate, sees in ((day.certificate, SEES_COMMUNE_A),
                                      (day.neighbour_certificate, SEES_COMMUNE_B))
            for kind in ("qr.png", "qr.svg", "card.pdf")
        ),
        Case("console:session_cards", url("console:session_cards", args=[session]),
             SEES_COMMUNE_A, PERSONAL_DATA, post=None),
        button("console:session_certificates_issue",
               url("console:session_certificates_issue", args=[session]), {}, SEES_COMMUNE_A),
    ]  # fmt: skip
