import pytest

from sosuckhoe.vaccination.models import (
    AefiCategory,
    AefiTerm,
    FormKind,
    PriorityGroup,
    ScreeningForm,
    ScreeningItem,
    ScreeningOutcome,
)
from sosuckhoe.vaccination.services import reference
from sosuckhoe.vaccination.services.reference import vaccination_reference_load


def test_loading_the_reference_data_creates_the_16_groups_both_forms_and_the_terms(db):
    report = vaccination_reference_load()
    assert report.created == {
        "priority_groups": 16,
        "screening_forms": 2,
        "screening_items": 22,
        "aefi_terms": 30,
    }
    assert PriorityGroup.objects.get(code=9).name_vi.startswith("Người mắc các bệnh mạn tính")
    assert AefiTerm.objects.filter(category=AefiCategory.SERIOUS_CRITERION).count() == 9


def test_loading_again_changes_nothing(db):
    vaccination_reference_load()
    report = vaccination_reference_load()
    assert (report.created, report.updated) == ({}, {})


def test_a_changed_row_in_the_file_is_updated_in_place(db, tmp_path, monkeypatch):
    vaccination_reference_load()
    for source in reference.DATA_DIR.iterdir():
        text = source.read_text(encoding="utf-8")
        (tmp_path / source.name).write_text(text.replace("Lực lượng Công an", "Công an"), "utf-8")
    monkeypatch.setattr(reference, "DATA_DIR", tmp_path)
    report = vaccination_reference_load()
    assert report.updated == {"priority_groups": 1}
    assert PriorityGroup.objects.get(code=4).name_vi == "Công an"


@pytest.mark.parametrize(
    ("kind", "code", "outcome"),
    [
        (FormKind.ADULT, "1", ScreeningOutcome.CONTRAINDICATED),
        (FormKind.ADULT, "4a", ScreeningOutcome.POSTPONE),
        (FormKind.ADULT, "4", ""),
        (FormKind.ADULT, "5", ScreeningOutcome.AT_HOSPITAL),
        (FormKind.ADULT, "10", ScreeningOutcome.CAUTION),
        (FormKind.CHILD, "0a", ""),
        (FormKind.CHILD, "6", ScreeningOutcome.AT_HOSPITAL),
        # The source of item 8 gives no outcome: not today, the screener writes why.
        (FormKind.CHILD, "8", ScreeningOutcome.POSTPONE),
    ],
)
def test_each_item_carries_the_outcome_of_a_yes_in_the_forms_words(reference, kind, code, outcome):
    item = ScreeningItem.objects.get(form__kind=kind, code=code)
    assert item.outcome_if_yes == outcome


def test_the_forms_keep_their_version_and_order(reference):
    adult = ScreeningForm.objects.get(kind=FormKind.ADULT)
    assert adult.version == "3802/QĐ-BYT"
    assert list(adult.items.values_list("code", flat=True)) == [
        "1",
        "2",
        "3",
        "4",
        "4a",
        "4b",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]
    assert list(
        adult.items.filter(marks_immunocompromised=True).values_list("code", flat=True)
    ) == ["6"]
