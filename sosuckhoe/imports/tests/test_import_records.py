"""Lists of doses and registrations written by an import (the command and the job): through
the batch services, a person found by the document or registered first, nothing twice."""

import csv
import datetime as dt
import io
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports import services
from sosuckhoe.imports.jobs import import_job_create, import_job_run, import_job_start
from sosuckhoe.imports.models import ImportJob
from sosuckhoe.imports.tests.conftest import SITE_NAME, national_template
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.services import lot_register
from sosuckhoe.testing.factories import PersonFactory, cccd_for
from sosuckhoe.vaccination.models import Dose, Registration, RegistrationChannel
from sosuckhoe.vaccination.services.batch import unknown_record
from sosuckhoe.vaccination.tests.conftest import reference, reference_rows  # noqa: F401

BINH = "036085001234"  # the template's first person, two doses


@pytest.fixture
def supplies(cast, reference):  # noqa: F811
    """The lot and the site the template's doses name, of the reference's vaccines."""
    lot_register(
        actor=Actor.system("tests"),
        product=Product.objects.get(key="comirnaty"),
        number="FK1234",
        expiry_date=dt.date(2030, 1, 1),
    )
    Facility.objects.create(
        name=SITE_NAME, kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_a
    )


def run(*args):
    out = StringIO()
    try:
        call_command("import_file", *map(str, args), stdout=out)
    except CommandError as error:
        return (json.loads(out.getvalue()) if out.getvalue() else None), error.returncode
    return json.loads(out.getvalue()), 0


def test_a_dose_list_registers_its_new_persons_then_their_doses_and_again_adds_nothing(
    cast, tmp_path, supplies
):
    path = national_template(tmp_path)
    summary, code = run(path, "--kind", "doses", "--unit", "37")
    assert code == 1  # the third row's date and sex cannot be read
    assert summary["rows"] == {"read": 3, "valid": 2, "rejected": 1, "matched": 0, "new": 2}
    assert summary["records"] == {"new": 3, "matched": 0}
    binh = Person.objects.get(id_number=BINH)
    doses = Dose.objects.filter(person=binh).order_by("given_on")
    assert [(d.given_on, d.number, d.lot.number) for d in doses] == [
        (dt.date(2021, 8, 15), 1, "FK1234"),
        (dt.date(2021, 9, 11), 2, "FK1234"),
    ]
    assert doses[0].late_entry_reason.endswith("template.xlsx")
    assert doses[0].stock_use is None  # a paper record: no stock moves

    persons, total = Person.objects.count(), Dose.objects.count()
    again, _code = run(path, "--kind", "doses", "--unit", "37")
    # The person without a document is registered again (the duplicate finder's work), and
    # their dose with them; every dose of a person found is counted as already there.
    assert again["rows"]["matched"] == 1
    assert again["records"] == {"new": 1, "matched": 2}
    assert Dose.objects.filter(person=binh).count() == 2
    assert (Person.objects.count(), Dose.objects.count()) == (persons + 1, total + 1)


def test_a_dose_of_a_person_registered_by_the_document_goes_to_that_person(
    cast, tmp_path, supplies
):
    binh = PersonFactory(home_unit=cast.units.commune_a, id_number=BINH, full_name="Nguyễn Bình")
    summary, _code = run(national_template(tmp_path), "--kind", "doses", "--unit", "37")
    assert (summary["rows"]["matched"], summary["rows"]["new"]) == (1, 1)
    assert binh.doses.count() == 2
    assert Person.objects.filter(id_number=BINH).count() == 1


def test_a_person_another_clerk_registered_meanwhile_is_matched_not_refused(
    cast, tmp_path, supplies, monkeypatch
):
    """Two clerks import overlapping lists at once: the other registers Bình after this
    chunk looked for its documents, before it registers its new persons."""
    looked = services.Judge._holders
    registered_meanwhile: list[Person] = []

    def look_then_the_other_clerk_registers(judge, rows):
        found = looked(judge, rows)
        if not registered_meanwhile:
            registered_meanwhile.append(
                PersonFactory(home_unit=cast.units.commune_a, id_number=BINH, full_name="Bình")
            )
        return found

    monkeypatch.setattr(services.Judge, "_holders", look_then_the_other_clerk_registers)
    summary, _code = run(national_template(tmp_path), "--kind", "doses", "--unit", "37")
    assert summary["rows"] == {"read": 3, "valid": 2, "rejected": 1, "matched": 1, "new": 1}
    assert registered_meanwhile[0].doses.count() == 2
    assert Person.objects.filter(id_number=BINH).count() == 1


@pytest.mark.parametrize(
    ("column", "value", "record"),
    [(8, "Sputnik Light", "product"), (10, "ZZ9999", "lot"), (11, "Trạm Y tế Mặt Trăng", "site")],
)
def test_a_dose_naming_an_unknown_vaccine_lot_or_site_is_refused_with_that_reason(
    cast, tmp_path, supplies, column, value, record
):
    path = tmp_path / "doses.csv"
    header = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Xã/Phường", "Mã",
              "STT", "Ghi chú", "Tên vắc xin", "Ngày tiêm", "Số lô", "Nơi tiêm"]  # fmt: skip
    row = ["Phạm Văn Hòa", "01/01/1980", "Nam", cccd_for(birth_year=1980, sex="M", serial=7),
           "13669", "", "", "", "Comirnaty", "01/09/2021", "FK1234", SITE_NAME]  # fmt: skip
    row[column] = value
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, row])
    summary, code = run(path, "--kind", "doses", "--unit", "37")
    assert code == 1
    assert [e["message"] for e in summary["errors"]] == list(unknown_record(record).messages)
    assert not Dose.objects.exists()
    assert not Person.objects.filter(full_name="Phạm Văn Hòa").exists()


