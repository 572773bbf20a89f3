"""Forms of the staff pages: a manager offers only the roles up to their own and the units
of their subtree (the services refuse anything else too)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sosuckhoe.accounts.models import ROLE_RANK, Role, StaffUser
from sosuckhoe.accounts.selectors import StaffFilter
from sosuckhoe.places.models import AdminUnit

_INDENT = "\u00a0\u00a0"  # no-break spaces: a select shows the tree by indentation


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdminUnit) -> str:
        # A path has one slash per level: "2025-07/37/" is a province, under the country.
        return _INDENT * (obj.path.count("/") - 1) + obj.name


def roles_up_to(user: StaffUser) -> list[tuple[str, Any]]:
    return [(role.value, role.label) for role in Role if ROLE_RANK[role] <= ROLE_RANK[user.role]]


class StaffForm(forms.Form):
    """What a manager sets on an account; with `member`, the account being changed."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))
    unit = UnitField(queryset=AdminUnit.objects.none(), label=_("Unit"))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(
        self, *args: Any, manager: StaffUser, member: StaffUser | None = None, **kwargs: Any
    ) -> None:
        if member is not None:
            kwargs.setdefault("initial", _initial_of(member))
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_up_to(manager)
        units = AdminUnit.objects.subtree_of(manager.unit)
        if member is not None:
            # A national administrator's account list spans editions; keep the current unit.
            units = units | AdminUnit.objects.filter(pk=member.unit_id)
        self.fields["unit"].queryset = units.order_by("path")


def _initial_of(member: StaffUser) -> dict[str, Any]:
    return {
        "full_name": member.first_name,
        "role": member.role,
        "unit": member.unit_id,
        "phone": member.phone,
        "email": member.email,
    }


class StaffCreateForm(StaffForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; used to sign in."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    field_order = ["username", "full_name", "role", "unit", "phone", "email"]


class StaffSearchForm(forms.Form):
    ACTIVE_CHOICES = [("", "—"), ("yes", _("Active")), ("no", _("Deactivated"))]

    q = forms.CharField(
        label=_("User name or name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", "—"), *Role.choices])
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def criteria(self) -> StaffFilter:
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data["active"])
        return StaffFilter(text=data["q"], role=data["role"], active=active)
