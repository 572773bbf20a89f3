"""Sending a text to a phone or an e-mail address through the configured backend."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.messaging.backends import DeliveryError, get_backend
from sosuckhoe.messaging.models import Channel, MessageStatus, OutboundMessage
from sosuckhoe.people.identity import normalize_phone


def _address_of(to: str) -> tuple[str, str]:
    if "@" in to:
        try:
            validate_email(to)
        except ValidationError:
            raise ValidationError(_("%(to)s is not a valid e-mail address.") % {"to": to}) from None
        return Channel.EMAIL, to.strip()
    return Channel.SMS, normalize_phone(to)[0]


@transaction.atomic
def message_queue(*, actor: Actor, to: str, body: str, subject: str = "") -> OutboundMessage:
    """Store the message and hand it to a worker once the caller's transaction commits."""
    from sosuckhoe.messaging.tasks import deliver_message

    if not body.strip():
        raise ValidationError(_("The message is empty."))
    channel, address = _address_of(to)
    message = OutboundMessage.objects.create(
        channel=channel, to=address, subject=subject, body=body
    )
    # Who sent a text to which address; the text itself stays out (it may carry a secret).
    audit_write(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="message",
        object_uuid=message.uuid,
        summary=f"{channel} → {address}",
    )
    transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message


def message_deliver(*, message_id: int) -> OutboundMessage:
    """Send a queued message once. Another worker holding it, or a retry after success,
    finds nothing to claim and sends nothing."""
    claimed = OutboundMessage.objects.filter(pk=message_id, status=MessageStatus.QUEUED).update(
        status=MessageStatus.SENDING, backend=settings.MESSAGING_BACKEND
    )
    message = OutboundMessage.objects.get(pk=message_id)
    if not claimed:
        return message
    try:
        get_backend().send(message)
    except DeliveryError as error:
        message.status, message.error = MessageStatus.FAILED, str(error)
    else:
        message.status, message.sent_at = MessageStatus.SENT, timezone.now()
    message.save(update_fields=["status", "error", "sent_at"])
    return message
