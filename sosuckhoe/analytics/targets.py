"""The writes of target populations: an officer sets a commune's target, and the demo seeds
every commune's from the persons on record (a census stands in for them in production)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import ROLE_RANK, AuditAction, Role
from sosuckhoe.analytics.models import ALL_AGES, ALL_GROUPS, TargetPopulation
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.vaccination.age_bands import AGE_BANDS
from sosuckhoe.vaccination.models import PriorityGroup, Registration, RegistrationStatus

SEED_SOURCE = "Persons on record"


def target_editor(actor: Actor, unit: AdminUnit) -> bool:
    """Health officers (commune and above) within their subtree set targets; a named system
    job anywhere; site staff and analysts do not."""
    user = actor.user
    if user is None:
        return bool(actor.system_name)
    return ROLE_RANK[user.role] >= ROLE_RANK[Role.COMMUNE] and (
        user.role != Role.ANALYST and user.works_over(unit)
    )


def _refuse_unless_valid(unit: AdminUnit, priority_group: int, age_band: str) -> None:
    if unit.level != UnitLevel.COMMUNE:
        raise ValidationError(_("Targets are set per commune or ward."), code="not_commune")
    known = {ALL_AGES, *(band.key for band in AGE_BANDS)}
    if age_band not in known:
        raise ValidationError(_("Unknown age band."), code="age_band_unknown")
    if priority_group != ALL_GROUPS and not PriorityGroup.objects.filter(code=priority_group):
        raise ValidationError(_("Unknown priority group."), code="group_unknown")


@transaction.atomic
def target_set(
    *,
    actor: Actor,
    unit: AdminUnit,
    persons: int,
    priority_group: int = ALL_GROUPS,
    age_band: str = ALL_AGES,
    source: str = "",
) -> TargetPopulation:
    """Set how many people of a commune (of a priority group and age band) are to be reached."""
    if not target_editor(actor, unit):
        raise ValidationError(_("This unit is outside your unit."), code="outside_unit")
    _refuse_unless_valid(unit, priority_group, age_band)
    if persons < 0:
        raise ValidationError(_("The number of people cannot be negative."), code="negative")
    target = (
        TargetPopulation.objects.select_for_update()
        .filter(unit=unit, priority_group=priority_group, age_band=age_band)
        .first()
    )
    before = target.persons if target else None
    if target is None:
        target = TargetPopulation(unit=unit, priority_group=priority_group, age_band=age_band)
    target.persons, target.source = persons, source
    target.updated_by, target.updated_by_name = actor.user, actor.name
    target.full_clean(validate_unique=False)
    target.save()
    audit_write(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        scope_path=unit.path,
        object_type="target",
        summary=f"{unit.name} {priority_group} {age_band or '*'}: {persons}",
        changes={"persons": [before, persons]},
    )
    return target


def _counts_by_band(communes: list[int], on: dt.date) -> dict[tuple[int, int, str], int]:
    persons = Person.objects.active().filter(home_unit_id__in=communes)
    counts: dict[tuple[int, int, str], int] = {}
    for commune, n in persons.values_list("home_unit_id").annotate(Count("id")).order_by():
        counts[(commune, ALL_GROUPS, ALL_AGES)] = n
    for band in AGE_BANDS:
        rows = persons.filter(band.persons_q(on)).values_list("home_unit_id")
        for commune, n in rows.annotate(Count("id")).order_by():
            counts[(commune, ALL_GROUPS, band.key)] = n
    return counts


def _counts_by_group(communes: list[int]) -> dict[tuple[int, int, str], int]:
    """Persons registered in each priority group (not refused or a duplicate)."""
    rows = (
        Registration.objects.filter(person__home_unit_id__in=communes, person__merged_into=None)
        .exclude(status__in=(RegistrationStatus.REJECTED, RegistrationStatus.DUPLICATE))
        .values_list("person__home_unit_id", "priority_group__code")
        .annotate(Count("person_id", distinct=True))
        .order_by()
    )
    return {(commune, code, ALL_AGES): n for commune, code, n in rows}


@transaction.atomic
def targets_seed_from_persons(*, actor: Actor, unit: AdminUnit, on: dt.date) -> int:
    """Every commune of the subtree's targets from its persons on record: all of them and
    per age band on `on`, and those registered per priority group. Returns the rows set."""
    if not target_editor(actor, unit):
        raise ValidationError(_("This unit is outside your unit."), code="outside_unit")
    communes = list(
        AdminUnit.objects.subtree_of(unit)
        .filter(level=UnitLevel.COMMUNE)
        .values_list("id", flat=True)
    )
    counts = _counts_by_band(communes, on) | _counts_by_group(communes)
    rows = [
        TargetPopulation(
            unit_id=commune,
            priority_group=group,
            age_band=band,
            persons=n,
            source=SEED_SOURCE,
            updated_by=actor.user,
            updated_by_name=actor.name,
        )
        for (commune, group, band), n in sorted(counts.items())
    ]
    TargetPopulation.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["unit", "priority_group", "age_band"],
        update_fields=["persons", "source", "updated_by", "updated_by_name", "updated_at"],
    )
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        scope_path=unit.path,
        object_type="target",
        summary=f"{unit.name}: {len(rows)} targets from the persons on record",
    )
    return len(rows)
