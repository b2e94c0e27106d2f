"""The one clock the domain reads. Demo data and imports replay history by setting it; everything else
gets the real time."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator

from django.utils import timezone

_state = threading.local()


def now() -> dt.datetime:
    fixed: dt.datetime | None = getattr(_state, "fixed", None)
    return fixed if fixed is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Within the block (this thread only), actions record `moment` as the time they happened."""
    previous = getattr(_state, "fixed", None)
    _state.fixed = moment
    try:
        yield
    finally:
        _state.fixed = previous
