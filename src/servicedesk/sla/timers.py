"""The two SLA timers as plain data: targets, thresholds, the instants they are crossed. No Django, no database.

A timer counts business time in its calendar from the ticket's entry. Its levels are the warning thresholds
(percent of the target, ascending) and then the deadline (100 %). Level k means the first k levels were crossed.
A warning threshold is crossed at its instant; the deadline is breached from the first microsecond after the due
instant (stopping exactly at the due instant meets the target). Paused business time moves every instant by
that much (the resolution timer only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from servicedesk.sla.clock import Calendar, add_business_seconds, business_seconds_between

ONE_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Target:
    seconds: int
    calendar: Calendar


@dataclass(frozen=True)
class Terms:
    """What one priority of one plan version promises, and the rules around it."""

    reaction: Target | None
    resolution: Target | None
    thresholds: tuple[int, ...] = (75, 90)
    pause_states: frozenset[str] = frozenset({"waiting_customer"})
    team_assignment_counts: bool = False
    warning_actions: tuple[str, ...] = ()
    breach_actions: tuple[str, ...] = ()
    escalation_team_id: int | None = None

    @property
    def breach_level(self) -> int:
        return len(self.thresholds) + 1

    def percent_of_level(self, level: int) -> int:
        """The percent of level `level` (1-based): a threshold, or 100 for the deadline."""
        return self.thresholds[level - 1] if level <= len(self.thresholds) else 100


def level_instant(terms: Terms, target: Target, start: dt.datetime, level: int, paused: int = 0) -> dt.datetime:
    """When level `level` (1-based) is crossed."""
    percent = terms.percent_of_level(level)
    # Warnings round up to the whole second; the deadline is the due instant itself.
    seconds = -(-target.seconds * percent // 100) + paused
    moment = add_business_seconds(target.calendar, start, seconds)
    return moment + ONE_MICROSECOND if percent == 100 else moment


def due(target: Target, start: dt.datetime, paused: int = 0) -> dt.datetime:
    return add_business_seconds(target.calendar, start, target.seconds + paused)


def crossed_level(terms: Terms, target: Target, start: dt.datetime, now: dt.datetime, paused: int = 0) -> int:
    """How many levels lie at or before `now`."""
    level = 0
    while level < terms.breach_level and level_instant(terms, target, start, level + 1, paused) <= now:
        level += 1
    return level


def next_level_instant(
    terms: Terms, target: Target, start: dt.datetime, level: int, paused: int = 0
) -> dt.datetime | None:
    """When the level after `level` is crossed; None when the timer is already breached."""
    if level >= terms.breach_level:
        return None
    return level_instant(terms, target, start, level + 1, paused)


def left_seconds(target: Target, due_at: dt.datetime, now: dt.datetime) -> int:
    """Business time from `now` to the due instant: negative when it is past (by how much)."""
    return business_seconds_between(target.calendar, now, due_at)


def used_percent(target: Target, due_at: dt.datetime, now: dt.datetime) -> int:
    if target.seconds == 0:
        return 100 if now >= due_at else 0
    return round(100 * (target.seconds - left_seconds(target, due_at, now)) / target.seconds)
