"""What the demo adds so that the correction requests' page shows its work from the first
run: five requests of the demo commune's residents as they came in 2021 (a missing dose, a
wrong date, a wrong vaccine, someone else's dose, a wrong birth date), two answered."""

from django.db import transaction

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.vaccination.models import CorrectionKind, Dose
from sosuckhoe.vaccination.services.corrections import (
    correction_request_create,
    correction_request_resolve,
)
from sosuckhoe.vaccination.services.doses import dose_void


def _vaccinated(commune: AdminUnit, count: int) -> list[Dose]:
    """The first dose of `count` vaccinated residents, one each."""
    doses = (
        Dose.objects.valid()
        .filter(person__home_unit=commune, person__merged_into__isnull=True, number=1)
        .select_related("person__home_unit", "product", "lot", "site")
        .order_by("person_id", "given_at")
    )
    firsts: dict[int, Dose] = {}
    for dose in doses[: count * 5]:
        firsts.setdefault(dose.person_id, dose)
    return list(firsts.values())[:count]


@transaction.atomic
def corrections_demo_prepare(*, actor: Actor, commune: AdminUnit) -> None:
    doses = _vaccinated(commune, 4)
    if len(doses) < 4:
        return
    missing, late, wrong, someone_else = doses
    ask = {"actor": actor, "requester_relation": "self", "channel": "at_station"}
    correction_request_create(
        **ask, person=missing.person, kind=CorrectionKind.MISSING_DOSE,
        should_read=f"Mũi 2 {missing.product.name} ngày 16/09/2021 tại {missing.site.name}",
        evidence="Phiếu xác nhận tiêm giấy", requester_name=missing.person.full_name,
    )  # fmt: skip
    correction_request_create(
        **{**ask, "channel": "phone", "requester_relation": "parent"},
        person=late.person, dose=late, kind=CorrectionKind.WRONG_DATE,
        should_read=f"Ngày tiêm đúng là {late.given_on.replace(day=1):%d/%m/%Y}",
        requester_name="Trần Thị Hạnh", requester_phone="0912345678",
    )  # fmt: skip
    rejected = correction_request_create(
        **ask, person=wrong.person, dose=wrong, kind=CorrectionKind.WRONG_VACCINE,
        should_read="Vắc xin Vero Cell, không phải như hồ sơ ghi",
        requester_name=wrong.person.full_name,
    )  # fmt: skip
    correction_request_resolve(
        actor=actor, request=rejected, status="rejected",
        note="Sổ tiêm và phiếu của điểm tiêm ghi đúng vắc xin và số lô như hồ sơ.",
    )  # fmt: skip
    accepted = correction_request_create(
        **ask, person=someone_else.person, dose=someone_else,
        kind=CorrectionKind.NOT_THIS_PERSON, evidence="CCCD, sổ tiêm của trạm",
        should_read="Người này không tiêm mũi này: nhập nhầm từ danh sách của người trùng tên",
        requester_name=someone_else.person.full_name,
    )  # fmt: skip
    dose_void(actor=actor, dose=someone_else, kind="entered_in_error",
              reason="Nhập nhầm người trùng tên (yêu cầu điều chỉnh)")  # fmt: skip
    correction_request_resolve(
        actor=actor, request=accepted, status="accepted", voided_dose=someone_else,
        note="Đã hủy mũi nhập nhầm; đã báo người dân.",
    )  # fmt: skip
    anyone = Person.objects.filter(home_unit=commune, merged_into__isnull=True).first()
    if anyone is not None:
        correction_request_create(
            **ask, person=anyone, kind=CorrectionKind.WRONG_DETAILS,
            should_read="Ngày sinh đúng theo CCCD", evidence="CCCD gắn chip",
            requester_name=anyone.full_name,
        )  # fmt: skip
