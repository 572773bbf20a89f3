"""Persons: search, read, register, correct, register a ward, merge."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import (
    PERSONAL_DATA,
    SEES_COMMUNE_A,
    SEES_DISTRICT,
    SEES_OTHER_PROVINCE,
    Case,
)


def _edit_form(person) -> dict[str, object]:
    """A valid correction of the person: refused, it must change nothing."""
    return {
        "full_name": "Bị Sửa", "sex": person.sex, "birth_date": person.birth_date.isoformat(),
        "id_kind": person.id_kind, "id_number": person.id_number, "home_unit": person.home_unit_id,
    }  # fmt: skip


def _ward_form(guardian) -> dict[str, object]:
    return {
        "full_name": "Con Mới", "sex": "F", "birth_date": "2020-01-02", "id_kind": "none",
        "home_unit": guardian.home_unit_id,
    }  # fmt: skip


def cases(cast) -> list[Case]:
    own, sibling, foreign = cast.own_person, cast.sibling_person, cast.foreign_person
    district = cast.district_person
    url = reverse
    return [
        Case("console:person_search", url("console:person_search"), PERSONAL_DATA, PERSONAL_DATA,
             post=None),
        Case("console:person_new", url("console:person_new"), PERSONAL_DATA, PERSONAL_DATA),
        *(
            Case("console:person", url("console:person", args=[p.uuid]), sees, PERSONAL_DATA,
                 post=None)
            for p, sees in ((own, SEES_COMMUNE_A), (foreign, SEES_OTHER_PROVINCE),
                            (district, SEES_DISTRICT))
        ),
        *(
            Case("console:person_edit", url("console:person_edit", args=[p.uuid]), sees,
                 PERSONAL_DATA, post=_edit_form(p))
            for p, sees in ((own, SEES_COMMUNE_A), (foreign, SEES_OTHER_PROVINCE),
                            (district, SEES_DISTRICT))
        ),
        *(
            Case("console:person_new_ward", url("console:person_new_ward", args=[p.uuid]), sees,
                 PERSONAL_DATA, post=_ward_form(p))
            for p, sees in ((own, SEES_COMMUNE_A), (foreign, SEES_OTHER_PROVINCE))
        ),
        # Merging needs both records: commune A's staff do not see commune B's person.
        Case("console:person_merge", url("console:person_merge", args=[own.uuid, sibling.uuid]),
             frozenset({"province", "national_admin"}), PERSONAL_DATA),
        Case("console:person_merge", url("console:person_merge", args=[own.uuid, foreign.uuid]),
             frozenset({"national_admin"}), PERSONAL_DATA),
    ]  # fmt: skip
