"""Every schedule rule of data/schedule_rules.csv, with its real interval: the dose is allowed
on the first day the rule gives, and refused the day before (or for the rule's other reason)."""

# The tables read best one case to a line.
# ruff: noqa: E501

import csv
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from sosuckhoe.supply.reference import DATA_DIR
from sosuckhoe.supply.schedule import DoseKind, PriorDose, dose_assess

D = dt.date
ADULT = D(1980, 5, 10)
OLDER = D(1960, 1, 1)
TEEN = D(2007, 3, 1)
CHILD = D(2014, 6, 1)
TURNS_12 = D(2010, 7, 1)  # 12 on 01/07/2022


def p(key: str, day: dt.date, number: int = 1) -> PriorDose:
    return PriorDose(key, day, DoseKind.PRIMARY, number)


def az2(second: dt.date, first: dt.date | None = None) -> list[PriorDose]:
    return [p("vaxzevria", first or D(2021, 3, 10)), p("vaxzevria", second, 2)]


def two(key: str, first: dt.date, second: dt.date) -> list[PriorDose]:
    return [p(key, first), p(key, second, 2)]


@dataclass(frozen=True)
class Allowed:
    """`product` becomes allowed on `on` under `rule`; the day before it is refused with
    `before` (None for a first dose, which waits for nothing)."""

    rule: str
    product: str
    birth: dt.date | int
    history: list[PriorDose]
    on: dt.date
    before: str | None = "interval_too_short"
    flags: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refused:
    """A dose the rule `rule` refuses with `code`."""

    rule: str
    product: str
    birth: dt.date | int
    history: list[PriorDose]
    on: dt.date
    code: str
    flags: dict[str, Any] = field(default_factory=dict)


