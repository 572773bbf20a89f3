import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.people.models import Person
from sosuckhoe.people.services import PROFILE_FIELDS
from sosuckhoe.places.models import AdminUnit, UnitLevel


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Password, then the authenticator code for staff who have enrolled one."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label=_("Authenticator code (if enabled)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _("Enter the code shown by your authenticator app."),
        "invalid_token": _("The code is wrong or has expired; try the newest code."),
        "n_failed_attempts": _("Too many wrong codes; wait %(time)s seconds and try again."),
        "verification_not_allowed": _("Codes cannot be checked now; try again later."),
    }

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user):
            # Each member of staff has one authenticator (enrolling replaces the old one), so
            # the form names it rather than asking the user to pick a device.
            device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
            self.cleaned_data["otp_device"] = device.persistent_id if device else ""
            self.clean_otp(user)
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("CCCD, phone or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "type": "search", "autocomplete": "off"}),
    )


class PersonForm(forms.ModelForm):
    home_unit = forms.ModelChoiceField(queryset=AdminUnit.objects.none(), label=_("Commune / ward"))
    # Made when the form is shown: a second sending of the same form registers nobody new.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)

    class Meta:
        model = Person
        fields = PROFILE_FIELDS
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
    record = forms.CharField(
        label=_("Person (CCCD, CMND, passport or record ID)"), required=False, max_length=40
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
