"""Coverage plans: an officer sets the share of a unit's target population to have a dose by a
date (`plan_set`, `plan_delete`); each plan's progress is its coverage now, as the dashboard
shows it (`selectors.coverage_read`), and the day it is reached at the unit's pace of the last
14 days (`planning.dose_rate`, `planning.reach_date`, as the planning page projects a target).
Counts only, no personal data: every member of staff reads the plans of their subtree."""

import datetime as dt
import math
from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.analytics.models import CoveragePlan
from sosuckhoe.analytics.planning import dose_rate, reach_date
from sosuckhoe.analytics.selectors import Filters, coverage_read
from sosuckhoe.analytics.targets import target_editor
from sosuckhoe.places.models import AdminUnit


@dataclass(frozen=True)
class PlanProgress:
    """Where a plan stands on `today`; people and doses as named."""

    plan: CoveragePlan
    target: int  # people of the unit's target population (0: none recorded)
    given: int  # people who had the dose
    rate: float  # doses (kind, number) a day over the last RATE_DAYS days
    today: dt.date

    @property
    def coverage(self) -> float | None:
        """Percent of the target who had the dose now; None without a target."""
        return round(100 * self.given / self.target, 1) if self.target else None

    @property
    def needed(self) -> int:
        """People to have had the dose by the plan's date."""
        return math.ceil(self.target * self.plan.coverage / 100)

    @property
    def remaining(self) -> int:
        return max(self.needed - self.given, 0)

    @property
    def reaches_on(self) -> dt.date | None:
        """The day the plan's coverage is reached at the recent pace; None: never at it."""
        return reach_date(remaining=self.remaining, rate=self.rate, today=self.today)

    def behind(self, slack_days: int = 0) -> bool:
        """Whether, at its recent pace, the unit reaches the plan's coverage later than the
        plan's date by more than `slack_days` (or never). A unit without a target cannot be
        judged: it is not behind."""
        if not self.target or not self.remaining:
            return False
        reached = self.reaches_on
        return reached is None or reached > self.plan.due_on + dt.timedelta(days=slack_days)


def plan_progress(plan: CoveragePlan, *, today: dt.date) -> PlanProgress:
    coverage = coverage_read(unit=plan.unit, filters=Filters()).total
    return PlanProgress(
        plan=plan,
        target=coverage.target,
        given=coverage.given.get((plan.kind, plan.number), 0),
        rate=dose_rate(unit=plan.unit, kind=plan.kind, number=plan.number, today=today),
        today=today,
    )


def plans_progress(*, unit: AdminUnit, today: dt.date) -> list[PlanProgress]:
    """The plans of the unit and of the units below it (the caller's scope already checked:
    counts only), by unit and date."""
    plans = (
        CoveragePlan.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("unit__path", "due_on", "kind", "number", "id")
    )
    return [plan_progress(plan, today=today) for plan in plans]


def plan_for_change(*, actor: Actor, plan_uuid: UUID) -> CoveragePlan:
    """A plan the actor may change; any other is not found."""
    plan = CoveragePlan.objects.filter(uuid=plan_uuid).select_related("unit").first()
    if plan is None or not target_editor(actor, plan.unit):
        raise Http404
    return plan


def _refuse_unless_editor(actor: Actor, unit: AdminUnit) -> None:
    if not target_editor(actor, unit):
        raise ValidationError(_("This unit is outside your unit."), code="outside_unit")


@transaction.atomic
def plan_set(
    *,
    actor: Actor,
    unit: AdminUnit,
    kind: str,
    number: int,
    coverage: int,
    due_on: dt.date,
) -> CoveragePlan:
    """Plan `coverage` percent of the unit's target population to have had the dose by
    `due_on`; the unit's plan of that dose and date, if any, takes the new coverage."""
    _refuse_unless_editor(actor, unit)
    plan = (
        CoveragePlan.objects.select_for_update()
        .filter(unit=unit, kind=kind, number=number, due_on=due_on)
        .first()
    )
    before = plan.coverage if plan else None
    if plan is None:
        plan = CoveragePlan(unit=unit, kind=kind, number=number, due_on=due_on)
    plan.coverage = coverage
    plan.updated_by, plan.updated_by_name = actor.user, actor.name
    plan.full_clean(validate_unique=False)
    plan.save()
    audit_write(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        scope_path=unit.path,
        object_type="coverage_plan",
        object_uuid=plan.uuid,
        summary=f"{unit.name} {kind} {number}: {coverage}% by {due_on:%d/%m/%Y}",
        changes={"coverage": [before, coverage]},
    )
    return plan


@transaction.atomic
def plan_delete(*, actor: Actor, plan: CoveragePlan) -> None:
    """Remove a plan (met, given up or replaced): its warnings stay as they were raised."""
    _refuse_unless_editor(actor, plan.unit)
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,  # the log knows no deletion: the plan's end, as a change
        scope_path=plan.unit.path,
        object_type="coverage_plan",
        object_uuid=plan.uuid,
        summary=f"{plan.unit.name} {plan.kind} {plan.number} by {plan.due_on:%d/%m/%Y}: removed",
        changes={"coverage": [plan.coverage, None]},
    )
    CoveragePlan.objects.filter(pk=plan.pk).delete()
