"""The mapping a member of staff confirmed for a layout of file: the next file whose header
reads the same, for the same kind of list, maps itself."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sosuckhoe.imports.models.jobs import ListKind


class ImportLayout(models.Model):
    """One layout (the header's cells, folded, hashed as `signature`) of one kind of list
    within one unit's subtree, and the mapping last confirmed for it. A unit's files use the
    layout saved at the nearest unit above or at it (`imports.layouts.layout_find`)."""

    signature = models.CharField(max_length=64)  # sha256 hex of the folded header cells
    list_kind = models.CharField(_("list of"), max_length=15, choices=ListKind.choices)
    # Where it was confirmed: it serves the files of this unit's subtree; None for the whole
    # country (the import_file command without a unit).
    unit = models.ForeignKey(
        "places.AdminUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Column index (as text: JSON keys) -> field, as ImportJob.mapping.
    mapping = models.JSONField(default=dict)
    # The header as read when it was confirmed, to show what the layout looks like.
    header = models.JSONField(default=list, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_by_name = models.CharField(max_length=150, blank=True)
    confirmed_at = models.DateTimeField()
    uses = models.PositiveIntegerField(default=0)  # files mapped by it since

    class Meta:
        verbose_name = _("file layout")
        verbose_name_plural = _("file layouts")
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "list_kind", "unit"],
                name="import_layout_signature_kind_unit_uniq",
            ),
            # NULL is distinct from NULL in a unique index: the country's own, partial.
            models.UniqueConstraint(
                fields=["signature", "list_kind"],
                condition=models.Q(unit=None),
                name="import_layout_signature_kind_country_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.list_kind} {self.signature[:10]}"

    @property
    def columns(self) -> dict[int, str]:
        return {int(index): name for index, name in self.mapping.items()}
