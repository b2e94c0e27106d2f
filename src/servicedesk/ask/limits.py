"""Rate limits of the "Ask us" form: fixed-window counters in the database, shared by every worker and machine."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from servicedesk.ask.models import RateCounter

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """ "5/10m" → 5 per 600 seconds; "3/h" → 3 per hour."""
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"A rate looks like 5/10m, not {text!r}")
    count, amount, unit = match.groups()
    return Rate(int(count), int(amount or 1) * _UNITS[unit])


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the address TRUSTED_PROXY_COUNT hops back in X-Forwarded-For."""
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _key(scope: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def _window_start(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def hit(scope: str, value: str, rate: Rate, now: dt.datetime | None = None) -> bool:
    """Count one attempt; False when it is over the limit of the current window.

    The increment is one UPDATE ... SET count = count + 1, atomic on SQLite and PostgreSQL alike, so concurrent
    workers can neither lose a count nor both slip under the limit."""
    now = now or timezone.now()
    start = _window_start(now, rate.seconds)
    key = _key(scope, value)
    counters = RateCounter.objects.filter(scope=scope, key=key, window_start=start)
    with transaction.atomic():
        if not counters.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(scope=scope, key=key, window_start=start, count=1)
            except IntegrityError:  # another worker created the window's row first
                counters.update(count=F("count") + 1)
            # A new window is a good moment to forget windows that ended long ago.
            horizon = now - dt.timedelta(seconds=max(86400, 2 * rate.seconds))
            RateCounter.objects.filter(scope=scope, window_start__lt=horizon).delete()
        count = counters.values_list("count", flat=True).first() or 0
    return count <= rate.count


def allowed(ip_address: str, email: str) -> tuple[bool, str]:
    """Count a submission against both limits; (False, scope) names the first limit it is over."""
    if not hit("ip", ip_address, parse_rate(settings.ASK_RATE_LIMIT_PER_IP)):
        return False, "ip"
    if not hit("email", email.strip().lower(), parse_rate(settings.ASK_RATE_LIMIT_PER_EMAIL)):
        return False, "email"
    return True, ""
