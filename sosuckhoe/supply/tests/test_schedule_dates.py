"""The schedule's own date arithmetic agrees with dateutil's relativedelta, which it replaces
for speed: ages and intervals in calendar months, weeks and days, 29 February included."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from sosuckhoe.supply.models import IntervalUnit
from sosuckhoe.supply.schedule import _later, years_between

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
leap_births = (
    st.integers(1904, 2096)
    .filter(lambda y: y % 4 == 0 and y != 2000)
    .map(lambda y: dt.date(y, 2, 29))
)


@given(start=days | leap_births, end=days)
def test_years_between_counts_as_relativedelta(start: dt.date, end: dt.date) -> None:
    if end < start:
        start, end = end, start
    assert years_between(start, end) == relativedelta(end, start).years


@given(day=days | leap_births, value=st.integers(0, 240))
def test_later_adds_as_relativedelta(day: dt.date, value: int) -> None:
    assert _later(day, value, IntervalUnit.MONTH) == day + relativedelta(months=value)
    assert _later(day, value, IntervalUnit.WEEK) == day + relativedelta(weeks=value)
    assert _later(day, value, IntervalUnit.DAY) == day + relativedelta(days=value)