def test_a_dose_the_rules_refuse_refuses_its_row_with_the_reason(cast, tmp_path, supplies):
    path = tmp_path / "doses.csv"
    number = cccd_for(birth_year=1980, sex="M", serial=8)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Tên vắc xin", "Ngày tiêm",
             "Số lô", "Nơi tiêm"],
            # Dose 2 of Comirnaty three days after dose 1: too soon.
            ["Phạm Văn Hòa", "01/01/1980", "Nam", number, "Comirnaty", "01/09/2021", "FK1234",
             SITE_NAME],
            ["Phạm Văn Hòa", "01/01/1980", "Nam", number, "Comirnaty", "04/09/2021", "FK1234",
             SITE_NAME],
        ])  # fmt: skip
    summary, code = run(path, "--kind", "doses", "--unit", "13669")
    assert code == 1
    assert summary["rows"] == {"read": 2, "valid": 1, "rejected": 1, "matched": 1, "new": 1}
    assert summary["records"] == {"new": 1, "matched": 0}
    assert {(e["row"], e["column"]) for e in summary["errors"]} == {(3, "F")}
    assert Dose.objects.count() == 1


def _registrations_csv(tmp_path):
    path = tmp_path / "dang-ky.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Nhóm ưu tiên"],
            ["Đỗ Thị Lan", "02/03/1950", "Nữ", cccd_for(birth_year=1950, sex="F", serial=9), 9],
            ["Đỗ Văn Hải", "02/03/1952", "Nam", cccd_for(birth_year=1952, sex="M", serial=9), 9],
            ["Đỗ Văn Tâm", "02/03/1953", "Nam", "", "nhóm 99"],
        ])  # fmt: skip
    return path


def test_a_registration_list_registers_each_person_once_and_again_adds_nothing(
    cast,
    tmp_path,
    reference,  # noqa: F811
):
    path = _registrations_csv(tmp_path)
    summary, code = run(path, "--kind", "registrations", "--unit", "13669")
    assert code == 1
    assert summary["records"] == {"new": 2, "matched": 0}
    registrations = Registration.objects.filter(person__full_name__startswith="Đỗ")
    assert {r.channel for r in registrations} == {RegistrationChannel.IMPORT}
    assert registrations.count() == 2
    again, _code = run(path, "--kind", "registrations", "--unit", "13669")
    assert again["records"] == {"new": 0, "matched": 2}
    assert registrations.count() == 2


CHUNK = 2


def _doses_upload(count: int) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Xã/Phường", "Tên vắc xin",
                     "Ngày tiêm", "Số lô", "Nơi tiêm"])  # fmt: skip
    for n in range(count):
        number = cccd_for(birth_year=1970, sex="F", serial=600 + n)
        name = f"Vũ Thị Hạnh {'ABCDEFGHIJ'[n]}"
        writer.writerow([name, "01/01/1970", "Nữ", number, 13669, "Comirnaty", "01/09/2021",
                         "FK1234", SITE_NAME])  # fmt: skip
    return SimpleUploadedFile("mui-tiem.csv", buffer.getvalue().encode())


def test_a_dose_job_that_failed_half_way_resumes_and_writes_each_dose_once(
    cast, tmp_path, settings, monkeypatch, supplies
):
    settings.IMPORT_DIR = tmp_path / "imports"
    monkeypatch.setattr(services, "CHUNK", CHUNK)
    actor = cast.actor("commune")
    job = import_job_create(actor=actor, unit=cast.units.commune_a, list_kind="doses",
                            upload=_doses_upload(7))  # fmt: skip
    job = import_job_start(actor=actor, job=job, mapping=job.columns)
    real = ImportJob.report_progress

    def crash_at_the_second(self, done):
        if done > CHUNK:
            raise RuntimeError("worker lost")
        real(self, done)

    monkeypatch.setattr(ImportJob, "report_progress", crash_at_the_second)
    with pytest.raises(RuntimeError):
        import_job_run(job_id=job.pk)
    assert Dose.objects.count() == 2 * CHUNK  # the second chunk committed before the crash
    monkeypatch.setattr(ImportJob, "report_progress", real)
    job = import_job_run(job_id=job.pk)
    assert job.status == JobStatus.DONE
    assert (job.rows_new, job.records_new, job.records_matched) == (7, 7, 0)
    assert Dose.objects.count() == 7
    assert Dose.objects.values("person").distinct().count() == 7

    again = import_job_create(actor=actor, unit=cast.units.commune_a, list_kind="doses",
                              upload=_doses_upload(7))  # fmt: skip
    again = import_job_run(job_id=import_job_start(actor=actor, job=again,
                                                   mapping=again.columns).pk)  # fmt: skip
    assert (again.rows_matched, again.records_new, again.records_matched) == (7, 0, 7)
    assert Dose.objects.count() == 7
