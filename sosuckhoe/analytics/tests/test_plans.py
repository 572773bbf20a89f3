"""Coverage plans: set within the officer's unit and audited; a unit behind its plan at its
pace of the last 14 days is a warning, once a week; on the planning page."""

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.analytics.models import CoveragePlan, Warning, WarningKind
from sosuckhoe.analytics.plans import plan_delete, plan_progress, plan_set
from sosuckhoe.analytics.targets import target_set
from sosuckhoe.analytics.warning_services import warnings_raise
from sosuckhoe.analytics.warnings import RULES, Thresholds, units_behind_plan, warning_reason
from sosuckhoe.supply.models import DoseKind
from sosuckhoe.testing.doses import paper_dose
from sosuckhoe.testing.factories import PersonFactory

SYSTEM = Actor.system("tests")
LIMITS = Thresholds()


@pytest.fixture
def commune(cast, site, stock):  # type: ignore[no-untyped-def]
    """Commune A: 20 people to reach; 7 had a first dose in the last 14 days (half a dose a
    day), 3 more 60 days ago. Commune B: no target."""
    lot = stock("comirnaty", number="CO-1", doses=100)
    target_set(actor=SYSTEM, unit=cast.units.commune_a, persons=20)
    for days_ago in (1, 2, 3, 5, 8, 10, 13, 60, 61, 62):
        person = PersonFactory(home_unit=cast.units.commune_a)
        paper_dose(actor=SYSTEM, person=person, lot=lot, site=site, days_ago=days_ago)
    return cast.units.commune_a


def _plan(unit, coverage, in_days, number=1):  # type: ignore[no-untyped-def]
    due_on = timezone.localdate() + dt.timedelta(days=in_days)
    return plan_set(actor=SYSTEM, unit=unit, kind=DoseKind.PRIMARY, number=number,
                    coverage=coverage, due_on=due_on)  # fmt: skip


def _reason(candidate) -> str:  # type: ignore[no-untyped-def]
    warning = Warning(kind=candidate.kind, unit_id=candidate.unit_id, numbers=candidate.numbers)
    with translation.override("en"):
        return warning_reason(warning)


def test_a_plan_stands_at_the_dashboards_coverage_and_the_recent_pace(commune):
    progress = plan_progress(_plan(commune, 90, 10), today=timezone.localdate())
    assert (progress.target, progress.given, progress.coverage) == (20, 10, 50.0)
    assert progress.rate == 7 / 14
    assert progress.needed == 18
    assert progress.remaining == 8
    assert progress.reaches_on == timezone.localdate() + dt.timedelta(days=16)


def test_a_unit_that_reaches_its_plan_late_at_its_pace_is_a_warning(commune):
    behind = _plan(commune, 90, 5)  # 8 people at half a day: 16 days, 11 late
    found = units_behind_plan(today=timezone.localdate(), limits=LIMITS)
    assert [c.key.split(":")[1] for c in found] == [str(behind.uuid)]
    numbers = found[0].numbers
    assert (numbers["coverage"], numbers["target"], numbers["rate"]) == (50.0, 90, 0.5)
    projected = timezone.localdate() + dt.timedelta(days=16)
    assert numbers["projected"] == projected.strftime("%d/%m/%Y")
    assert found[0].unit_id == commune.pk
    assert found[0].link.endswith(f"?unit={commune.code}#plans")
    reason = _reason(found[0])
    assert "50.0%" in reason
    assert "90%" in reason
    assert projected.strftime("%d/%m/%Y") in reason


def test_a_unit_on_track_or_within_the_slack_or_past_its_plan_is_not(commune):
    _plan(commune, 90, 16)  # reached on its day
    _plan(commune, 90, 10)  # six days late: within the week of slack
    _plan(commune, 40, -3)  # already reached
    assert units_behind_plan(today=timezone.localdate(), limits=LIMITS) == []
    strict = dataclasses.replace(LIMITS, plan_slack_days=0)
    assert len(units_behind_plan(today=timezone.localdate(), limits=strict)) == 1


