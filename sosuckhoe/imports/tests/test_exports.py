"""Exports: each console list to .csv and .xlsx, scoped to the unit of whoever asks, audited,
written by a job to a file that expires; the doses in the national template read back by the
imports as they are."""

import csv
import datetime as dt
import io
import json
from itertools import chain
from pathlib import Path

import pytest
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.imports import exports, exports_jobs
from sosuckhoe.imports.exports import Filters
from sosuckhoe.imports.exports_jobs import (
    export_file_read,
    export_files_purge,
    export_job_cancel,
    export_job_create,
    export_job_run,
)
from sosuckhoe.imports.mapping import DOSES, PERSONS
from sosuckhoe.imports.models import ExportJob
from sosuckhoe.imports.services import file_import
from sosuckhoe.people.models import IdKind
from sosuckhoe.places.models import Facility, FacilityKind
from sosuckhoe.supply.models import Product, ScheduleRule
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.services import lot_register, stock_receive
from sosuckhoe.testing.doses import paper_dose
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import AefiTerm, Dose, PriorityGroup
from sosuckhoe.vaccination.services import reaction_record
from sosuckhoe.vaccination.services.doses import dose_void
from sosuckhoe.vaccination.services.reference import vaccination_reference_load
from sosuckhoe.vaccination.services.registrations import registration_create

SYSTEM = Actor.system("export-tests")
SITE_NAME = "Trạm Y tế Phường Nam Định"


@pytest.fixture(scope="session")
def reference_rows(django_db_setup, django_db_blocker) -> str:
    """The vaccines, schedule rules, priority groups and reaction terms, loaded once."""
    with django_db_blocker.unblock(), transaction.atomic():
        supply_reference_load()
        vaccination_reference_load()
        models = (Product, ScheduleRule, PriorityGroup, AefiTerm)
        rows = serializers.serialize("json", chain(*(m.objects.all() for m in models)))
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def site(cast, reference_rows):
    for row in serializers.deserialize("json", reference_rows):
        row.save()
    return Facility.objects.create(
        name=SITE_NAME, kind=FacilityKind.COMMUNE_STATION, unit=cast.units.commune_a
    )


@pytest.fixture
def lot(site):
    lot = lot_register(
        actor=SYSTEM,
        product=Product.objects.get(key="comirnaty"),
        number="FK1234",
        expiry_date=timezone.localdate() + dt.timedelta(days=365),
    )
    stock_receive(actor=SYSTEM, facility=site, lot=lot, doses=60)
    return lot


def _given(cast, person, lot, site, days_ago):
    """A dose from the paper book, `days_ago` (its stock long counted)."""
    actor = cast.actor("site_staff")
    return paper_dose(actor=actor, person=person, lot=lot, site=site, days_ago=days_ago)


@pytest.fixture
def vaccinated(cast, lot, site):
    """Three residents of commune A: two doses, one dose, and a child without a document
    with one dose; a resident of commune B vaccinated there is outside commune A's lists."""
    child = PersonFactory(
        home_unit=cast.units.commune_a,
        full_name="Nguyễn Bảo Ngọc",
        sex="F",
        birth_date=dt.date(2012, 3, 2),
        id_kind=IdKind.NONE,
        id_number="",
        phone="",
        guardian=cast.own_person,
    )
    second = PersonFactory(home_unit=cast.units.commune_a, full_name="Phạm Thị Hoa", sex="F")
    second.id_number = "036185000777"
    second.birth_date, second.birth_year = None, 1985
    second.save()
    doses = [
        _given(cast, cast.own_person, lot, site, 60),
        _given(cast, cast.own_person, lot, site, 30),
        _given(cast, second, lot, site, 20),
        _given(cast, child, lot, site, 10),
    ]
    return [cast.own_person, second, child], doses


def _export(cast, role, list_kind, export_format="xlsx", language="vi", **filters):
    filters.setdefault("unit", cast.users[role].unit)
    job = export_job_create(
        actor=cast.actor(role),
        list_kind=list_kind,
        export_format=export_format,
        filters=Filters(**filters),
        language=language,
    )
    return export_job_run(job_id=job.pk)


