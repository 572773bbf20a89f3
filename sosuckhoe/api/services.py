"""API tokens: created for a member of staff (the key shown once) and revoked, audited."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, StaffUser
from sosuckhoe.api.models import PREFIX_LENGTH, ApiToken, key_digest


def _check_may_hold(actor: Actor, user: StaffUser) -> None:
    """A member of staff makes their own keys; a manager, or a command, those of their staff."""
    if actor.user is not None and actor.user.pk != user.pk and not actor.manages(user.unit):
        raise ValidationError(_("You may not manage this account's keys."), code="not_yours")
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")


@transaction.atomic
def api_token_create(*, actor: Actor, user: StaffUser, name: str = "") -> tuple[ApiToken, str]:
    """A new key for `user`: returned once, stored only as its hash."""
    _check_may_hold(actor, user)
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], prefix=key[:PREFIX_LENGTH], digest=key_digest(key)
    )
    audit_write(
        actor=actor,
        action=AuditAction.CREATE,
        scope_path=user.unit.path,
        object_type="api_token",
        summary=f"{user.get_username()}: {token.prefix}",
        changes={"user": user.get_username(), "prefix": token.prefix, "name": token.name},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Stop a key from working, at once and for good."""
    token = ApiToken.objects.select_for_update().select_related("user__unit").get(pk=token.pk)
    _check_may_hold(actor, token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_write(
            actor=actor,
            action=AuditAction.UPDATE,
            scope_path=token.user.unit.path,
            object_type="api_token",
            summary=f"{token.user.get_username()}: {token.prefix} revoked",
            changes={"user": token.user.get_username(), "prefix": token.prefix},
        )
    return token
