"""Staff accounts: created and changed by the managers of a subtree, sign-in records and
second factors. Every write is atomic and leaves its audit row in the same transaction."""

import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import ROLE_RANK, AuditAction, Role, StaffUser
from sosuckhoe.messaging.services import message_queue
from sosuckhoe.people.identity import normalize_phone
from sosuckhoe.places.models import AdminUnit

# What a manager may change on an account, as the services take them.
STAFF_FIELDS = ("full_name", "role", "unit", "phone", "email")
# No look-alikes (0/O, 1/l/I): the password is read from a screen and typed in.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PASSWORD_LENGTH = 16  # about 92 bits


def password_generate() -> str:
    """A strong password, to be shown once and never stored in clear."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(PASSWORD_LENGTH))


def _check_is_manager(actor: Actor) -> None:
    if actor.user is not None and not actor.user.is_manager:
        raise PermissionDenied(
            _("Only province officers and national administrators manage staff.")
        )


def _check_may_manage(actor: Actor, target: StaffUser) -> None:
    """Refuse an account outside the actor's subtree or ranked above the actor."""
    _check_is_manager(actor)
    above = actor.user is not None and ROLE_RANK[target.role] > ROLE_RANK[actor.user.role]
    if above or not actor.manages(target.unit):
        raise PermissionDenied(_("This account is outside what you manage."))


def _check_choices(actor: Actor, user: StaffUser) -> None:
    """Refuse a unit outside the actor's subtree and a role above the actor's own. Forms offer
    only these, but a command or a hand-made request has no form to limit the choice."""
    errors: dict[str, list[str]] = {}
    if not actor.manages(user.unit):
        errors["unit"] = [_("This unit is outside your unit.")]
    if actor.user is not None and ROLE_RANK[user.role] > ROLE_RANK[actor.user.role]:
        errors["role"] = [_("You cannot give a role above your own.")]
    if errors:
        raise ValidationError(errors)


def _check_not_self(actor: Actor, target: StaffUser, message: str) -> None:
    if actor.user is not None and actor.user.pk == target.pk:
        raise ValidationError(message)


def _normalize(user: StaffUser) -> None:
    """Bring typed-in values to their stored form, then validate the whole account."""
    user.first_name = " ".join(user.first_name.split())
    user.email = user.email.strip()
    if user.phone:
        try:
            user.phone = normalize_phone(user.phone)[0]
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    user.full_clean()


def _save_checked(user: StaffUser, **kwargs: Any) -> None:
    """Save; a username that a concurrent request took first is reported like validation's."""
    try:
        with transaction.atomic():
            user.save(**kwargs)
    except IntegrityError:
        raise ValidationError(
            {"username": _("A user with that username already exists.")}
        ) from None


def _values(user: StaffUser) -> dict[str, Any]:
    """The fields managers change, as the audit row records them (the unit by its path)."""
    return {
        "full_name": user.first_name,
        "role": user.role,
        "unit": user.unit.path,
        "phone": user.phone,
        "email": user.email,
        "is_active": user.is_active,
    }


def _locked(target: StaffUser) -> StaffUser:
    return StaffUser.objects.select_for_update().select_related("unit").get(pk=target.pk)


def _staff_audit(
    *, actor: Actor, user: StaffUser, action: AuditAction, summary: str, changes: dict[str, Any]
) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=user.unit.path,
        object_type="staff",
        object_uuid=user.uuid,
        summary=f"{user.username}: {summary}",
        changes=changes,
    )


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
    phone: str = "",
) -> StaffUser:
    _check_is_manager(actor)
    user = StaffUser(
        username=username, role=role, unit=unit, first_name=full_name, email=email, phone=phone
    )
    validate_password(password, user)
    user.set_password(password)
    _normalize(user)
    _check_choices(actor, user)
    _save_checked(user)
    _staff_audit(
        actor=actor,
        user=user,
        action=AuditAction.CREATE,
        summary=user.get_role_display(),
        changes={name: [None, value] for name, value in _values(user).items()},
    )
    return user


