"""A real worker on the configured broker: a folder embedded, Redis or RabbitMQ on servers."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.celery import app
from sosuckhoe.messaging.backends import MemoryBackend
from sosuckhoe.messaging.models import MessageStatus, OutboundMessage
from sosuckhoe.messaging.services import message_queue

SENDER = Actor.system("reminders")


@pytest.fixture
def worker(settings, tmp_path, transactional_db, monkeypatch):
    settings.MESSAGING_BACKEND = "sosuckhoe.messaging.backends.MemoryBackend"
    if app.conf.broker_url.startswith("filesystem"):
        # Folders of the test's own, so that a running `make run` does not take the message.
        folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
        for folder in folders.values():
            folder.mkdir()
        options = {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
        }
        monkeypatch.setitem(app.conf, "broker_transport_options", options)
    _drop_pooled_connections()
    MemoryBackend.outbox.clear()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield
    _drop_pooled_connections()


def _drop_pooled_connections() -> None:
    """Producers pooled by earlier code would publish to the broker folders they were made
    for; Celery has no public call that forgets its producer pool, hence the attribute."""
    app.close()
    app.amqp._producer_pool = None


def test_a_queued_message_is_delivered_by_a_worker_through_the_broker(worker):
    message = message_queue(actor=SENDER, to="0912345678", body="Mời tiêm mũi nhắc lại")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == MessageStatus.SENT:
            break
        time.sleep(0.1)
    assert message.status == MessageStatus.SENT
    assert [m.body for m in MemoryBackend.outbox] == ["Mời tiêm mũi nhắc lại"]
    assert OutboundMessage.objects.count() == 1
