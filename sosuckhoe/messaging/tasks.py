from celery import shared_task

from sosuckhoe.messaging.services import message_deliver


@shared_task(acks_late=True)
def deliver_message(message_id: int) -> None:
    message_deliver(message_id=message_id)
