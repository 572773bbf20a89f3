"""The mapping confirmed for a layout of file is saved: the next file of the layout maps
itself, within the subtree of the unit where it was confirmed."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from sosuckhoe.imports.jobs import import_job_create, import_job_start
from sosuckhoe.imports.layouts import layout_signature
from sosuckhoe.imports.models import ImportLayout
from sosuckhoe.testing.factories import cccd_for

# "Nam / Nữ?" is no header the mapping knows: the officer maps that column by hand.
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Nam / Nữ?", "Số CCCD", "Xã/Phường"]
FIXED = {1: "full_name", 2: "birth_date", 3: "sex", 4: "id_number", 5: "home_unit"}


def _csv(header: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Danh sách tuần này"])
    writer.writerow(header)
    writer.writerow([1, "Lý Thị Hà", "01/02/1990", "Nữ",
                     cccd_for(birth_year=1990, sex="F", serial=77), "13669"])  # fmt: skip
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


def _upload(cast, *, role="commune", unit=None, header=HEADER, kind="persons"):
    return import_job_create(
        actor=cast.actor(role), unit=unit or cast.units.commune_a, list_kind=kind,
        upload=SimpleUploadedFile("tuan.csv", _csv(header).encode()),
    )  # fmt: skip


def _confirmed(cast, role="commune", unit=None):
    job = _upload(cast, role=role, unit=unit)
    return import_job_start(actor=cast.actor(role), job=job, mapping=FIXED)


def test_the_signature_folds_case_accents_spacing_and_trailing_blanks():
    assert layout_signature([["Họ và tên", "Ngày sinh"]]) == layout_signature(
        [["HỌ VÀ TÊN ", "ngay  sinh", "", ""]]
    )
    assert layout_signature([["Họ và tên", "Ngày sinh"]]) != layout_signature(
        [["Ngày sinh", "Họ và tên"]]
    )


def test_a_confirmed_mapping_is_saved_and_the_next_file_of_the_layout_maps_itself(cast):
    first = _upload(cast)
    assert (first.layout, 3 in first.columns) == (None, False)  # the sex: not suggested
    import_job_start(actor=cast.actor("commune"), job=first, mapping=FIXED)
    layout = ImportLayout.objects.get()
    assert (layout.columns, layout.unit, layout.confirmed_by_name) == (
        FIXED,
        cast.units.commune_a,
        "commune",
    )
    again = _upload(cast, header=[h.upper() for h in HEADER])  # the same words in capitals
    assert again.layout == layout
    assert again.columns == FIXED
    layout.refresh_from_db()
    assert layout.uses == 1


def test_a_new_confirmation_replaces_the_saved_mapping(cast):
    _confirmed(cast)
    job = _upload(cast)
    import_job_start(actor=cast.actor("commune"), job=job, mapping=FIXED | {0: "address_line"})
    assert ImportLayout.objects.get().columns == FIXED | {0: "address_line"}


def test_a_layout_serves_the_subtree_where_it_was_confirmed_only(cast):
    _confirmed(cast)
    elsewhere = _upload(cast, role="commune_other", unit=cast.units.commune_b)
    assert (elsewhere.layout, 3 in elsewhere.columns) == (None, False)
    as_persons = _upload(cast, kind="registrations")
    assert as_persons.layout is None  # another kind of list


def test_a_province_layout_serves_its_communes_and_theirs_comes_first(cast):
    _confirmed(cast, role="province", unit=cast.units.province)
    assert _upload(cast).layout.unit == cast.units.province
    _confirmed(cast)
    assert _upload(cast).layout.unit == cast.units.commune_a


def test_the_import_command_uses_the_saved_layout(cast, tmp_path):
    path = tmp_path / "tuan.csv"
    path.write_text(_csv(HEADER), encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):  # the sex column is not read: a needed field missing
        call_command("import_file", str(path), "--unit", "13669", "--dry-run", stdout=out)
    _confirmed(cast)
    call_command("import_file", str(path), "--unit", "13669", "--dry-run", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["layout"], summary["mapping"]["D"]) == ("saved", "sex")
    assert summary["rows"]["valid"] == 1
