"""Writing history without mail: the demo's replay of three months of tickets must not mail anybody."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_muted: ContextVar[bool] = ContextVar("servicedesk_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Inside: ticket events and notifications queue no e-mail (the in-app notifications are still written)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()
