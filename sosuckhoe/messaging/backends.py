"""Channel backends, chosen by MESSAGING_BACKEND like Django's e-mail backends."""

import sys
from typing import ClassVar

from django.conf import settings
from django.core import mail
from django.utils.module_loading import import_string

from sosuckhoe.messaging.models import Channel, OutboundMessage


class DeliveryError(Exception):
    """The backend could not hand the message over; the text says why."""


class BaseBackend:
    def send(self, message: OutboundMessage) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes each message to standard output: the embedded default and for development."""

    def send(self, message: OutboundMessage) -> None:
        sys.stdout.write(f"[{message.channel} → {message.to}] {message.subject}\n{message.body}\n")
        sys.stdout.flush()


class MemoryBackend(BaseBackend):
    """Keeps sent messages in `outbox`, for tests."""

    outbox: ClassVar[list[OutboundMessage]] = []

    def send(self, message: OutboundMessage) -> None:
        self.outbox.append(message)


class SmtpBackend(BaseBackend):
    """E-mail over SMTP; a phone through an operator's e-mail-to-SMS gateway, when one is set
    (MESSAGING_SMS_EMAIL_DOMAIN: the text goes to <digits>@<domain>)."""

    def send(self, message: OutboundMessage) -> None:
        to = message.to
        if message.channel == Channel.SMS:
            if not settings.MESSAGING_SMS_EMAIL_DOMAIN:
                raise DeliveryError("MESSAGING_SMS_EMAIL_DOMAIN is not set: no SMS gateway")
            to = f"{message.to.lstrip('+')}@{settings.MESSAGING_SMS_EMAIL_DOMAIN}"
        try:
            mail.send_mail(message.subject, message.body, None, [to], fail_silently=False)
        except OSError as error:
            raise DeliveryError(str(error)) from error


def get_backend() -> BaseBackend:
    backend_class: type[BaseBackend] = import_string(settings.MESSAGING_BACKEND)
    return backend_class()
