import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent
from sosuckhoe.messaging.backends import MemoryBackend
from sosuckhoe.messaging.models import Channel, MessageStatus, OutboundMessage
from sosuckhoe.messaging.services import message_deliver, message_queue

SENDER = Actor.system("reminders")


@pytest.fixture
def memory_backend(settings):
    settings.MESSAGING_BACKEND = "sosuckhoe.messaging.backends.MemoryBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


def test_a_text_to_a_phone_is_queued_and_delivered_after_commit(
    db, memory_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            actor=SENDER, to="0912 345 678", body="Lịch tiêm của bạn: 8:00 thứ Hai"
        )
    message.refresh_from_db()
    assert (message.channel, message.to, message.status) == (
        Channel.SMS,
        "+84912345678",
        MessageStatus.SENT,
    )
    assert [m.body for m in memory_backend] == ["Lịch tiêm của bạn: 8:00 thứ Hai"]


def test_a_retried_delivery_never_sends_twice(db, memory_backend):
    message = message_queue(actor=SENDER, to="a@example.vn", body="x")
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    assert len(memory_backend) == 1


@pytest.mark.parametrize("to", ["not-an-address@", "12345", ""])
def test_a_bad_address_is_refused_and_nothing_is_queued(db, to):
    with pytest.raises(ValidationError):
        message_queue(actor=SENDER, to=to, body="x")
    assert not OutboundMessage.objects.exists()


def test_smtp_sends_email_and_sms_through_the_operator_gateway(db, settings):
    settings.MESSAGING_BACKEND = "sosuckhoe.messaging.backends.SmtpBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MESSAGING_SMS_EMAIL_DOMAIN = "sms.example.vn"
    for to in ("canbo@example.vn", "0912345678"):
        message_deliver(message_id=message_queue(actor=SENDER, to=to, body="Nhắc lịch tiêm").pk)
    assert [m.to for m in mail.outbox] == [["canbo@example.vn"], ["84912345678@sms.example.vn"]]


def test_an_sms_without_a_gateway_fails_with_the_reason(db, settings):
    settings.MESSAGING_BACKEND = "sosuckhoe.messaging.backends.SmtpBackend"
    settings.MESSAGING_SMS_EMAIL_DOMAIN = ""
    message = message_deliver(message_id=message_queue(actor=SENDER, to="0912345678", body="x").pk)
    assert message.status == MessageStatus.FAILED
    assert "MESSAGING_SMS_EMAIL_DOMAIN" in message.error


def test_a_queued_message_is_audited_with_its_sender_but_not_its_text(db):
    message = message_queue(actor=SENDER, to="0912345678", body="Mã của bạn: 7071")
    event = AuditEvent.objects.get(object_uuid=message.uuid)
    assert (event.actor_username, event.action) == ("system:reminders", AuditAction.CREATE)
    assert "7071" not in f"{event.summary} {event.changes}"
