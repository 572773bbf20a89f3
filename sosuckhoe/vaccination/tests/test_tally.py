import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import DailyTally, VoidKind
from sosuckhoe.vaccination.selectors import tally_backlog
from sosuckhoe.vaccination.services.common import refusal_codes
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.tally import tally_enter


def _enter(cast, site, product, doses, day=None, role="site_staff"):
    day = day or timezone.localdate()
    return tally_enter(actor=cast.actor(role), site=site, day=day, product=product, doses=doses)


def _vaccinate(cast, site, lot, screened, count):
    doses = []
    for i in range(count):
        person = PersonFactory(home_unit=cast.units.commune_a, full_name=f"Người {i}")
        screened(person)
        doses.append(
            dose_record(
                actor=cast.actor("site_staff"),
                person=person,
                product=lot.product,
                lot=lot,
                site=site,
            )
        )
    return doses


def test_the_backlog_is_the_paper_tally_minus_the_doses_entered(cast, site, stock, screened, today):
    lot = stock()
    _enter(cast, site, lot.product, 5)
    doses = _vaccinate(cast, site, lot, screened, 3)
    dose_void(
        actor=cast.actor("site_staff"), dose=doses[0], kind=VoidKind.ENTERED_IN_ERROR, reason="Nhầm"
    )
    (row,) = tally_backlog(
        actor=cast.actor("commune"), unit=cast.units.commune_a, since=today, until=today
    )
    assert (row.site, row.day, row.product_key, row.tallied, row.entered, row.missing) == (
        site,
        today,
        "comirnaty",
        5,
        2,
        3,
    )


def test_doses_entered_without_a_tally_show_as_not_tallied(cast, site, stock, screened, today):
    lot = stock()
    _vaccinate(cast, site, lot, screened, 1)
    (row,) = tally_backlog(
        actor=cast.actor("analyst"), unit=cast.units.province, since=today, until=today
    )
    assert (row.tallied, row.entered, row.missing) == (None, 1, None)


def test_a_tally_entered_again_is_corrected_and_both_are_audited(cast, site, comirnaty):
    first = _enter(cast, site, comirnaty, 40)
    second = _enter(cast, site, comirnaty, 42)
    assert first.pk == second.pk
    assert DailyTally.objects.get().doses == 42
    actions = list(
        AuditEvent.objects.filter(object_type="tally")
        .order_by("id")
        .values_list("action", "changes")
    )
    assert actions == [
        (AuditAction.CREATE, {"doses": [None, 40]}),
        (AuditAction.UPDATE, {"doses": [40, 42]}),
    ]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        # Of the day the test runs: a date computed at collection may be of yesterday.
        (lambda today: {"day": today + dt.timedelta(days=1)}, "day_in_future"),
        (lambda today: {"doses": -1}, "doses_negative"),
        (lambda today: {"role": "commune_other"}, "outside_unit"),
    ],
)
def test_a_tally_of_tomorrow_negative_or_of_another_communes_site_is_refused(
    cast, site, comirnaty, kwargs, code, today
):
    fields = {"doses": 3} | kwargs(today)
    with pytest.raises(ValidationError) as error:
        _enter(cast, site, comirnaty, **fields)
    assert refusal_codes(error.value) == [code]
    assert not DailyTally.objects.exists()


def test_the_backlog_of_a_unit_outside_the_readers_is_not_found(cast, site, comirnaty, today):
    with pytest.raises(Http404):
        tally_backlog(
            actor=cast.actor("commune_other"), unit=cast.units.commune_a, since=today, until=today
        )
