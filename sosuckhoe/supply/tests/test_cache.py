"""The schedule engine keeps the products and rules between calls, until the loader changes
them."""

import datetime as dt

from django.core.cache import cache

from sosuckhoe.supply import reference
from sosuckhoe.supply.cache import reference_pinned
from sosuckhoe.supply.reference import supply_reference_load
from sosuckhoe.supply.schedule import DoseKind, PriorDose, dose_assess

FIRST = PriorDose("vaxzevria", dt.date(2021, 6, 1), DoseKind.PRIMARY, 1)
FIVE_WEEKS_LATER = dt.date(2021, 7, 6)


def _second_az(products):  # type: ignore[no-untyped-def]
    return dose_assess(
        product=products["vaxzevria"],
        given_on=FIVE_WEEKS_LATER,
        birth=dt.date(1980, 1, 1),
        history=[FIRST],
    )


def test_a_second_assessment_reads_nothing_from_the_database(products, django_assert_num_queries):
    _second_az(products)
    with django_assert_num_queries(0):
        assert _second_az(products).refusal_codes == ["interval_too_short"]


def _az_interval_shortened_in_the_file(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The file says 4 weeks before a second Vaxzevria dose, where it says 8."""
    rows = reference._rows

    def four_weeks(name):  # type: ignore[no-untyped-def]
        found = rows(name)
        for row in found:
            if row.get("code") == "primary-2-vaxzevria":
                row["interval_min"] = "4w"
        return found

    monkeypatch.setattr(reference, "_rows", four_weeks)


def test_a_rule_the_loader_changes_is_read_again(products, monkeypatch):
    assert not _second_az(products).allowed  # 8 weeks in the file: kept
    _az_interval_shortened_in_the_file(monkeypatch)
    assert supply_reference_load().updated == 1
    assert _second_az(products).allowed


def test_a_load_that_changes_nothing_keeps_what_was_read(products, django_assert_num_queries):
    _second_az(products)
    supply_reference_load()
    with django_assert_num_queries(0):
        _second_az(products)


def test_a_pinned_batch_keeps_its_rules_and_the_next_one_reads_the_change(products, monkeypatch):
    """A load made while a batch judges its doses takes effect for the next batch."""
    with reference_pinned():
        assert not _second_az(products).allowed
        _az_interval_shortened_in_the_file(monkeypatch)
        assert supply_reference_load().updated == 1
        assert not _second_az(products).allowed
    assert _second_az(products).allowed


def test_a_pinned_batch_reads_the_version_once(products, monkeypatch):
    _second_az(products)
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda key, *args: reads.append(key) or real_get(key, *args))
    with reference_pinned():
        for _ in range(5):
            _second_az(products)
    assert len(reads) == 1