@transaction.atomic
def staff_update(*, actor: Actor, user: StaffUser, **fields: Any) -> StaffUser:
    """Change the given fields (of STAFF_FIELDS); the audit row records old and new values.
    Nobody changes their own role or unit: another manager does, so that no one locks
    themselves out by accident."""
    if unknown := set(fields) - set(STAFF_FIELDS):
        raise ValueError(f"{sorted(unknown)} are not fields a manager changes")
    user = _locked(user)
    _check_may_manage(actor, user)
    before = _values(user)
    if "full_name" in fields:
        user.first_name = fields.pop("full_name")
    for name, value in fields.items():
        setattr(user, name, value)
    _normalize(user)
    changes = {f: [before[f], v] for f, v in _values(user).items() if before[f] != v}
    if changes.keys() & {"role", "unit"}:
        _check_not_self(actor, user, _("You cannot change your own role or unit."))
        _check_choices(actor, user)
    if not changes:
        return user
    _save_checked(user)
    _staff_audit(
        actor=actor,
        user=user,
        action=AuditAction.UPDATE,
        summary=", ".join(changes),
        changes=changes,
    )
    return user


def _set_active(*, actor: Actor, user: StaffUser, active: bool) -> StaffUser:
    user = _locked(user)
    _check_may_manage(actor, user)
    if not active:
        _check_not_self(actor, user, _("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    _staff_audit(
        actor=actor,
        user=user,
        action=AuditAction.UPDATE,
        summary="reactivated" if active else "deactivated",
        changes={"is_active": [not active, active]},
    )
    return user


@transaction.atomic
def staff_deactivate(*, actor: Actor, user: StaffUser) -> StaffUser:
    """Stop the account: it cannot sign in, and its open sessions end at their next request
    (the authentication backend loads only active users). Nothing of it is deleted."""
    return _set_active(actor=actor, user=user, active=False)


@transaction.atomic
def staff_reactivate(*, actor: Actor, user: StaffUser) -> StaffUser:
    return _set_active(actor=actor, user=user, active=True)


@transaction.atomic
def staff_password_reset(*, actor: Actor, user: StaffUser) -> str:
    """Give the account a new generated password and return it, to be shown once. Its open
    sessions end (their password hash changes) and a lockout after failed sign-ins is lifted.
    The account's e-mail or phone is told that the password changed, never what it is."""
    user = _locked(user)
    _check_may_manage(actor, user)
    password = password_generate()
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _staff_audit(
        actor=actor,
        user=user,
        action=AuditAction.UPDATE,
        summary="password reset",
        changes={"password": "reset"},
    )
    axes_reset(username=user.username)
    _notify(actor=actor, user=user)
    return password


def _notify(*, actor: Actor, user: StaffUser) -> None:
    address = user.email or user.phone
    if not address:
        return
    # In the language of the platform, not of the manager's session: it goes to someone else.
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "Sổ sức khỏe: the password of your account %(username)s was reset by %(by)s. If you "
            "did not ask for it, tell your administrator."
        ) % {"username": user.username, "by": actor.name}
    message_queue(actor=actor, to=address, body=body)


@transaction.atomic
def staff_totp_reset(*, actor: Actor, user: StaffUser) -> StaffUser:
    """Remove the account's authenticators, e.g. after a lost phone: they sign in with their
    password alone until they enrol a new one."""
    user = _locked(user)
    _check_may_manage(actor, user)
    removed, _kinds = TOTPDevice.objects.filter(user=user).delete()
    _staff_audit(
        actor=actor,
        user=user,
        action=AuditAction.UPDATE,
        summary="two-factor authentication removed",
        changes={"authenticators_removed": removed},
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
def totp_device_start(*, actor: Actor, user: StaffUser) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user, replacing an unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    audit_write(
        actor=actor,
        action=AuditAction.UPDATE,
        scope_path=user.unit.path,
        object_type="staff",
        object_uuid=user.uuid,
        summary="two-factor enrolment started",
    )
    return device


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
