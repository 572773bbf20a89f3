"""Forms of the import pages: the upload, and the mapping of each column to a field."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.imports.mapping import (
    DOSE_FIELDS,
    DOSES,
    PERSON_FIELDS,
    REGISTRATION_FIELDS,
    REGISTRATIONS,
)
from sosuckhoe.imports.models import ImportJob, ListKind
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.selectors import unit_within
from sosuckhoe.vaccination.models import Dose, Registration

IGNORED = ""


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"})
    )
    list_kind = forms.ChoiceField(label=_("The list holds"), choices=ListKind.choices)
    unit = forms.CharField(
        label=_("Code of the unit the list belongs to"),
        help_text=_("Empty: your unit. A commune's code: every row lies in that commune."),
        max_length=8,
        required=False,
    )

    def __init__(self, *args, user: StaffUser, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = _(".xlsx, .xls or .csv; at most %(limit)s MB.") % {
            "limit": settings.IMPORT_MAX_BYTES // 2**20
        }
        if user.unit.level == UnitLevel.COMMUNE:
            del self.fields["unit"]  # a commune has nothing below it to choose

    def clean_unit(self) -> AdminUnit:
        code = self.cleaned_data.get("unit", "").strip()
        if not code:
            return self.user.unit
        try:
            return unit_within(unit=self.user.unit, code=code)
        except AdminUnit.DoesNotExist:
            raise forms.ValidationError(_("No unit within yours has this code.")) from None

    @property
    def chosen_unit(self) -> AdminUnit:
        return self.cleaned_data.get("unit") or self.user.unit


_DOSES_OFFERED = 4  # dose groups side by side a list may hold, at least


def _label(model: type, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _field_choices(kind: str, doses: int) -> list[tuple[str, str]]:
    """The fields a list of `kind` may map a column to: the person's, then the
    registration's or each dose's."""
    choices = [(IGNORED, _("(not imported)"))]
    choices += [(name, _label(Person, name)) for name in PERSON_FIELDS]
    if kind == REGISTRATIONS:
        choices += [(name, _label(Registration, name)) for name in REGISTRATION_FIELDS]
    if kind == DOSES:
        choices += [
            (f"dose{n}.{name}", _("Dose %(number)d: %(field)s")
             % {"number": n, "field": _label(Dose, name).lower()})
            for n in range(1, max(doses, _DOSES_OFFERED) + 1)
            for name in DOSE_FIELDS
        ]  # fmt: skip
    return choices


class ImportMappingForm(forms.Form):
    """A select per column of the header, set to the suggested field."""

    def __init__(self, *args, job: ImportJob, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        suggested = job.columns
        doses = [int(f[4:].split(".")[0]) for f in suggested.values() if f.startswith("dose")]
        choices = _field_choices(job.list_kind, max(doses, default=0))
        for index, labels in header_columns(job):
            self.fields[f"col{index}"] = forms.ChoiceField(
                label=" / ".join(labels),
                choices=choices,
                required=False,
                initial=suggested.get(index, IGNORED),
            )

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("col")): value
            for name, value in self.cleaned_data.items()
            if value != IGNORED
        }


def header_columns(job: ImportJob) -> list[tuple[int, list[str]]]:
    """Each column that has a header, with its labels from the top row down."""
    width = max((len(row) for row in job.header), default=0)
    columns = []
    for index in range(width):
        labels = [row[index] for row in job.header if index < len(row) and row[index]]
        if labels:
            columns.append((index, labels))
    return columns
