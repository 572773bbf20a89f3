import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.imports.tests.conftest import national_template, persons_csv
from sosuckhoe.people.models import Person
from sosuckhoe.supply.models import Lot
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.services.batch import unknown_record


def run(*args):
    """The command's JSON summary and its exit code."""
    out = StringIO()
    try:
        call_command("import_file", *map(str, args), stdout=out)
    except CommandError as error:
        return (json.loads(out.getvalue()) if out.getvalue() else None), error.returncode
    return json.loads(out.getvalue()), 0


def test_a_dry_run_reports_each_row_and_writes_nothing(cast, tmp_path):
    before = Person.objects.count()
    summary, code = run(
        national_template(tmp_path), "--kind", "persons", "--unit", "37", "--dry-run"
    )
    assert code == 1  # rows were refused
    assert summary["header_rows"] == [5, 6]
    assert summary["mapping"] == {
        "B": "full_name",
        "C": "birth_date",
        "D": "sex",
        "E": "id_number",
        "F": "phone",
        "G": "home_unit",
    }
    # The blank row and the total row are not read.
    assert summary["rows"] == {"read": 3, "valid": 2, "rejected": 1, "matched": 0, "new": 2}
    assert [(e["row"], e["column"], e["field"]) for e in summary["errors"]] == [
        (9, "C", "birth_date"),
        (9, "D", "sex"),
    ]
    assert all(e["message"] for e in summary["errors"])
    assert Person.objects.count() == before


def test_a_person_is_matched_by_identity_number_exactly(cast, tmp_path):
    PersonFactory(home_unit=cast.units.commune_a, id_number="036085001234")
    summary, _code = run(persons_csv(tmp_path), "--unit", "37", "--dry-run")
    assert summary["rows"] == {"read": 3, "valid": 2, "rejected": 1, "matched": 1, "new": 1}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1258", "utf-16"])
def test_a_csv_in_any_encoding_gives_the_same_summary(cast, tmp_path, encoding):
    summary, _code = run(persons_csv(tmp_path, encoding=encoding), "--dry-run")
    assert summary["header_rows"] == [2, 2]
    assert summary["rows"] == {"read": 3, "valid": 2, "rejected": 1, "matched": 0, "new": 2}


def test_rows_the_dry_run_refuses_by_the_rules_of_the_person_service(cast, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Họ và tên,Ngày sinh,Giới tính,Số CCCD\n"
        # A CCCD whose digits 5-6 are not the year of birth.
        "Nguyễn Văn An,12/04/1985,Nam,036090001234\n"
        "Trần Văn Bình,12/04/2999,Nam,\n",
        encoding="utf-8",
    )
    summary, code = run(path, "--unit", "13669", "--dry-run")
    assert code == 1
    assert summary["rows"]["rejected"] == 2
    assert [(e["row"], e["column"], e["field"]) for e in summary["errors"]] == [
        (2, "D", "id_number"),
        (3, "B", "birth_date"),
        (3, "B", "birth_year"),  # shown on the column it was read from
    ]


def test_an_import_registers_the_new_persons_through_the_service_and_again_adds_nothing(
    cast, tmp_path
):
    path = national_template(tmp_path)
    summary, _code = run(path, "--kind", "persons", "--unit", "37")
    assert summary["rows"]["new"] == 2
    binh = Person.objects.get(id_number="036085001234")
    assert binh.full_name == "Nguyễn Văn Bình"
    assert binh.phone == "+84912345678"
    assert binh.home_unit == cast.units.commune_a
    cuc = Person.objects.get(full_name="Tran Thi Cuc")
    assert (cuc.birth_date, cuc.birth_year, cuc.id_kind) == (None, 1990, "none")
    audited = AuditEvent.objects.filter(actor_username="system:import_file", object_uuid=binh.uuid)
    assert audited.exists()

    count = Person.objects.count()
    again, _code = run(path, "--kind", "persons", "--unit", "37")
    # The person with a document is found again; one without a document cannot be (the
    # duplicate finder's work).
    assert again["rows"]["matched"] == 1
    assert Person.objects.count() == count + again["rows"]["new"]


def test_a_dose_list_is_checked_as_far_as_its_vaccines_lots_and_sites(cast, tmp_path, dose_records):
    path = national_template(tmp_path)
    summary, _code = run(path, "--kind", "doses", "--unit", "37", "--dry-run")
    assert summary["mapping"]["M"] == "dose2.product"
    assert summary["rows"] == {"read": 3, "valid": 2, "rejected": 1, "matched": 0, "new": 2}

    Lot.objects.all().delete()
    summary, code = run(path, "--kind", "doses", "--unit", "37", "--dry-run")
    assert code == 1
    assert summary["rows"]["valid"] == 0
    lot_errors = [e for e in summary["errors"] if e["field"] == "dose1.lot"]
    assert [(e["row"], e["column"]) for e in lot_errors] == [(7, "K"), (8, "K"), (9, "K")]
    assert lot_errors[0]["message"] == unknown_record("lot").messages[0]


def test_a_file_without_a_header_or_a_needed_column_is_refused_whole(cast, tmp_path):
    no_header = tmp_path / "numbers.csv"
    no_header.write_text("1,2,3\n4,5,6\n", encoding="utf-8")
    assert run(no_header, "--dry-run") == (None, 2)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(national_template(tmp_path).read_bytes()[:2000])
    assert run(damaged, "--dry-run") == (None, 2)
    no_commune = tmp_path / "no-commune.csv"
    no_commune.write_text("Họ tên,Năm sinh,Giới tính\nAn,1985,Nam\n", encoding="utf-8")
    with pytest.raises(CommandError, match="home_unit"):
        call_command("import_file", str(no_commune), "--dry-run", stdout=StringIO())
    # With the commune given for the whole list, the same file is read.
    summary, code = run(no_commune, "--unit", "13669", "--dry-run")
    assert (summary["rows"]["new"], code) == (1, 0)


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_an_import_in_a_terminal_shows_its_progress_on_stderr_and_queries_per_chunk(
    cast, tmp_path, django_assert_max_num_queries
):
    out, err = StringIO(), _Terminal()
    # The references, the chunk's documents, its inserts and savepoints: not a query per row.
    with django_assert_max_num_queries(30), pytest.raises(CommandError):  # a row refused
        call_command("import_file", str(national_template(tmp_path)), "--unit", "37",
                     stdout=out, stderr=err)  # fmt: skip
    assert json.loads(out.getvalue())["rows"]["new"] == 2
    assert err.getvalue().startswith("\r[")
    assert "11/11 rows" in err.getvalue()  # sheet rows: the header and total included


def test_an_import_outside_a_terminal_writes_no_progress(cast, tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_file", str(national_template(tmp_path)), "--unit", "37",
                     stdout=StringIO(), stderr=err)  # fmt: skip
    assert err.getvalue() == ""
