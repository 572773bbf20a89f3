"""Throttling per token (per user for the console's session), at the rate of the settings."""

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from sosuckhoe.api.models import ApiToken

SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "6000/min" → (6000, 60): requests per window of seconds, as DRF writes rates."""
    number, period = rate.split("/")
    return int(number), SECONDS[period.strip()[0]]


def _ident(request: Request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


class TokenRateThrottle(BaseThrottle):
    """A counter per caller and fixed window. DRF's own throttles keep every request's time
    in one cached list, read and written whole each time: at thousands a minute that list
    costs more than the request it guards."""

    def __init__(self) -> None:
        # Read at each request so that tests and benchmarks can change it.
        self.limit, self.window = parse_rate(settings.API_THROTTLE_RATE)
        self.retry_after = 0.0

    def allow_request(self, request: Request, view: Any) -> bool:
        now = time.time()
        key = f"api:throttle:{_ident(request)}:{int(now // self.window)}"
        count = 1
        if not cache.add(key, count, self.window + 1):
            try:
                count = cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.set(key, count, self.window + 1)
        self.retry_after = self.window - now % self.window
        return count <= self.limit

    def wait(self) -> float:
        return self.retry_after
