"""The mapping saved per layout of file. A layout is the header's cells, folded (case,
diacritics, punctuation, spacing do not count) and hashed: a commune that sends the same
spreadsheet every week confirms its columns once, and the next file maps itself."""

import hashlib
import json
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.imports.mapping import (
    DOSE_FIELDS,
    DOSES,
    PERSON_FIELDS,
    REGISTRATION_FIELDS,
    REGISTRATIONS,
    label_key,
)
from sosuckhoe.imports.models import ImportLayout
from sosuckhoe.places.models import AdminUnit


def layout_signature(header: list[list[str]]) -> str:
    """The layout of a header (its rows of text, top down): the same for the same columns
    with the same words, whatever their case, accents or trailing blank cells."""
    rows = []
    for row in header:
        cells = [label_key(cell) for cell in row]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _scopes(unit: AdminUnit | None) -> Q:
    """The unit, the units above it and the whole country."""
    if unit is None:
        return Q(unit=None)
    parts = unit.path.rstrip("/").split("/")
    paths = ["/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    return Q(unit=None) | Q(unit__path__in=paths)


def layout_find(
    *, header: list[list[str]], list_kind: str, unit: AdminUnit | None
) -> ImportLayout | None:
    """The mapping saved for this layout nearest to `unit`: its own, else its district's or
    province's, else the country's."""
    found = ImportLayout.objects.filter(
        _scopes(unit), signature=layout_signature(header), list_kind=list_kind
    ).select_related("unit")
    return max(found, key=lambda layout: len(layout.unit.path) if layout.unit else 0, default=None)


_DOSE_FIELD = re.compile(rf"dose\d{{1,2}}\.(?:{'|'.join(DOSE_FIELDS)})")


def field_allowed(kind: str, name: str) -> bool:
    """Whether a list of `kind` may map a column to the field `name`."""
    if kind == DOSES and _DOSE_FIELD.fullmatch(name):
        return True
    return name in PERSON_FIELDS or (kind == REGISTRATIONS and name in REGISTRATION_FIELDS)


def layout_fits(layout: ImportLayout, kind: str, width: int) -> bool:
    """Whether a saved mapping still fits: fields of the kind, columns within the header."""
    return all(0 <= i < width and field_allowed(kind, f) for i, f in layout.columns.items())


def layout_used(layout: ImportLayout) -> None:
    ImportLayout.objects.filter(pk=layout.pk).update(uses=F("uses") + 1)


def layout_remember(
    *,
    actor: Actor,
    header: list[list[str]],
    list_kind: str,
    unit: AdminUnit,
    mapping: dict[int, str],
) -> ImportLayout:
    """Save the mapping confirmed for this layout at `unit` (the one saved before is
    replaced): the next file of the layout within the unit's subtree maps itself."""
    values: dict[str, Any] = {
        "mapping": {str(i): f for i, f in sorted(mapping.items())},
        "header": header,
        "confirmed_by": actor.user,
        "confirmed_by_name": actor.name,
        "confirmed_at": timezone.now(),
    }
    key: dict[str, Any] = {
        "signature": layout_signature(header),
        "list_kind": list_kind,
        "unit": unit,
    }
    try:
        with transaction.atomic():
            layout, _created = ImportLayout.objects.update_or_create(**key, defaults=values)
    except IntegrityError:  # saved by another confirmation at the same moment: ours wins
        layout, _created = ImportLayout.objects.update_or_create(**key, defaults=values)
    return layout
