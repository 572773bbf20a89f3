"""How the engine derives a dose's kind and number, picks the rules in force on its date,
and tells the next dose due."""

import datetime as dt

import pytest

from sosuckhoe.supply.schedule import DoseKind, PriorDose, dose_assess, next_dose_due

D = dt.date
ADULT = D(1980, 5, 10)


def p(key: str, day: dt.date, number: int = 1) -> PriorDose:
    return PriorDose(key, day, DoseKind.PRIMARY, number)


def b(key: str, day: dt.date, number: int = 1) -> PriorDose:
    return PriorDose(key, day, DoseKind.BOOSTER, number)


AZ_AZ = [p("vaxzevria", D(2021, 6, 1)), p("vaxzevria", D(2021, 8, 20), 2)]


def assess(products, key: str, on: dt.date, history: list[PriorDose], birth=ADULT, **flags):  # type: ignore[no-untyped-def]
    return dose_assess(product=products[key], given_on=on, birth=birth, history=history, **flags)


def test_the_first_dose_is_primary_one_of_a_series_whose_length_the_product_gives(products):
    first = assess(products, "vaxzevria", D(2021, 6, 1), [])
    assert (first.kind, first.number, first.series_doses, first.sequence) == ("primary", 1, 2, 1)
    abdala = assess(products, "abdala", D(2021, 10, 1), [])
    assert abdala.series_doses == 3


def test_the_dose_after_a_complete_abdala_series_is_a_booster_numbered_fourth(products):
    history = [p("abdala", D(2021, 10, 1)), p("abdala", D(2021, 10, 15), 2)]
    third = assess(products, "abdala", D(2021, 10, 29), history)
    assert (third.kind, third.number, third.series_doses) == ("primary", 3, 3)
    history.append(p("abdala", D(2021, 10, 29), 3))
    booster = assess(products, "comirnaty", D(2022, 2, 1), history)
    assert (booster.kind, booster.number, booster.sequence, booster.series_doses) == (
        "booster", 1, 4, 4,
    )  # fmt: skip
    assert booster.allowed


def test_a_dose_is_judged_by_the_rules_in_force_on_its_date(products):
    """Booster 1 waited 6 months under CV 10225 (from 01/12/2021), 3 months from 17/12/2021."""
    under_10225 = assess(products, "comirnaty", D(2021, 12, 10), AZ_AZ)
    assert under_10225.refusal_codes == ["interval_too_short"]
    assert under_10225.rule is not None
    assert under_10225.rule.code.endswith("-cv10225")
    assert under_10225.due == D(2022, 2, 20)
    under_10722 = assess(products, "comirnaty", D(2021, 12, 17), AZ_AZ)
    assert under_10722.allowed
    assert under_10722.rule is not None
    assert under_10722.rule.valid_until is None


def test_no_booster_is_allowed_before_any_rule_gave_one(products):
    before = assess(products, "comirnaty", D(2021, 11, 30), AZ_AZ)
    assert (before.kind, before.refusal_codes) == ("booster", ["series_complete"])


def test_a_third_booster_is_refused_as_the_schedule_complete(products):
    history = [*AZ_AZ, b("comirnaty", D(2022, 1, 1)), b("comirnaty", D(2022, 6, 1), 2)]
    third = assess(products, "comirnaty", D(2023, 6, 1), history, birth=D(1950, 1, 1))
    assert (third.kind, third.number, third.refusal_codes) == ("booster", 3, ["series_complete"])


def test_moderna_after_astrazeneca_was_refused_in_august_2021_and_allowed_from_september(
    products,
):
    history = [p("vaxzevria", D(2021, 6, 1))]
    august = assess(products, "spikevax", D(2021, 8, 20), history)
    assert august.refusal_codes == ["product_may_not_follow"]
    message = august.refusals[0].message % august.refusals[0].params
    assert "Comirnaty" in message
    assert "Vaxzevria" in message
    assert assess(products, "spikevax", D(2021, 9, 1), history).allowed


def test_vero_cell_and_sputnik_stay_homologous_after_the_mixing_of_september_2021(products):
    for key in ("bbibp-corv", "sputnik-v"):
        history = [p(key, D(2021, 9, 1))]
        for other in ("comirnaty", "spikevax", "vaxzevria"):
            refused = assess(products, other, D(2021, 10, 15), history)
            assert refused.refusal_codes == ["product_may_not_follow"], (key, other)


def test_children_of_5_to_11_get_no_mixed_series(products):
    child = D(2014, 6, 1)
    history = [p("spikevax", D(2022, 5, 1))]
    refused = assess(products, "comirnaty-paediatric", D(2022, 6, 15), history, birth=child)
    assert refused.refusal_codes == ["product_may_not_follow"]
    adult_mix = assess(products, "comirnaty", D(2022, 6, 15), history)
    assert adult_mix.allowed


def test_12_to_17_year_olds_start_with_comirnaty_only(products):
    teen = D(2007, 3, 1)
    for key in ("vaxzevria", "spikevax", "bbibp-corv", "sputnik-v", "abdala", "covaxin"):
        refused = assess(products, key, D(2022, 1, 10), [], birth=teen)
        assert refused.refusal_codes == ["age_below_minimum"], key
        assert refused.due == D(2025, 3, 1)  # the 18th birthday
    assert assess(products, "comirnaty", D(2022, 1, 10), [], birth=teen).allowed


def test_with_a_birth_year_only_the_age_is_refused_only_when_every_birthday_refuses(products):
    assert assess(products, "vaxzevria", D(2022, 6, 1), [], birth=2004).allowed
    refused = assess(products, "vaxzevria", D(2022, 6, 1), [], birth=2005)
    assert refused.refusal_codes == ["age_below_minimum"]
    assert refused.due == D(2023, 1, 1)


