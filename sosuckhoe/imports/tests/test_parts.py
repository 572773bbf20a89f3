"""An import in parts side by side (imports.parts): the rows of one document in one part,
in the order of the file; the same records as one part writes; the possible duplicates of
persons registered by different parts queued; a part that fails stops the import and leaves
what the parts committed. PostgreSQL only: the parts are other processes, which must see
what this one committed."""

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.db import connection

from sosuckhoe.imports import parts, services
from sosuckhoe.imports.parts import ImportPartFailed, Part
from sosuckhoe.imports.tests.conftest import SITE_NAME
from sosuckhoe.imports.tests.test_import_file import run
from sosuckhoe.imports.tests.test_import_records import supplies  # noqa: F401
from sosuckhoe.people.models import DuplicatePair, Person
from sosuckhoe.testing.factories import cccd_for
from sosuckhoe.vaccination.models import Dose
from sosuckhoe.vaccination.tests.conftest import reference, reference_rows  # noqa: F401

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "SĐT", "Xã/Phường", "Tên vắc xin",
          "Ngày tiêm", "Số lô", "Nơi tiêm"]  # fmt: skip
WINDOW = 3  # sheet rows a window in these tests, so that a short file spans many
_LETTERS = "ABCDEGHIKLMNOPQRSTUVXY"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the parts are other processes"
)


def _row(name: str, number: str, day: str, *, phone: str = "") -> list[str]:
    return [name, "05/06/1975", "Nữ", number, phone, "13669", "Comirnaty", day, "FK1234",
            SITE_NAME]  # fmt: skip


def _name(n: int) -> str:
    return "Đinh Thị " + " ".join(_LETTERS[int(d)] for d in f"{n:03d}")


def _number(n: int) -> str:
    return cccd_for(birth_year=1975, sex="F", province="036", serial=20_000 + n)


def _write(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "ca-tiem.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


@pytest.fixture
def small_windows(monkeypatch):
    """Chunks and windows of a few rows: a short file is many chunks in every part."""
    monkeypatch.setattr(services, "CHUNK", WINDOW)
    monkeypatch.setattr(parts, "CHUNK", WINDOW)


def test_every_row_falls_in_one_part_and_a_document_written_any_way_in_the_same():
    count = 3
    found = [Part(i, count, id_column=0) for i in range(count)]
    for number in range(2, 200):
        owners = [p.index for p in found if p.owns(number, [_number(number)])]
        assert len(owners) == 1
    same = ["036085001234", 36085001234, " 036 085 001 234 ", 36085001234.0]
    assert len({next(p.index for p in found if p.owns(9, [v])) for v in same}) == 1
    # Without a document, by window: rows far apart may fall in different parts.
    assert {next(p.index for p in found if p.owns(n, [""])) for n in (2, 1002, 2002)} == {0, 1, 2}


@postgresql_only
@pytest.mark.usefixtures("transactional_db", "small_windows", "supplies")
def test_parts_write_what_one_part_writes_with_a_persons_doses_in_the_order_of_the_file(
    cast, tmp_path
):
    rows = [_row(_name(n), _number(n), "01/09/2021") for n in range(30)]
    # Person 0's second dose, twenty rows on, its number a cell that lost its leading zero.
    rows.insert(20, _row(_name(0), _number(0).lstrip("0"), "15/10/2021"))
    rows.insert(10, _row("Phạm Văn Lỗi", _number(99), "31/02/2021"))
    before = Person.objects.count()
    summary, code = run(_write(tmp_path, rows), "--kind", "doses", "--unit", "37",
                        "--workers", "2")  # fmt: skip
    assert code == 1
    assert summary["rows"] == {"read": 32, "valid": 31, "rejected": 1, "matched": 1, "new": 30}
    assert summary["records"] == {"new": 31, "matched": 0}
    assert [e["row"] for e in summary["errors"]] == [12]
    first = Person.objects.get(id_number=_number(0))
    assert [(d.given_on, d.number) for d in first.doses.order_by("given_on")] == [
        (dt.date(2021, 9, 1), 1),
        (dt.date(2021, 10, 15), 2),
    ]
    assert Dose.objects.count() == 31

    again, _code = run(_write(tmp_path, rows), "--kind", "doses", "--unit", "37",
                       "--workers", "2")  # fmt: skip
    assert again["records"] == {"new": 0, "matched": 31}
    assert (Person.objects.count(), Dose.objects.count()) == (before + 30, 31)


@postgresql_only
@pytest.mark.usefixtures("transactional_db", "small_windows", "supplies")
def test_persons_alike_registered_by_different_parts_are_queued_for_review(cast, tmp_path):
    twin = ["Hoàng Thị Lan", "05/06/1975", "Nữ", "", "0912345678", "13669", "Comirnaty",
            "01/09/2021", "FK1234", SITE_NAME]  # fmt: skip
    # Sheet rows 2 and 5: windows 0 and 1, which two parts import.
    rows = [twin, _row(_name(1), _number(1), "01/09/2021"),
            _row(_name(2), _number(2), "01/09/2021"), twin]  # fmt: skip
    assert Part(0, 2, 3).owns(2, twin) != Part(0, 2, 3).owns(5, twin)
    summary, code = run(_write(tmp_path, rows), "--kind", "doses", "--unit", "37",
                        "--workers", "2")  # fmt: skip
    assert (code, summary["rows"]["new"]) == (0, 4)
    lan = Person.objects.filter(full_name="Hoàng Thị Lan")
    pair = DuplicatePair.objects.get()
    assert {pair.person_a_id, pair.person_b_id} == set(lan.values_list("pk", flat=True))


@postgresql_only
@pytest.mark.usefixtures("transactional_db", "small_windows", "supplies")
def test_a_part_that_fails_stops_the_import_and_what_the_others_committed_stays(
    cast, tmp_path, monkeypatch
):
    rows = [_row(_name(n), _number(n), "01/09/2021") for n in range(12)]
    path = _write(tmp_path, rows)
    doomed = Part(0, 2, id_column=0)
    judged = services.Judge.chunk

    def chunk(self, rows):
        if rows and doomed.owns(rows[0].number, [_number(rows[0].number - 2)]):
            raise RuntimeError("the database went away")
        return judged(self, rows)

    monkeypatch.setattr(services.Judge, "chunk", chunk)
    with pytest.raises(ImportPartFailed, match="the database went away"):
        run(path, "--kind", "doses", "--unit", "37", "--workers", "2")
    written = set(Person.objects.filter(full_name__startswith="Đinh Thị").values_list(
        "id_number", flat=True))  # fmt: skip
    others = {_number(n) for n in range(12) if not doomed.owns(n + 2, [_number(n)])}
    assert written == others
    assert Dose.objects.count() == len(others)
