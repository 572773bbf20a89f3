"""Imports: staff who read personal data upload lists of their subtree, map their columns,
follow them and download the rows they refused; analysts never."""

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.console.tests.matrix import PERSONAL_DATA, SEES_COMMUNE_A, SEES_OTHER_PROVINCE, Case
from sosuckhoe.imports.models import ImportJob

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Xã/Phường"]
MAPPING = {"1": "full_name", "2": "birth_date", "3": "sex", "4": "id_number", "5": "home_unit"}


class _Upload(Mapping[str, Any]):
    """A valid upload form; each POST reads a fresh file (a file read once is empty after)."""

    def _form(self) -> dict[str, Any]:
        buffer = io.StringIO()
        csv.writer(buffer).writerows([HEADER, [1, "Lý Thị Hà", "01/02/1990", "Nữ", "", "13669"]])
        upload = SimpleUploadedFile("danh-sach.csv", buffer.getvalue().encode())
        return {"file": upload, "list_kind": "persons", "unit": ""}

    def __getitem__(self, key: str) -> Any:
        return self._form()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._form())

    def __len__(self) -> int:
        return len(self._form())


def _job(unit, *, confirmed: bool, rejected: bool = False) -> ImportJob:  # type: ignore[no-untyped-def]
    job = ImportJob.objects.create(
        unit=unit, list_kind="persons", file_name="danh-sach.csv", header=[HEADER],
        header_first=1, header_last=1, mapping=MAPPING, started_by_name="system:matrix",
        confirmed_at=timezone.now() if confirmed else None,
    )  # fmt: skip
    if rejected:
        job.rejected_file.save("danh-sach-rejected.xlsx", ContentFile(b"PK"))
    return job


def _pages(job: ImportJob, sees: frozenset[str]) -> list[Case]:
    return [
        Case("console:import_job", reverse("console:import_job", args=[job.uuid]), sees,
             PERSONAL_DATA, post=None),
        Case("console:import_job_status", reverse("console:import_job_status", args=[job.uuid]),
             sees, PERSONAL_DATA, post=None),
        Case("console:import_rejected", reverse("console:import_rejected", args=[job.uuid]),
             sees, PERSONAL_DATA, post=None),
    ]  # fmt: skip


def cases(cast) -> list[Case]:  # type: ignore[no-untyped-def]
    units = cast.units
    mapping_form = {f"col{i}": field for i, field in MAPPING.items()}
    return [
        Case("console:imports", reverse("console:imports"), PERSONAL_DATA, PERSONAL_DATA,
             post=_Upload()),
        *(
            Case("console:import_mapping",
                 reverse("console:import_mapping", args=[_job(unit, confirmed=False).uuid]),
                 sees, PERSONAL_DATA, post=mapping_form)
            for unit, sees in ((units.commune_a, SEES_COMMUNE_A),
                               (units.other_commune, SEES_OTHER_PROVINCE))
        ),
        *_pages(_job(units.commune_a, confirmed=True, rejected=True), SEES_COMMUNE_A),
        *_pages(_job(units.other_commune, confirmed=True, rejected=True), SEES_OTHER_PROVINCE),
    ]  # fmt: skip
