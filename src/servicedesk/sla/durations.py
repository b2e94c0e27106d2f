"""Durations as a desk manager writes them: "4h", "1d 2h", "90m" or a bare number of minutes. Pure.

A day here is 24 hours of the target's calendar time: "1d" is 1440 business minutes, not one working day."""

from __future__ import annotations

import re

UNIT_MINUTES = {"d": 24 * 60, "h": 60, "m": 1}
_PART = re.compile(r"(\d+)\s*([dhm])")


def parse_duration(text: str) -> int | None:
    """Minutes in `text`, None for an empty text; ValueError when it is not a duration."""
    compact = text.strip().lower().replace(",", " ")
    if not compact:
        return None
    if compact.isdigit():
        return int(compact)
    total = 0
    position = 0
    seen: set[str] = set()
    for match in _PART.finditer(compact):
        if compact[position : match.start()].strip() or match.group(2) in seen:
            raise ValueError(text)
        seen.add(match.group(2))
        total += int(match.group(1)) * UNIT_MINUTES[match.group(2)]
        position = match.end()
    if not seen or compact[position:].strip():
        raise ValueError(text)
    return total


def format_duration(minutes: int | None) -> str:
    """The inverse of parse_duration: 1560 → "1d 2h", 90 → "1h 30m", 0 → "0m", None → ""."""
    if minutes is None:
        return ""
    parts = []
    days, rest = divmod(minutes, UNIT_MINUTES["d"])
    hours, rest = divmod(rest, UNIT_MINUTES["h"])
    for amount, unit in ((days, "d"), (hours, "h"), (rest, "m")):
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts) or "0m"
