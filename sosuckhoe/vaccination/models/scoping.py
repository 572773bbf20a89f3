"""The one place where staff access to vaccination records is scoped."""

from typing import Any, ClassVar, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    """Records visible to staff of any of the units they point at through `scope_fields`: a
    record of a person vaccinated at a neighbouring commune belongs to both communes."""

    scope_fields: ClassVar[tuple[str, ...]] = ()

    def visible_to(self, user: Any) -> "ScopedQuerySet[M]":
        if not getattr(user, "reads_personal_data", False):
            return self.none()
        if user.sees_whole_country:
            return self
        # A list of unit ids, not a join on paths: see PersonQuerySet.in_unit_subtree.
        ids = user.unit.subtree_ids
        reach = Q()
        for field in self.scope_fields:
            reach |= Q(**{f"{field}__any": ids})
        return self.filter(reach)


def bilingual(vi: str, en: str) -> str:
    """Reference text in the reader's language; the Vietnamese wording is the official one."""
    language = get_language() or "vi"
    return vi if language.startswith("vi") or not en else en
