"""The signature receivers check: HMAC-SHA256 over "<timestamp>.<body>" with the subscription's secret.

Signing the timestamp with the body lets a receiver refuse replays of an old delivery (docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The value of the X-Servicedesk-Signature header."""
    message = timestamp.encode("ascii") + b"." + body
    return PREFIX + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (constant-time comparison); used by our own tests as a receiver."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)
