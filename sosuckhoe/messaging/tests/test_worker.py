"""A real worker on the configured broker: a folder embedded, Redis or RabbitMQ on servers."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from sosuckhoe.celery import app
from sosuckhoe.messaging.backends import MemoryBackend
from sosuckhoe.messaging.models import MessageStatus, OutboundMessage
from sosuckhoe.messaging.services import message_queue


@pytest.fixture
def worker(settings, tmp_path, transactional_db):
    settings.MESSAGING_BACKEND = "sosuckhoe.messaging.backends.MemoryBackend"
    if app.conf.broker_url.startswith("filesystem"):
        # A folder of the test's own, so a running `make run` does not take the message.
        folder = tmp_path / "broker"
        (folder / "processed").mkdir(parents=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(folder / "processed"),
        }
    MemoryBackend.outbox.clear()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_a_queued_message_is_delivered_by_a_worker_through_the_broker(worker):
    message = message_queue(to="0912345678", body="Mời tiêm mũi nhắc lại")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == MessageStatus.SENT:
            break
        time.sleep(0.1)
    assert message.status == MessageStatus.SENT
    assert [m.body for m in MemoryBackend.outbox] == ["Mời tiêm mũi nhắc lại"]
    assert OutboundMessage.objects.count() == 1