IC = {"immunocompromised": True}
ALLOWED = [
    Allowed("primary-1-vaxzevria", "vaxzevria", ADULT, [], D(2021, 6, 1), None),
    Allowed("primary-2-vaxzevria", "vaxzevria", ADULT, [p("vaxzevria", D(2021, 6, 1))], D(2021, 7, 27)),
    Allowed("primary-2-comirnaty-after-vaxzevria", "comirnaty", ADULT, [p("vaxzevria", D(2021, 7, 1))], D(2021, 8, 26)),
    Allowed("primary-2-spikevax-after-vaxzevria", "spikevax", ADULT, [p("vaxzevria", D(2021, 7, 20))], D(2021, 9, 14)),
    Allowed("primary-1-comirnaty", "comirnaty", ADULT, [], D(2021, 7, 1), None),
    Allowed("primary-1-comirnaty-12-17", "comirnaty", TEEN, [], D(2021, 11, 1), None),
    Allowed("primary-2-comirnaty", "comirnaty", ADULT, [p("comirnaty", D(2021, 8, 1))], D(2021, 8, 22)),
    Allowed("primary-2-spikevax-after-comirnaty", "spikevax", ADULT, [p("comirnaty", D(2021, 9, 10))], D(2021, 10, 1)),
    Allowed("primary-1-comirnaty-paediatric", "comirnaty-paediatric", CHILD, [], D(2022, 5, 1), None),
    Allowed("primary-2-comirnaty-paediatric", "comirnaty-paediatric", CHILD, [p("comirnaty-paediatric", D(2022, 5, 1))], D(2022, 5, 22)),
    Allowed("primary-2-comirnaty-after-paediatric", "comirnaty", TURNS_12, [p("comirnaty-paediatric", D(2022, 6, 15))], D(2022, 7, 6)),
    Allowed("primary-1-spikevax", "spikevax", ADULT, [], D(2021, 7, 1), None),
    Allowed("primary-1-spikevax-6-11", "spikevax", CHILD, [], D(2022, 5, 1), None),
    Allowed("primary-2-spikevax", "spikevax", ADULT, [p("spikevax", D(2021, 8, 1))], D(2021, 8, 29)),
    Allowed("primary-2-comirnaty-after-spikevax", "comirnaty", ADULT, [p("spikevax", D(2021, 9, 5))], D(2021, 10, 3)),
    Allowed("primary-1-bbibp-corv", "bbibp-corv", ADULT, [], D(2021, 7, 1), None),
    Allowed("primary-2-bbibp-corv", "bbibp-corv", ADULT, [p("hayat-vax", D(2021, 8, 1))], D(2021, 8, 22)),
    Allowed("primary-1-hayat-vax", "hayat-vax", ADULT, [], D(2021, 9, 1), None),
    Allowed("primary-2-hayat-vax", "hayat-vax", ADULT, [p("hayat-vax", D(2021, 9, 1))], D(2021, 9, 22)),
    Allowed("primary-1-sputnik-v", "sputnik-v", ADULT, [], D(2021, 8, 1), None),
    Allowed("primary-2-sputnik-v", "sputnik-v", ADULT, [p("sputnik-v", D(2021, 8, 1))], D(2021, 8, 22)),
    Allowed("primary-1-abdala", "abdala", ADULT, [], D(2021, 10, 1), None),
    Allowed("primary-2-abdala", "abdala", ADULT, [p("abdala", D(2021, 10, 1))], D(2021, 10, 15)),
    Allowed("primary-3-abdala", "abdala", ADULT, [p("abdala", D(2021, 10, 1)), p("abdala", D(2021, 10, 15), 2)], D(2021, 10, 29)),
    Allowed("primary-1-covaxin", "covaxin", ADULT, [], D(2021, 10, 1), None),
    Allowed("primary-2-covaxin", "covaxin", ADULT, [p("covaxin", D(2021, 10, 1))], D(2021, 10, 29)),
    Allowed("additional-immunocompromised-cv10225", "comirnaty", ADULT, az2(D(2021, 11, 10), D(2021, 9, 1)), D(2021, 12, 8), flags=IC),
    Allowed("additional-immunocompromised", "comirnaty", ADULT, az2(D(2022, 1, 10), D(2021, 11, 1)), D(2022, 2, 7), flags=IC),
    Allowed("additional-primed-vero-cell-sputnik", "comirnaty", ADULT, two("bbibp-corv", D(2021, 11, 10), D(2021, 12, 1)), D(2021, 12, 29)),
    Allowed("additional-50-plus", "spikevax", OLDER, az2(D(2021, 11, 1), D(2021, 9, 1)), D(2021, 12, 17)),
    Allowed("booster-1-same-cv10225", "vaxzevria", ADULT, az2(D(2021, 6, 10)), D(2021, 12, 10)),
    Allowed("booster-1-mrna-after-homologous-cv10225", "comirnaty", ADULT, az2(D(2021, 6, 10)), D(2021, 12, 10)),
    Allowed("booster-1-mrna-after-mixed-cv10225", "spikevax", ADULT, [p("vaxzevria", D(2021, 4, 1)), p("comirnaty", D(2021, 6, 5), 2)], D(2021, 12, 5)),
    Allowed("booster-1-after-sinopharm-cv10225", "vaxzevria", ADULT, two("bbibp-corv", D(2021, 5, 1), D(2021, 6, 5)), D(2021, 12, 5)),
    Allowed("booster-1-same", "vaxzevria", ADULT, az2(D(2021, 10, 1), D(2021, 7, 1)), D(2022, 1, 1)),
    Allowed("booster-1-mrna-after-homologous", "comirnaty", ADULT, az2(D(2021, 10, 1), D(2021, 7, 1)), D(2022, 1, 1)),
    Allowed("booster-1-mrna-after-mixed", "spikevax", ADULT, [p("vaxzevria", D(2021, 7, 1)), p("comirnaty", D(2021, 10, 1), 2)], D(2022, 1, 1)),
    Allowed("booster-1-after-sinopharm", "vaxzevria", ADULT, two("bbibp-corv", D(2021, 12, 1), D(2022, 1, 5)), D(2022, 4, 5), None),
    Allowed("booster-1-vaxzevria-after-mrna", "vaxzevria", ADULT, two("comirnaty", D(2021, 9, 1), D(2021, 10, 1)), D(2022, 3, 1), "product_may_not_follow"),
    Allowed("booster-1-comirnaty-12-17", "comirnaty", TEEN, two("comirnaty", D(2022, 1, 10), D(2022, 2, 1)), D(2022, 7, 1)),
    Allowed("booster-2-50-plus", "comirnaty", OLDER, [*az2(D(2021, 10, 1), D(2021, 7, 1)), PriorDose("comirnaty", D(2022, 3, 1), DoseKind.BOOSTER, 1)], D(2022, 7, 1)),
    Allowed("booster-2-immunocompromised", "spikevax", ADULT, [*az2(D(2021, 10, 1), D(2021, 7, 1)), PriorDose("comirnaty", D(2022, 3, 1), DoseKind.BOOSTER, 1)], D(2022, 7, 1), flags=IC),
    Allowed("booster-2-high-exposure", "comirnaty", ADULT, [*az2(D(2021, 10, 1), D(2021, 7, 1)), PriorDose("comirnaty", D(2022, 3, 1), DoseKind.BOOSTER, 1)], D(2022, 7, 1), flags={"high_exposure": True}),
]  # fmt: skip