def test_a_unit_with_no_such_dose_in_14_days_is_behind_and_one_without_target_is_not(cast, commune):
    second = _plan(commune, 30, 200, number=2)  # nobody had a second dose: no pace at all
    _plan(cast.units.commune_b, 50, 1)  # no target population: cannot be judged
    found = units_behind_plan(today=timezone.localdate(), limits=LIMITS)
    assert [c.key.split(":")[1] for c in found] == [str(second.uuid)]
    assert found[0].numbers["projected"] == ""
    assert found[0].numbers["rate"] == 0
    assert "no such dose given in the last 14 days" in _reason(found[0])


def test_a_plan_behind_is_raised_once_a_week(commune):
    _plan(commune, 90, 5)
    today = timezone.localdate()
    assert units_behind_plan in RULES
    for day in (today, today):
        warnings_raise(actor=SYSTEM, candidates=units_behind_plan(today=day, limits=LIMITS))
    assert Warning.objects.filter(kind=WarningKind.BEHIND_PLAN).count() == 1
    next_week = today + dt.timedelta(days=7)
    warnings_raise(actor=SYSTEM, candidates=units_behind_plan(today=next_week, limits=LIMITS))
    assert Warning.objects.filter(kind=WarningKind.BEHIND_PLAN).count() == 2


def test_plans_are_set_by_the_officers_over_the_unit_and_audited(cast, commune):
    due_on = timezone.localdate() + dt.timedelta(days=30)
    for role, unit in (
        ("site_staff", commune),
        ("analyst", commune),
        ("commune", cast.units.commune_b),
        ("province_other", commune),
    ):
        with pytest.raises(ValidationError):
            plan_set(actor=cast.actor(role), unit=unit, kind=DoseKind.PRIMARY, number=1,
                     coverage=80, due_on=due_on)  # fmt: skip
    plan = plan_set(actor=cast.actor("commune"), unit=commune, kind=DoseKind.PRIMARY, number=1,
                    coverage=80, due_on=due_on)  # fmt: skip
    again = plan_set(actor=cast.actor("province"), unit=cast.units.commune_a,
                     kind=DoseKind.PRIMARY, number=1, coverage=85, due_on=due_on)  # fmt: skip
    assert again.pk == plan.pk
    assert CoveragePlan.objects.get().coverage == 85
    events = AuditEvent.objects.filter(object_type="coverage_plan").order_by("id")
    assert [e.changes["coverage"] for e in events] == [[None, 80], [80, 85]]
    with pytest.raises(ValidationError):
        plan_set(actor=cast.actor("commune"), unit=commune, kind=DoseKind.PRIMARY, number=1,
                 coverage=120, due_on=due_on)  # fmt: skip
    with pytest.raises(ValidationError):
        plan_delete(actor=cast.actor("commune_other"), plan=again)
    plan_delete(actor=cast.actor("commune"), plan=again)
    assert not CoveragePlan.objects.exists()


def test_the_planning_page_shows_the_plans_and_sets_one(cast, commune):
    behind = _plan(commune, 90, 5)
    client = cast.client_for("province")
    page = client.get(reverse("console:planning")).content.decode()
    assert f'data-plan="{behind.uuid}"' in page
    assert "50%" in page
    due_on = timezone.localdate() + dt.timedelta(days=40)
    response = client.post(
        reverse("console:coverage_plan_new"),
        {"dose": "booster_1", "coverage": 60, "due_on": due_on.isoformat(), "unit": commune.code},
    )
    assert response.status_code == 302
    assert CoveragePlan.objects.filter(kind=DoseKind.BOOSTER, number=1, coverage=60).exists()
    page = cast.client_for("commune").get(reverse("console:planning")).content.decode()
    assert "booster" in page.lower() or "nhắc" in page.lower()
