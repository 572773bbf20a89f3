"""Helpers of the API benchmarks (doses, booking): a member of staff with an API key, and
concurrent clients that share a bounded list of requests.

The clients are threads on the standard library's http.client. Through httpx they took half
of a two-core machine from the servers they measured: the plain view of bench/reference
served 126 requests/s to 16 httpx threads, 189–205 to 16 http.client threads and 210 to wrk
(a client in C), one after the other on the same machine; the faster the endpoint, the more
of its rate the client hid. (wrk itself cannot send a bounded list each once: a connection it
holds idle once the list is used up blocks a gunicorn sync worker.)
"""

import http.client
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# The benchmarks measure the application, not its throttle.
os.environ.setdefault("API_THROTTLE_RATE", "100000000/min")


def reference_load() -> None:
    """The products, schedule rules, priority groups and screening forms (idempotent)."""
    from sosuckhoe.supply.reference import supply_reference_load
    from sosuckhoe.vaccination.services.reference import vaccination_reference_load

    supply_reference_load()
    vaccination_reference_load()


def staff_key(username: str, role: str, unit: Any) -> str:
    """A member of staff (created if missing) and a new API key of theirs."""
    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.accounts.models import StaffUser
    from sosuckhoe.accounts.services import staff_create
    from sosuckhoe.api.services import api_token_create

    actor = Actor.system("bench")
    user = StaffUser.objects.filter(username=username).first()
    if user is None:
        import secrets

        user = staff_create(
            actor=actor,
            username=username,
            password=secrets.token_urlsafe(16),
            role=role,
            unit=unit,
        )
    _token, key = api_token_create(actor=actor, user=user, name="bench")
    return key


@dataclass(frozen=True)
class Answer:
    ms: float
    status: int
    code: str  # the error's code, when the answer is an error


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    ms: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Client:
    """A client of one server: a connection a request, as gunicorn's sync workers close each
    after its answer, with the key's header on every request."""

    host: str
    port: int
    headers: dict[str, str]

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        headers, payload = self.headers, None
        if body is not None:
            headers, payload = {**headers, "Content-Type": "application/json"}, json.dumps(body)
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        return Reply(response.status, data, (time.perf_counter() - started) * 1000)


def send(client: Client, method: str, path: str, body: Any = None) -> Answer:
    reply = client.request(method, path, body)
    code = ""
    if reply.status >= 400:
        try:
            code = reply.json().get("code", "")
        except ValueError:
            code = "not-json"
    return Answer(reply.ms, reply.status, code)


def concurrently(
    base: str,
    key: str,
    clients: int,
    work: Sequence[Any],
    request: Callable[[Client, Any], Answer],
    budget_s: float,
) -> tuple[list[Answer], float]:
    """Send `request` for each item of `work` from `clients` threads, each waiting for its
    answer before the next, until the work or the time budget runs out: the answers and the
    wall time."""
    todo: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for item in work:
        todo.put(item)
    answers: list[Answer] = []
    lock = threading.Lock()
    deadline = time.monotonic() + budget_s
    where = urlsplit(base)
    headers = {"Authorization": f"Token {key}", "Accept-Language": "en"}
    client = Client(where.hostname or "127.0.0.1", where.port or 80, headers)

    def client_loop() -> None:
        while time.monotonic() < deadline:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            answer = request(client, item)
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def statuses(answers: Sequence[Answer]) -> str:
    counts: dict[str, int] = {}
    for answer in answers:
        label = f"{answer.status}{' ' + answer.code if answer.code else ''}"
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{label}: {n}" for label, n in sorted(counts.items()))
