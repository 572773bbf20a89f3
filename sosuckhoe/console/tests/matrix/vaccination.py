"""A site's day (queue, check-in, screening, dose, watch, tally) and voiding a dose."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import (
    PERSONAL_DATA,
    ROLES,
    SEES_COMMUNE_A,
    Case,
)
from sosuckhoe.console.tests.vaccination_day import dose_given, no_answers, site_day


def button(name: str, url: str, post: dict[str, object], sees: frozenset[str]) -> Case:
    """A POST-only URL: a GET is 405 for everyone; who sees the site and record is sent on."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in PERSONAL_DATA:
            return 403
        return 302 if role in sees else 404

    return Case(name, url, sees, PERSONAL_DATA, post=post, statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def _registration_form(cast) -> dict[str, object]:
    return {
        "full_name": "Phạm Thị Mới", "sex": "F", "birth_date": "1990-03-02", "id_kind": "cccd",
        "id_number": "036190999001", "home_unit": cast.units.commune_a.pk,
    }  # fmt: skip


def cases(cast) -> list[Case]:
    day = site_day(cast)
    dose = dose_given(day)
    site, own, sibling = day.site.uuid, cast.own_person.uuid, cast.sibling_person.uuid
    url = reverse
    # A commune officer finds nobody of commune B at their site; a province officer does.
    sees_both = frozenset({"province", "national_admin"})
    screening = {**no_answers(), "temperature_c": "36.6"}
    return [
        Case("console:site_choose", url("console:site_choose"), PERSONAL_DATA, PERSONAL_DATA,
             post=None),
        Case("console:site_day", url("console:site_day", args=[site]), SEES_COMMUNE_A,
             PERSONAL_DATA, post=None),
        Case("console:site_find", url("console:site_find", args=[site]) + "?q=Zz", SEES_COMMUNE_A,
             PERSONAL_DATA, post=None),
        Case("console:site_register", url("console:site_register", args=[site]), SEES_COMMUNE_A,
             PERSONAL_DATA, post=_registration_form(cast)),
        Case("console:site_visit", url("console:site_visit", args=[site, own]), SEES_COMMUNE_A,
             PERSONAL_DATA, post=None),
        Case("console:site_visit", url("console:site_visit", args=[site, sibling]), sees_both,
             PERSONAL_DATA, post=None),
        Case("console:site_screening", url("console:site_screening", args=[site, own]),
             SEES_COMMUNE_A, PERSONAL_DATA, post=screening),
        button("console:site_check_in", url("console:site_check_in", args=[site, own]), {},
               SEES_COMMUNE_A),
        button("console:site_dose", url("console:site_dose", args=[site, own]),
               {"lot": day.lot.pk}, SEES_COMMUNE_A),
        button("console:site_common_reaction",
               url("console:site_common_reaction", args=[site, dose.uuid]), {}, SEES_COMMUNE_A),
        button("console:site_tally", url("console:site_tally", args=[site]),
               {"product": day.product.key, "doses": 12}, SEES_COMMUNE_A),
        Case("console:dose", url("console:dose", args=[dose.uuid]), SEES_COMMUNE_A,
             PERSONAL_DATA, post=None),
        button("console:dose_void", url("console:dose_void", args=[dose.uuid]),
               {"kind": "not_valid", "reason": "Nhập nhầm"}, SEES_COMMUNE_A),
    ]  # fmt: skip