BOOSTED_2022 = [
    *az2(D(2021, 10, 1), D(2021, 7, 1)),
    PriorDose("comirnaty", D(2022, 3, 1), DoseKind.BOOSTER, 1),
]
REFUSED = [
    Refused("primary-1-vaxzevria", "vaxzevria", D(2005, 3, 1), [], D(2021, 7, 1), "age_below_minimum"),
    Refused("primary-2-vaxzevria", "vaxzevria", ADULT, [p("vaxzevria", D(2021, 6, 1))], D(2021, 6, 29), "interval_too_short"),
    Refused("primary-2-comirnaty-after-vaxzevria", "comirnaty", ADULT, [p("vaxzevria", D(2021, 4, 1))], D(2021, 7, 1), "product_may_not_follow"),
    Refused("primary-2-spikevax-after-vaxzevria", "spikevax", ADULT, [p("vaxzevria", D(2021, 6, 1))], D(2021, 8, 15), "product_may_not_follow"),
    Refused("primary-1-comirnaty", "comirnaty", TEEN, [], D(2021, 7, 1), "age_below_minimum"),
    Refused("primary-1-comirnaty-12-17", "comirnaty", D(2011, 6, 1), [], D(2022, 5, 1), "age_below_minimum"),
    Refused("primary-1-comirnaty-paediatric", "comirnaty-paediatric", TEEN, [], D(2022, 5, 1), "age_above_maximum"),
    Refused("primary-1-comirnaty-paediatric", "comirnaty-paediatric", CHILD, [], D(2022, 1, 10), "product_not_in_schedule"),
    Refused("primary-2-comirnaty-paediatric", "spikevax", CHILD, [p("comirnaty-paediatric", D(2022, 5, 1))], D(2022, 6, 1), "product_may_not_follow"),
    Refused("primary-2-comirnaty-after-paediatric", "comirnaty", TURNS_12, [p("comirnaty-paediatric", D(2022, 6, 1))], D(2022, 6, 25), "age_below_minimum"),
    Refused("primary-1-spikevax", "spikevax", TEEN, [], D(2022, 5, 1), "age_below_minimum"),
    Refused("primary-1-spikevax-6-11", "spikevax", D(2016, 12, 1), [], D(2022, 5, 1), "age_below_minimum"),
    Refused("primary-2-spikevax", "comirnaty", ADULT, [p("spikevax", D(2021, 8, 1))], D(2021, 8, 29), "product_may_not_follow"),
    Refused("primary-2-bbibp-corv", "comirnaty", ADULT, [p("bbibp-corv", D(2021, 10, 1))], D(2021, 11, 1), "product_may_not_follow"),
    Refused("primary-1-bbibp-corv", "bbibp-corv", TEEN, [], D(2022, 1, 1), "age_below_minimum"),
    Refused("primary-1-hayat-vax", "hayat-vax", TEEN, [], D(2022, 1, 1), "age_below_minimum"),
    Refused("primary-1-sputnik-v", "sputnik-v", TEEN, [], D(2022, 1, 1), "age_below_minimum"),
    Refused("primary-2-sputnik-v", "comirnaty", ADULT, [p("sputnik-v", D(2021, 9, 1))], D(2021, 10, 1), "product_may_not_follow"),
    Refused("primary-1-abdala", "abdala", TEEN, [], D(2022, 1, 1), "age_below_minimum"),
    Refused("primary-1-covaxin", "covaxin", TEEN, [], D(2022, 1, 1), "age_below_minimum"),
    Refused("primary-any-after-infection-5-11", "comirnaty-paediatric", CHILD, [], D(2022, 7, 19), "too_soon_after_infection", {"infected_on": D(2022, 4, 20)}),
    Refused("additional-immunocompromised", "comirnaty", ADULT, az2(D(2022, 1, 10), D(2021, 11, 1)), D(2022, 2, 1), "interval_too_short", IC),
    Refused("additional-50-plus", "spikevax", OLDER, az2(D(2021, 12, 1), D(2021, 9, 1)), D(2021, 12, 20), "interval_too_short"),
    Refused("booster-1-mrna-after-homologous-cv10225", "covaxin", ADULT, az2(D(2021, 5, 20)), D(2021, 12, 5), "product_may_not_follow"),
    Refused("booster-1-mrna-after-mixed-cv10225", "vaxzevria", ADULT, [p("vaxzevria", D(2021, 4, 1)), p("comirnaty", D(2021, 6, 1), 2)], D(2021, 12, 5), "product_may_not_follow"),
    Refused("booster-1-mrna-after-mixed", "vaxzevria", ADULT, [p("vaxzevria", D(2021, 7, 1)), p("comirnaty", D(2021, 10, 1), 2)], D(2022, 2, 1), "product_may_not_follow"),
    Refused("booster-1-after-sinopharm", "covaxin", ADULT, two("bbibp-corv", D(2021, 9, 1), D(2021, 10, 1)), D(2022, 2, 1), "product_may_not_follow"),
    Refused("booster-1-comirnaty-12-17", "comirnaty", TEEN, two("comirnaty", D(2021, 11, 1), D(2021, 11, 22)), D(2022, 5, 20), "age_below_minimum"),
    Refused("booster-1-after-infection-12-17", "comirnaty", TEEN, two("comirnaty", D(2021, 11, 1), D(2021, 11, 22)), D(2022, 8, 14), "too_soon_after_infection", {"infected_on": D(2022, 5, 15)}),
    Refused("booster-2-50-plus", "comirnaty", ADULT, BOOSTED_2022, D(2022, 7, 1), "not_in_target_group"),
    Refused("booster-2-50-plus", "comirnaty", OLDER, BOOSTED_2022, D(2022, 5, 1), "series_complete"),
    Refused("booster-2-high-exposure", "comirnaty", ADULT, BOOSTED_2022, D(2022, 6, 30), "interval_too_short", {"high_exposure": True}),
    Refused("booster-2-after-infection", "comirnaty", OLDER, BOOSTED_2022, D(2022, 9, 30), "too_soon_after_infection", {"infected_on": D(2022, 7, 1)}),
]  # fmt: skip


