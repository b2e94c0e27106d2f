"""Sending deliveries: claim due rows with a compare-and-set UPDATE, POST them signed, record the outcome.

Two workers never send the same row: a claim succeeds only if the row still has the attempt count and due time
the claimer read. A worker that dies mid-send leaves the row `sending` with a lease (due_at) in the future; when
the lease runs out the row is due again, so a dead worker delays a delivery and never loses it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import logging
import random
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from servicedesk.webhooks import signing
from servicedesk.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus

logger = logging.getLogger(__name__)

USER_AGENT = "Servicedesk-Webhooks/1"
# One sweep sends at most this many; the next sweep takes the rest.
BATCH = 50
DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def lease() -> dt.timedelta:
    """How long a claimed row belongs to its worker: longer than any one send can take."""
    return dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT * 2 + 30)


def backoff(attempt: int, rand: Callable[[], float] = random.random) -> dt.timedelta:
    """Delay before the attempt after `attempt` (1-based): base × 2^(attempt-1), capped, plus up to 20 % jitter so
    deliveries that failed together (a receiver's outage) do not all come back at the same second."""
    seconds = min(settings.WEBHOOK_BACKOFF_MAX, settings.WEBHOOK_BACKOFF_BASE * 2 ** (attempt - 1))
    return dt.timedelta(seconds=seconds * (1 + 0.2 * rand()))


def due_ids(now: dt.datetime, limit: int = BATCH) -> list[int]:
    # A paused (inactive) subscription keeps its deliveries until it is active again.
    rows = Delivery.objects.filter(status__in=DUE_STATUSES, due_at__lte=now, subscription__active=True)
    rows = rows.order_by("due_at", "id")
    return list(rows.values_list("pk", flat=True)[:limit])


@dataclasses.dataclass(frozen=True)
class Claim:
    delivery_id: int
    token: uuid.UUID
    attempt: int


def read_due(delivery_id: int, now: dt.datetime) -> dict[str, Any] | None:
    """The values a claim compares against; None when the row is not due."""
    rows = Delivery.objects.filter(pk=delivery_id, status__in=DUE_STATUSES, due_at__lte=now)
    row = rows.values_list("attempts", "due_at").first()
    return {"attempts": row[0], "due_at": row[1]} if row is not None else None


def take(delivery_id: int, seen: dict[str, Any], now: dt.datetime) -> Claim | None:
    """The compare-and-set: succeeds only if nobody changed the row since `seen` was read."""
    unchanged = Delivery.objects.filter(
        pk=delivery_id, status__in=DUE_STATUSES, attempts=seen["attempts"], due_at=seen["due_at"]
    )
    if seen["attempts"] >= settings.WEBHOOK_MAX_ATTEMPTS:
        # The worker making its last attempt died before reporting back: give up rather than exceed the limit.
        unchanged.update(status=DeliveryStatus.FAILED, last_error="The last attempt's worker did not report back.")
        return None
    token = uuid.uuid4()
    taken = unchanged.update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, due_at=now + lease(), claim_token=token
    )
    return Claim(delivery_id, token, seen["attempts"] + 1) if taken == 1 else None


def claim(delivery_id: int, now: dt.datetime) -> Claim | None:
    """Take the row for one attempt if it is due and nobody else took it since we read it."""
    seen = read_due(delivery_id, now)
    return take(delivery_id, seen, now) if seen is not None else None


@dataclasses.dataclass(frozen=True)
class Response:
    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST without following redirects (a 3xx is a failure: the subscription should name the final URL)."""
    parts = urlsplit(url)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(500).decode("utf-8", "replace")
        status_code, error = response.status, ""
    except (OSError, http.client.HTTPException) as exc:
        status_code, error, excerpt = None, (f"{type(exc).__name__}: {exc}")[:500], ""
    finally:
        connection.close()
    return Response(status_code, error, excerpt, int((time.monotonic() - started) * 1000))


def headers_for(delivery: Delivery, timestamp: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Servicedesk-Event": delivery.event_type,
        "X-Servicedesk-Delivery": str(delivery.pk),
        "X-Servicedesk-Timestamp": timestamp,
        "X-Servicedesk-Signature": signing.signature(delivery.subscription.secret, timestamp, body),
    }


def send(claimed: Claim) -> Delivery | None:
    """Make the claimed attempt and record it. Only the holder of the claim may write the outcome."""
    delivery = Delivery.objects.select_related("subscription").filter(pk=claimed.delivery_id).first()
    if delivery is None:  # its subscription was deleted meanwhile
        return None
    body = delivery.body.encode("utf-8")
    started_at = timezone.now()
    timestamp = str(int(started_at.timestamp()))
    response = post(delivery.subscription.url, body, headers_for(delivery, timestamp, body), settings.WEBHOOK_TIMEOUT)
    finished_at = timezone.now()
    error = response.error or ("" if response.ok else f"HTTP {response.status_code}")
    outcome: dict[str, object] = {
        "last_attempt_at": started_at,
        "last_status_code": response.status_code,
        "last_error": error,
        "last_duration_ms": response.duration_ms,
        "claim_token": None,
    }
    if response.ok:
        outcome.update(status=DeliveryStatus.DELIVERED, delivered_at=finished_at)
    elif claimed.attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
        outcome.update(status=DeliveryStatus.FAILED)
    else:
        outcome.update(status=DeliveryStatus.PENDING, due_at=finished_at + backoff(claimed.attempt))
    written = Delivery.objects.filter(pk=delivery.pk, claim_token=claimed.token).update(**outcome)
    if written:
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=claimed.attempt,
            started_at=started_at,
            duration_ms=response.duration_ms,
            status_code=response.status_code,
            error=error,
            response_excerpt=response.excerpt,
        )
    else:  # our lease ran out and another worker took the row: its outcome wins
        logger.warning("webhooks: delivery %s attempt %s finished after its lease", delivery.pk, claimed.attempt)
    delivery.refresh_from_db()
    return delivery


def deliver(delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Claim and send one delivery now if it is due; None when it is not due or someone else has it."""
    claimed = claim(delivery_id, now or timezone.now())
    return send(claimed) if claimed else None


def deliver_due(now: dt.datetime | None = None) -> int:
    """Send every due delivery (one batch); returns how many were attempted by this call."""
    now = now or timezone.now()
    attempted = 0
    for delivery_id in due_ids(now):
        if deliver(delivery_id, now) is not None:
            attempted += 1
    return attempted