def _xlsx_rows(job):
    book = load_workbook(job.file.path, read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _csv_rows(job):
    with Path(job.file.path).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


# --- The national template -----------------------------------------------------------------


def test_the_national_template_reads_back_every_column_mapped_and_every_row_valid(cast, vaccinated):
    job = _export(cast, "commune", "doses", "national")
    assert (job.status, job.rows_written) == (JobStatus.DONE, 3)
    summary = file_import(
        actor=SYSTEM, path=Path(job.file.path), kind=DOSES, unit=cast.units.province
    )
    assert summary.header_rows == (3, 4)
    rows = _xlsx_rows(job)
    width = len(rows[3])
    assert width == 12 + 4 * 2  # STT, eleven of the person, two doses at most
    assert set(summary.mapping) == {exports.get_column_letter(c) for c in range(2, width + 1)}
    assert summary.mapping["B"] == "full_name"
    assert summary.mapping["Q"] == "dose2.product"
    assert (summary.read, summary.valid, summary.rejected) == (3, 3, 0), summary.errors
    # The two with a document are found registered already; the child is new to a dry run.
    assert (summary.matched, summary.new) == (2, 1)


def test_the_national_template_has_a_person_and_their_doses_side_by_side(cast, vaccinated):
    _persons, doses = vaccinated
    rows = _xlsx_rows(_export(cast, "commune", "doses", "national", language="en"))
    assert rows[2][:3] == ["STT", "Họ và tên", "Ngày sinh"]  # Vietnamese, whatever the reader's
    assert rows[2][12:17] == ["Mũi 1", None, None, None, "Mũi 2"]
    assert rows[3][12:16] == ["Tên vắc xin", "Ngày tiêm", "Số lô", "Nơi tiêm"]
    by_name = {row[1]: row for row in rows[4:]}
    first = by_name[cast.own_person.full_name]
    assert first[12:20] == [
        doses[0].product.name, dt.datetime.combine(doses[0].given_on, dt.time()), "FK1234",
        SITE_NAME, doses[1].product.name, dt.datetime.combine(doses[1].given_on, dt.time()),
        "FK1234", SITE_NAME,
    ]  # fmt: skip
    assert by_name["Phạm Thị Hoa"][2] == 1985  # the year alone, as the record has it
    assert by_name["Nguyễn Bảo Ngọc"][4:6] == [None, None]  # no document


def test_a_voided_dose_is_not_in_the_national_template(cast, vaccinated):
    _persons, doses = vaccinated
    dose_void(actor=cast.actor("commune"), dose=doses[3], kind="entered_in_error", reason="sai")
    rows = _xlsx_rows(_export(cast, "commune", "doses", "national"))
    assert "Nguyễn Bảo Ngọc" not in [row[1] for row in rows[4:]]


# --- Each list, scoped, in the reader's language ----------------------------------------------


def test_a_csv_starts_with_a_byte_order_mark_and_its_headers_in_the_readers_language(
    cast, vaccinated
):
    job = _export(cast, "commune", "persons", "csv", language="en")
    assert Path(job.file.path).read_bytes()[:3] == b"\xef\xbb\xbf"
    rows = _csv_rows(job)
    assert rows[0][:4] == ["Full name", "Date of birth", "Sex", "Document type"]
    assert [row[0] for row in rows[1:]] == ["Nguyễn Bảo Ngọc", "Nguyễn Văn An", "Phạm Thị Hoa"]
    assert rows[2][1:3] == ["12/04/1985", "Male"]


def test_an_export_holds_only_the_records_of_the_unit_asked_within_the_readers_scope(
    cast, vaccinated, site
):
    names = {row[0] for row in _csv_rows(_export(cast, "province", "persons", "csv"))[1:]}
    # The province's residents, its communes' both; never another province's.
    assert {cast.own_person.full_name, cast.sibling_person.full_name} <= names
    assert cast.foreign_person.full_name not in names
    other = _csv_rows(_export(cast, "commune_other", "doses", "csv"))
    assert other[1:] == []  # commune B: none of its residents vaccinated, no site of its own
    with pytest.raises(PermissionDenied):
        _export(cast, "commune", "persons", unit=cast.units.commune_b)
    with pytest.raises(PermissionDenied):
        _export(cast, "analyst", "persons")


def test_an_analyst_exports_stock_movements_and_no_personal_list(cast, lot, site):
    job = _export(cast, "analyst", "stock_movements", "csv", language="en")
    rows = _csv_rows(job)
    assert rows[0][:6] == [
        "Date",
        "Facility",
        "Vaccine",
        "Lot number",
        "Movement",
        "Doses (+ in, − out)",
    ]
    assert rows[1][1:6] == [SITE_NAME, lot.product.name, "FK1234", "Received", "60"]


def test_doses_of_a_site_and_days_are_those_the_site_gave_then(cast, vaccinated, site):
    _persons, doses = vaccinated
    day = doses[2].given_on
    job = _export(cast, "site_staff", "doses", "csv", site=site, since=day, until=day)
    rows = _csv_rows(job)
    assert [row[0] for row in rows[1:]] == ["Phạm Thị Hoa"]
    assert job.filters == {
        "unit": "13669", "site": str(site.uuid), "since": day.isoformat(), "until": day.isoformat()
    }  # fmt: skip


def test_reactions_and_registrations_export_with_their_person(cast, vaccinated, site):
    _persons, doses = vaccinated
    term = AefiTerm.objects.get(code="S2")
    reaction_record(
        actor=cast.actor("site_staff"), dose=doses[3], onset_at=doses[3].given_at, terms=[term.code]
    )
    reactions = _csv_rows(_export(cast, "commune", "reactions", "csv", language="en"))
    assert reactions[1][0] == "Nguyễn Bảo Ngọc"
    assert term.term_en in reactions[1]  # the reader's language
    registration_create(
        actor=cast.actor("commune"),
        person=cast.own_person,
        priority_group=PriorityGroup.objects.get(code=9),
    )
    registrations = _csv_rows(_export(cast, "commune", "registrations", "csv", language="en"))
    assert (registrations[1][0], registrations[1][8]) == (cast.own_person.full_name, "9")


def test_text_that_a_spreadsheet_would_run_stays_text(cast, site):
    PersonFactory(home_unit=cast.units.commune_a, full_name='=HYPERLINK("http://x","y")')
    csv_job = _export(cast, "commune", "persons", "csv")
    assert [row[0] for row in _csv_rows(csv_job) if "HYPERLINK" in row[0]] == [
        '\'=HYPERLINK("http://x","y")'
    ]
    book = load_workbook(_export(cast, "commune", "persons", "xlsx").file.path)
    cells = [row[0] for row in book.worksheets[0].iter_rows() if "HYPERLINK" in str(row[0].value)]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://x","y")', "s")]
    assert exports.csv_safe("+84912345678") == "+84912345678"
    assert exports.csv_safe("-5") == "-5"


# --- The job: audit, progress, cancel, expiry ----------------------------------------------------


def test_an_export_is_audited_once_asked_and_once_read_naming_its_filter_and_persons(
    cast, vaccinated
):
    persons, _doses = vaccinated
    job = _export(cast, "commune", "doses", "national")
    events = AuditEvent.objects.filter(object_type="export_job", object_uuid=job.uuid)
    asked, read = events.order_by("id")
    assert (asked.action, read.action) == (AuditAction.CREATE, AuditAction.VIEW)
    assert read.scope_path == cast.units.commune_a.path
    assert read.changes["filters"] == {"unit": "13669"}
    assert read.changes["rows"] == 3
    assert len(read.changes["sha256"]) == 64
    assert read.changes["persons"] == sorted(str(p.uuid) for p in persons)


def test_a_large_export_is_audited_by_its_filter_not_person_by_person(
    cast, vaccinated, monkeypatch
):
    monkeypatch.setattr(exports_jobs, "EXPORT_AUDIT_NAMED", 2)
    job = _export(cast, "commune", "persons", "csv")
    read = AuditEvent.objects.get(
        object_type="export_job", object_uuid=job.uuid, action=AuditAction.VIEW
    )
    assert "persons" not in read.changes
    assert (read.changes["rows"], read.changes["read_at"]) == (3, job.started_at.isoformat())


def test_the_queries_of_an_export_do_not_grow_with_its_rows(cast, site, lot):
    def queries(persons):
        for n in range(persons):
            person = PersonFactory(home_unit=cast.units.commune_a, full_name=f"Người {n:03d}")
            _given(cast, person, lot, site, 5)
        with CaptureQueriesContext(connection) as captured:
            _export(cast, "commune", "doses", "xlsx")
        return len(captured)

    queries(0)  # the unit tree's cache filled
    assert queries(2) == queries(20)


# Committed as a worker's would be: on PostgreSQL the job reads its status on a connection of
# its own, which sees only what was committed.
def test_a_cancel_asked_while_it_runs_stops_it_at_its_next_chunk_and_leaves_no_file(
    transactional_db, cast, vaccinated, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK", 1)
    real_write = exports_jobs.list_write

    def cancelled_meanwhile(**kwargs):
        job = ExportJob.objects.get(status=JobStatus.RUNNING)
        export_job_cancel(actor=cast.actor("province"), job=job)
        return real_write(**kwargs)

    monkeypatch.setattr(exports_jobs, "list_write", cancelled_meanwhile)
    job = _export(cast, "commune", "persons", "csv")
    assert (job.status, job.progress_done, bool(job.file)) == (JobStatus.CANCELLED, 1, False)
    folder = Path(job.file.storage.path("exports"))
    assert not list(folder.rglob(f"{job.uuid}*"))


def test_a_job_runs_once_whatever_the_number_of_tasks(cast, vaccinated):
    job = _export(cast, "commune", "persons", "csv")
    again = export_job_run(job_id=job.pk)
    assert (again.status, again.finished_at) == (JobStatus.DONE, job.finished_at)
    reads = AuditEvent.objects.filter(object_uuid=job.uuid, action=AuditAction.VIEW)
    assert reads.count() == 1


def test_only_doses_have_the_national_template(cast, site):
    with pytest.raises(ValidationError):
        _export(cast, "commune", "persons", "national")


def test_the_file_is_downloaded_until_it_expires_then_deleted(cast, vaccinated):
    job = _export(cast, "commune", "persons", "xlsx")
    path = export_file_read(actor=cast.actor("commune"), job=job)
    assert path.is_file()
    assert path.name == f"{job.uuid}.xlsx"
    assert job.file_name.startswith("persons-13669-")
    later = job.expires_at + dt.timedelta(seconds=1)
    assert export_files_purge(now=later) == 1
    job.refresh_from_db()
    assert not path.exists()
    assert job.purged_at is not None
    with pytest.raises(FileNotFoundError):
        export_file_read(actor=cast.actor("commune"), job=job)
    downloads = AuditEvent.objects.filter(object_uuid=job.uuid, summary__startswith="download")
    assert downloads.count() == 1


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_plain_list_of_persons_or_doses_imports_again_in_either_language(
    cast, vaccinated, language
):
    for list_kind, kind, export_format in (("persons", PERSONS, "csv"), ("doses", DOSES, "xlsx")):
        job = _export(cast, "commune", list_kind, export_format, language=language)
        summary = file_import(
            actor=SYSTEM, path=Path(job.file.path), kind=kind, unit=cast.units.province
        )
        assert summary.rejected == 0, summary.errors
        assert summary.read == job.rows_written
        fields = set(summary.mapping.values())
        assert {"full_name", "birth_date", "sex", "id_kind", "id_number", "home_unit"} <= fields
        if kind == DOSES:
            assert {"dose1.product", "dose1.given_on", "dose1.lot", "dose1.site"} <= fields


def _doses_of_record():
    """The valid doses as a list says them: whose (name, birth, document), what, when, where,
    and the kind and number the schedule gave them."""
    return sorted(
        Dose.objects.valid().values_list(
            "person__full_name", "person__birth_year", "person__id_number",
            "product__key", "given_on", "lot__number", "site__name", "kind", "number",
        )
    )  # fmt: skip


def test_the_national_template_imported_into_an_empty_database_gives_the_same_doses(
    cast, site, lot
):
    """Round trip: the persons and doses are made after a savepoint, exported, rolled back
    (the units, site and lot stay: the reference data), and the file imported."""
    empty = transaction.savepoint()
    vaccinated = [
        PersonFactory(home_unit=cast.units.commune_a, full_name="Đỗ Văn Khải"),
        PersonFactory(home_unit=cast.units.commune_a, full_name="Hà Thị Lan", sex="F",
                      id_number="036185000778"),
        PersonFactory(home_unit=cast.units.commune_a, full_name="Đỗ Minh Châu", sex="F",
                      birth_date=dt.date(2012, 5, 6), id_kind=IdKind.NONE, id_number=""),
    ]  # fmt: skip
    for person, days in zip(vaccinated, [(90, 60), (45,), (20,)], strict=True):
        for days_ago in days:
            _given(cast, person, lot, site, days_ago)
    before = _doses_of_record()
    job = _export(cast, "province", "doses", "national", unit=cast.units.province)
    exported = Path(job.file.path)
    transaction.savepoint_rollback(empty)
    assert not Dose.objects.exists()

    summary = file_import(
        actor=cast.actor("commune"), path=exported, kind=DOSES, unit=cast.units.commune_a,
        dry_run=False,
    )  # fmt: skip
    assert (summary.read, summary.rejected, summary.new) == (3, 0, 3), summary.errors
    assert summary.records_new == 4
    assert _doses_of_record() == before


def test_a_list_longer_than_a_sheet_goes_on_in_the_next_under_the_same_header(
    cast, vaccinated, monkeypatch
):
    monkeypatch.setattr(exports, "SHEET_ROWS", 3)  # the header and two persons a sheet
    job = _export(cast, "commune", "persons", "xlsx", language="en")
    book = load_workbook(job.file.path, read_only=True)
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]
    assert [len(rows) for rows in sheets] == [3, 2]
    assert sheets[1][0] == sheets[0][0]
    assert [s.title for s in book.worksheets] == ["persons", "persons 2"]


def test_an_export_whose_starter_was_deactivated_meanwhile_writes_nothing(cast, vaccinated):
    user = cast.users["commune"]
    job = export_job_create(
        actor=cast.actor("commune"), list_kind="persons", export_format="csv",
        filters=Filters(unit=user.unit), language="vi",
    )  # fmt: skip
    user.is_active = False
    user.save(update_fields=["is_active"])
    job = export_job_run(job_id=job.pk)
    assert (job.status, bool(job.file)) == (JobStatus.FAILED, False)


def test_a_job_whose_worker_died_is_taken_over_and_one_alive_is_left_alone(cast, vaccinated):
    user = cast.users["commune"]
    job = export_job_create(
        actor=cast.actor("commune"), list_kind="persons", export_format="csv",
        filters=Filters(unit=user.unit), language="vi",
    )  # fmt: skip
    alive = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=alive, heartbeat_at=alive
    )
    assert export_job_run(job_id=job.pk).status == JobStatus.RUNNING  # its worker beats
    dead = alive - dt.timedelta(hours=1)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=dead)
    job = export_job_run(job_id=job.pk)
    assert (job.status, job.rows_written) == (JobStatus.DONE, 3)


def test_the_import_file_command_dry_run_reads_the_national_template_whole(cast, vaccinated):
    job = _export(cast, "commune", "doses", "national")
    out = io.StringIO()
    call_command("import_file", job.file.path, "--kind", "doses", "--dry-run", stdout=out)
    summary = json.loads(out.getvalue())
    assert len(summary["mapping"]) == len(_xlsx_rows(job)[3]) - 1  # all but STT
    assert summary["rows"]["read"] == summary["rows"]["valid"] == 3
