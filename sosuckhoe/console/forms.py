from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationForm

from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit, UnitLevel


class LoginForm(OTPAuthenticationForm):
    """Password, and the authenticator code for staff who have enrolled one."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].label = _("Authenticator code (if enabled)")
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric"}
        )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("CCCD, phone or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "type": "search", "autocomplete": "off"}),
    )


class PersonForm(forms.ModelForm):
    home_unit = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("Commune / ward"))

    class Meta:
        model = Person
        fields = [
            "full_name",
            "sex",
            "birth_date",
            "birth_year",
            "id_kind",
            "id_number",
            "phone",
            "home_unit",
            "address_line",
            "insurance_number",
            "ethnicity",
            "occupation",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"birth_year": _("Enough alone when a paper record gives only the year.")}

    def __init__(self, *args, unit: AdminUnit, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["home_unit"].queryset = AdminUnit.objects.subtree_of(unit).filter(
            level=UnitLevel.COMMUNE
        )
        self.fields["birth_year"].required = False

    def _post_clean(self) -> None:
        # The service validates the whole record after normalising it; skip the duplicate
        # model validation of the form (it would judge un-normalised values).
        pass


class TotpConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("Code shown by the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AuditSearchForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices]
    )
    object_uuid = forms.UUIDField(label=_("Record ID"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
