"""A batch item's values read without the serializer's machinery (api.doses._plain_item) are
the serializer's own, and whatever the plain reading cannot vouch for goes to the serializer."""

import datetime as dt
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from sosuckhoe.api.doses import _plain_item, plain_dose
from sosuckhoe.api.serializers.requests import DoseIn, DoseItemIn

FORM = DoseItemIn()
ONE_DOSE_FORM = DoseIn()

uuids = st.uuids().map(str)
texts = st.text(max_size=45) | st.sampled_from(["comirnaty", " FK1234 ", "", "  ", "a\x00b"])
values = st.one_of(
    st.none(),
    uuids,
    texts,
    st.integers(),
    st.sampled_from(
        [
            "2026-11-27T08:30:00+07:00",
            "2026-11-27T08:30:00",
            "2026-11-27 08:30",
            "2026-11-27",
            "27/11/2026",
            "{" + str(uuid.UUID(int=7)) + "}",
        ]
    ),
)
# Any moment in any zone, written with its offset or without, to the microsecond or not.
times = st.builds(
    lambda moment, seconds_only: moment.isoformat(timespec="seconds" if seconds_only else "auto"),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.booleans(),
)
items = st.fixed_dictionaries(
    {
        "person": uuids | values,
        "product": st.sampled_from(["comirnaty", " spikevax "]) | values,
        "lot": texts | values,
        "site": uuids | values,
        "given_at": st.sampled_from(["2026-11-27T08:30:00+07:00", "2026-11-26T23:59:59Z"])
        | times
        | values,
    },
    optional={
        "screening": uuids | values,
        "submission_key": uuids | values,
        "late_entry_reason": texts | values,
        "extra": values,
    },
)


def _served(raw: object, form: DoseItemIn = FORM) -> object:
    try:
        return _exact(dict(form.run_validation(raw)))
    except ValidationError:
        return "refused"


def _exact(values: dict[str, object]) -> dict[str, object]:
    """Times as written with their offset: equal times of two zones would compare equal."""
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


@settings(max_examples=200, deadline=None)
@given(items)
def test_a_plain_reading_is_the_serializers_or_none(raw):
    plain = _plain_item(raw)
    if plain is not None:
        assert _exact(plain) == _served(raw)


def _usual(**changes: object) -> dict[str, object]:
    """An item as a client writes it."""
    item = {"person": str(uuid.uuid4()), "product": "comirnaty", "lot": "FK1234"}
    return item | {"site": str(uuid.uuid4()), "given_at": "2026-11-27T08:30:00+07:00"} | changes


def test_the_usual_item_is_read_plainly():
    raw = _usual(lot=" FK1234 ", screening=str(uuid.uuid4()))
    plain = _plain_item(raw)
    assert plain is not None
    assert _exact(plain) == _served(raw)
    assert plain["lot"] == "FK1234"


def test_what_the_plain_reading_refuses_the_serializer_words():
    raw = {"person": "not-a-uuid", "product": "comirnaty", "lot": "X", "site": "s"}
    assert _plain_item(raw) is None
    assert _served(raw) == "refused"


def test_a_time_of_another_zone_is_read_in_the_projects_zone_as_the_serializer_does():
    raw = _usual(given_at="2026-11-26T23:59:59Z")
    plain = _plain_item(raw)
    assert plain is not None
    assert plain["given_at"].isoformat() == "2026-11-27T06:59:59+07:00"
    assert _exact(plain) == _served(raw)


@settings(max_examples=200, deadline=None)
@given(times)
def test_any_time_read_plainly_is_the_serializers_to_the_offset(written):
    raw = _usual(given_at=written)
    plain = _plain_item(raw)
    if plain is not None:
        assert _exact(plain) == _served(raw)


@settings(max_examples=200, deadline=None)
@given(items, st.none() | st.booleans() | values)
def test_one_dose_read_plainly_is_the_serializers_or_none(raw, use_stock):
    if use_stock is not None:
        raw = raw | {"use_stock": use_stock}
    plain = plain_dose(raw)
    if plain is not None:
        assert _exact(plain) == _served(raw, ONE_DOSE_FORM)


def test_one_dose_reads_use_stock_plainly_and_leaves_other_forms_to_the_serializer():
    assert plain_dose(_usual())["use_stock"] is True
    assert plain_dose(_usual(use_stock=False))["use_stock"] is False
    assert plain_dose(_usual(use_stock="false")) is None
    assert _served(_usual(use_stock="false"), ONE_DOSE_FORM)["use_stock"] is False