def test_an_immunocompromised_person_gets_an_additional_dose_then_a_booster_after_it(products):
    history = [p("vaxzevria", D(2021, 11, 1)), p("vaxzevria", D(2022, 1, 10), 2)]
    additional = assess(products, "comirnaty", D(2022, 2, 7), history, immunocompromised=True)
    assert (additional.kind, additional.number, additional.sequence) == ("additional", 1, 3)
    assert additional.overdue_after == D(2022, 4, 10)
    history.append(PriorDose("comirnaty", D(2022, 2, 7), DoseKind.ADDITIONAL, 1))
    early = assess(products, "comirnaty", D(2022, 5, 6), history, immunocompromised=True)
    assert (early.kind, early.refusal_codes, early.due) == (
        "booster", ["interval_too_short"], D(2022, 5, 7),
    )  # fmt: skip


def test_the_same_third_dose_is_a_booster_for_someone_outside_the_additional_groups(products):
    history = [p("vaxzevria", D(2021, 11, 1)), p("vaxzevria", D(2022, 1, 10), 2)]
    refused = assess(products, "comirnaty", D(2022, 2, 7), history)
    assert (refused.kind, refused.refusal_codes) == ("booster", ["interval_too_short"])
    assert refused.due == D(2022, 4, 10)


def test_past_the_additional_window_the_third_dose_is_a_booster(products):
    history = [p("bbibp-corv", D(2022, 1, 5)), p("bbibp-corv", D(2022, 2, 1), 2)]
    third = assess(products, "comirnaty", D(2022, 6, 1), history)
    assert (third.kind, third.refusal_codes) == ("booster", [])


def test_an_infection_before_the_previous_dose_is_not_waited_for_again(products):
    history = [*AZ_AZ, b("comirnaty", D(2022, 3, 1))]
    fourth = assess(
        products, "comirnaty", D(2022, 7, 1), history, birth=D(1950, 1, 1),
        infected_on=D(2022, 2, 1),
    )  # fmt: skip
    assert fourth.allowed


def test_a_product_no_longer_in_use_is_refused_with_its_own_reason(products):
    products["covaxin"].is_active = False
    refused = assess(products, "covaxin", D(2021, 10, 1), [])
    assert refused.refusal_codes == ["product_inactive"]


def test_a_backdated_dose_is_judged_by_the_doses_before_its_date(products):
    history = [p("vaxzevria", D(2021, 6, 1)), p("vaxzevria", D(2021, 8, 20), 2)]
    backdated = assess(products, "vaxzevria", D(2021, 6, 1) - dt.timedelta(days=1), history)
    assert (backdated.kind, backdated.number, backdated.allowed) == ("primary", 1, True)


def test_a_second_dose_the_same_day_is_refused_as_too_soon(products):
    history = [p("comirnaty", D(2021, 8, 1))]
    again = assess(products, "comirnaty", D(2021, 8, 1), history)
    assert again.refusal_codes == ["interval_too_short"]


def test_the_next_dose_after_a_first_astrazeneca_dose_is_due_8_weeks_later_and_then_overdue(
    products,
):
    history = [p("vaxzevria", D(2021, 6, 1))]
    due = next_dose_due(birth=ADULT, history=history, on=D(2021, 9, 1))
    assert due is not None
    assert (due.kind, due.number, due.due, due.overdue_after) == (
        "primary", 2, D(2021, 7, 27), D(2021, 8, 24),
    )  # fmt: skip
    assert due.overdue
    assert due.products == ("comirnaty", "spikevax", "vaxzevria")


def test_the_next_dose_after_a_full_series_is_due_by_the_rules_in_force_that_day(products):
    assert next_dose_due(birth=ADULT, history=AZ_AZ, on=D(2021, 11, 1)) is None
    due = next_dose_due(birth=ADULT, history=AZ_AZ, on=D(2022, 1, 5))
    assert due is not None
    # 3 months after dose 2 had passed when the 3-month rule came into force on 17/12/2021.
    assert (due.kind, due.number, due.due, due.overdue) == ("booster", 1, D(2021, 12, 17), False)
    assert due.products == ("comirnaty", "spikevax", "vaxzevria")


def test_nothing_is_due_after_booster_one_for_someone_outside_the_fourth_dose_groups(products):
    history = [*AZ_AZ, b("comirnaty", D(2022, 1, 1))]
    assert next_dose_due(birth=ADULT, history=history, on=D(2023, 1, 1)) is None
    older = next_dose_due(birth=D(1960, 1, 1), history=history, on=D(2023, 1, 1))
    assert older is not None
    assert (older.kind, older.number) == ("booster", 2)


def test_a_young_child_is_due_a_first_dose_on_the_fifth_birthday(products):
    due = next_dose_due(birth=D(2019, 8, 1), history=[], on=D(2022, 6, 1))
    assert due is not None
    assert (due.kind, due.number, due.due) == ("primary", 1, D(2024, 8, 1))
    assert due.products == ("comirnaty-paediatric",)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("interval_too_short", "Quá sớm"), ("product_may_not_follow", "không được tiêm")],
)
def test_refusals_read_in_vietnamese(products, settings, code, expected):
    from django.utils import translation

    history = [p("vaxzevria", D(2021, 6, 1))]
    product = "vaxzevria" if code == "interval_too_short" else "covaxin"
    with translation.override("vi"):
        refused = assess(products, product, D(2021, 7, 1), history)
        error = refused.refusals[0]
        assert error.code == code
        assert expected in error.message % error.params
