"""Staff accounts: creation, sign-in records and second factors."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, Role, StaffUser
from sosuckhoe.places.models import AdminUnit


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: Role,
    unit: AdminUnit,
    full_name: str = "",
    email: str = "",
) -> StaffUser:
    user = StaffUser(username=username, role=role, unit=unit, first_name=full_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_write(
        actor=actor,
        action=AuditAction.CREATE,
        scope_path=unit.path,
        object_type="staff",
        object_uuid=user.uuid,
        summary=f"{username} ({role})",
    )
    return user


def staff_login_record(*, actor: Actor, succeeded: bool, username: str) -> None:
    """Record a sign-in; a failed one is filed under the unit of the account it tried, so
    that the province's administrators see attempts on their staff."""
    target = (
        actor.user or StaffUser.objects.select_related("unit").filter(username=username).first()
    )
    audit_write(
        actor=actor,
        action=AuditAction.LOGIN if succeeded else AuditAction.LOGIN_FAILED,
        scope_path=target.unit.path if target else "",
        object_type="staff",
        object_uuid=target.uuid if target else None,
        summary=username[:150],
    )


def staff_logout_record(*, actor: Actor) -> None:
    audit_write(actor=actor, action=AuditAction.LOGOUT, object_type="staff")


@transaction.atomic
def totp_device_start(*, user: StaffUser) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user, replacing an unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, actor: Actor, device: TOTPDevice, token: str) -> None:
    if not device.verify_token(token.strip()):
        raise ValidationError(_("The code is wrong or has expired; try the newest code."))
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="staff",
        object_uuid=device.user.uuid,
        summary="two-factor authentication enabled",
    )
