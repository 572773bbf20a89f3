"""Warnings: every member of staff (analysts too: they name no person) reads those of their
subtree; a warning elsewhere is not found. No page takes a POST."""

from django.urls import reverse
from django.utils import timezone

from sosuckhoe.analytics.models import Warning, WarningKind
from sosuckhoe.console.tests.matrix import SEES_COMMUNE_A, SEES_OTHER_PROVINCE, STAFF, Case


def _warning(unit, key: str) -> Warning:
    numbers = {"site": "Trạm Y tế", "day": "01/11/2026", "tallied": 12, "entered": 10}
    return Warning.objects.create(
        kind=WarningKind.ENTRY_BACKLOG,
        unit=unit,
        key=key,
        numbers=numbers,
        raised_at=timezone.now(),
    )


def cases(cast) -> list[Case]:
    own = _warning(cast.units.commune_a, "matrix:own")
    foreign = _warning(cast.units.other_commune, "matrix:foreign")
    detail = "console:warning"
    return [
        Case("console:warnings", reverse("console:warnings"), STAFF, post=None),
        Case(
            detail,
            reverse(detail, args=[own.uuid]),
            SEES_COMMUNE_A | {"analyst"},
            post=None,
        ),
        Case(detail, reverse(detail, args=[foreign.uuid]), SEES_OTHER_PROVINCE, post=None),
    ]