def _assess(products, product: str, birth, history, on: dt.date, flags: dict[str, Any]):  # type: ignore[no-untyped-def]
    return dose_assess(
        product=products[product], given_on=on, birth=birth, history=history, **flags
    )


@pytest.mark.parametrize("case", ALLOWED, ids=[c.rule for c in ALLOWED])
def test_a_dose_is_allowed_from_the_first_day_its_rule_gives(products, case: Allowed):
    assessment = _assess(products, case.product, case.birth, case.history, case.on, case.flags)
    assert assessment.refusal_codes == []
    assert assessment.rule is not None
    assert assessment.rule.code == case.rule
    assert assessment.due == case.on or case.before is None


@pytest.mark.parametrize("case", [c for c in ALLOWED if c.before], ids=lambda c: c.rule)
def test_the_day_before_the_dose_is_refused(products, case: Allowed):
    day = case.on - dt.timedelta(days=1)
    assessment = _assess(products, case.product, case.birth, case.history, day, case.flags)
    assert case.before in assessment.refusal_codes


@pytest.mark.parametrize("case", REFUSED, ids=[f"{c.rule}-{c.code}" for c in REFUSED])
def test_each_rule_refuses_what_it_does_not_allow(products, case: Refused):
    assessment = _assess(products, case.product, case.birth, case.history, case.on, case.flags)
    assert assessment.refusal_codes == [case.code]
    (error,) = assessment.refusals
    assert str(error.message % (error.params or {}))  # a sentence with its values filled in


def test_every_rule_of_the_data_is_tested_allowed_or_refused():
    with (DATA_DIR / "schedule_rules.csv").open(encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    refused = {c.rule for c in REFUSED} | {c.rule for c in ALLOWED if c.before}
    assert codes - refused == set()
    dose_rules = {c for c in codes if "infection" not in c}
    assert dose_rules - {c.rule for c in ALLOWED} == set()
