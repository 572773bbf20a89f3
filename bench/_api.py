"""Helpers of the API benchmarks (doses, booking): a member of staff with an API key, and
concurrent clients that share a bounded list of requests."""

import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

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


def send(client: httpx.Client, method: str, path: str, body: Any = None) -> Answer:
    started = time.perf_counter()
    response = client.request(method, path, json=body)
    ms = (time.perf_counter() - started) * 1000
    code = ""
    if response.status_code >= 400:
        try:
            code = response.json().get("code", "")
        except ValueError:
            code = "not-json"
    return Answer(ms, response.status_code, code)


def concurrently(
    base: str,
    key: str,
    clients: int,
    work: Sequence[Any],
    request: Callable[[httpx.Client, Any], Answer],
    budget_s: float,
) -> tuple[list[Answer], float]:
    """Send `request` for each item of `work` from `clients` threads, each with its own
    connection, until the work or the time budget runs out: the answers and the wall time."""
    todo: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for item in work:
        todo.put(item)
    answers: list[Answer] = []
    lock = threading.Lock()
    deadline = time.monotonic() + budget_s

    def client_loop() -> None:
        headers = {"Authorization": f"Token {key}", "Accept-Language": "en"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
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
