"""Forms of the reaction pages: a reaction after a dose, its outcome, the causality
assessment of its investigation."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sosuckhoe.vaccination.models import (
    AefiCategory,
    AefiTerm,
    Answer,
    Classification,
    Investigation,
    KnownAssociation,
    ReactionOutcome,
    TreatmentPlace,
)
from sosuckhoe.vaccination.services import CausalitySteps
from sosuckhoe.vaccination.services.reactions import SYMPTOM_CATEGORIES

# What a browser's datetime-local input sends, read in the site's time zone (Asia/Ho_Chi_Minh).
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
NO, YES = "0", "1"


class TermsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: AefiTerm) -> str:
        return obj.term


def _terms_field(category: str) -> TermsField:
    """The coded signs of one category as checkboxes; none is required here, the service
    says when no sign at all was chosen."""
    return TermsField(
        queryset=AefiTerm.objects.filter(category=category).order_by("code"),
        label=AefiCategory(category).label,
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _this_minute() -> object:
    return timezone.localtime().replace(second=0, microsecond=0)


class ReactionForm(forms.Form):
    onset_at = forms.DateTimeField(
        label=_("Onset"),
        initial=_this_minute,
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ReactionOutcome.choices, initial=ReactionOutcome.RECOVERING
    )
    treated_at = forms.ChoiceField(
        label=_("Treated at"), choices=TreatmentPlace.choices, initial=TreatmentPlace.NONE
    )
    treatment = forms.CharField(label=_("Treatment"), max_length=300, required=False)
    reporter_name = forms.CharField(
        label=_("Reporter's name"),
        max_length=120,
        required=False,
        help_text=_("When someone else reported it: the person, a relative, a doctor."),
    )
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    # Made when the form is shown: a second sending records one reaction and one notice.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for category in SYMPTOM_CATEGORIES:
            self.fields[f"terms_{category}"] = _terms_field(category)

    def term_fields(self) -> list[forms.BoundField]:
        return [self[f"terms_{category}"] for category in SYMPTOM_CATEGORIES]

    def other_fields(self) -> list[forms.BoundField]:
        grouped = {f"terms_{category}" for category in SYMPTOM_CATEGORIES}
        return [field for field in self.visible_fields() if field.name not in grouped]

    def report(self) -> dict[str, object]:
        """The form as the arguments of `reaction_record`."""
        data = dict(self.cleaned_data)
        codes = [t.code for c in SYMPTOM_CATEGORIES for t in data.pop(f"terms_{c}")]
        return {**data, "terms": codes}


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReactionOutcome.choices)


def _label(name: str) -> str:
    return capfirst(Investigation._meta.get_field(name).verbose_name)


def _answer(name: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=_label(name), choices=choices, widget=forms.RadioSelect)


class AssessmentForm(forms.Form):
    """Steps 1 and 2 of the WHO causality assessment and the classification of step 4; the
    service checks that the classification follows from the answers (step 3)."""

    diagnosis = forms.CharField(label=_label("diagnosis"), max_length=300)
    diagnosis_valid = _answer("diagnosis_valid", [(YES, _("Yes")), (NO, _("No"))])
    other_cause = _answer("other_cause", Answer.choices)
    known_association = _answer("known_association", KnownAssociation.choices)
    within_time_window = _answer("within_time_window", Answer.choices)
    evidence_against = _answer("evidence_against", Answer.choices)
    qualifying_factors = forms.CharField(
        label=_label("qualifying_factors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    classification = forms.ChoiceField(
        label=_label("classification"),
        choices=Classification.choices,
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_of(cls, investigation: Investigation) -> dict[str, object]:
        """A council that assesses again starts from its last answers."""
        if investigation.diagnosis_valid is None:
            return {}
        return {
            **{name: getattr(investigation, name) for name in cls.base_fields},
            "diagnosis_valid": YES if investigation.diagnosis_valid else NO,
        }

    def steps(self) -> CausalitySteps:
        data = {name: self.cleaned_data[name] for name in CausalitySteps.__dataclass_fields__}
        return CausalitySteps(**{**data, "diagnosis_valid": data["diagnosis_valid"] == YES})
