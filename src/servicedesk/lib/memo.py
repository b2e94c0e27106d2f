"""A value a process remembers for a while: for rows read on hot paths that change a few times a year."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class TimedMemo(Generic[T]):
    """`get()` returns the remembered value, loading it again once `seconds()` have passed (0: on every call).
    Connect `forget` to the rows' save and delete signals, so that a change in this process is seen at once;
    other processes see it within the time."""

    def __init__(self, load: Callable[[], T], seconds: Callable[[], float]) -> None:
        self._load = load
        self._seconds = seconds
        self._value: T | None = None
        self._expires_at = 0.0

    def get(self) -> T:
        now = time.monotonic()
        if now >= self._expires_at:
            self._value = self._load()
            self._expires_at = now + self._seconds()
        return self._value  # type: ignore[return-value]  # loaded above on the first call

    def forget(self, **signal_arguments: Any) -> None:
        self._expires_at = 0.0
