"""Business time: how much service time lies between two instants, and when a target of service time is reached.

Plain functions over frozen dataclasses, no Django. The exact semantics (daylight saving, ranges that cross
midnight, closed and extra working dates) are written down in docs/sla.md; in short, an instant is service time
when its wall-clock time in the calendar's zone lies inside a range of a day that is open, and a range belongs to
the day it starts on.

Speed: per calendar, the service time of a stretch of 64 days is turned once into sorted UTC intervals with running
totals (integer microseconds), so both functions are a bisect or two; the stretches are memoised per calendar value.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from threading import Lock
from zoneinfo import ZoneInfo

DAY_SECONDS = 86_400
US = 1_000_000  # microseconds in a second: the arithmetic runs on exact integers
DAY_US = DAY_SECONDS * US
CHUNK_DAYS = 64
CHUNK_US = CHUNK_DAYS * DAY_US
# A calendar without a single service second within this many chunks (about 70 years) is treated as never open.
MAX_CHUNKS_AHEAD = 400
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True, order=True)
class TimeRange:
    """Wall-clock service hours of one day, in seconds after that day's local midnight.

    `end` may pass midnight (up to 48:00): such a range belongs to the day it starts on and runs into the next.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < DAY_SECONDS or not self.start < self.end <= self.start + DAY_SECONDS:
            raise ValueError(f"not a service range: {self.start}..{self.end} seconds")

    @classmethod
    def parse(cls, text: str) -> TimeRange:
        """Text to range: "08:00-17:00"; "22:00-02:00" runs into the next day; "00:00-24:00" is the whole day."""
        start_text, _, end_text = text.replace("–", "-").partition("-")
        start, end = _clock_seconds(start_text), _clock_seconds(end_text)
        if start == DAY_SECONDS:
            raise ValueError(f"a range cannot start at 24:00: {text!r}")
        if end <= start:
            end += DAY_SECONDS
        return cls(start, end)

    def __str__(self) -> str:
        return f"{_clock_text(self.start)}-{_clock_text(self.end % DAY_SECONDS or self.end)}"


def _clock_seconds(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 3600 + int(minutes or 0) * 60
    if not 0 <= value <= DAY_SECONDS:
        raise ValueError(f"not a time of day: {text!r}")
    return value


def _clock_text(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_ranges(text: str) -> tuple[TimeRange, ...]:
    """Text to ranges: "07:00-12:00, 13:00-17:00" → the ranges, sorted; "" → none."""
    return tuple(sorted(TimeRange.parse(part) for part in text.split(",") if part.strip()))


def weekly_hours(ranges: str, weekdays: Iterable[int] = range(5)) -> tuple[tuple[TimeRange, ...], ...]:
    """The same ranges on the given weekdays (0 = Monday; Monday to Friday by default), nothing on the others."""
    parsed, chosen = parse_ranges(ranges), set(weekdays)
    return tuple(parsed if weekday in chosen else () for weekday in range(7))


@dataclass(frozen=True)
class WorkingDate:
    """A date open with these hours whatever the week says, closed dates included (e.g. a Saturday made up)."""

    day: dt.date
    ranges: tuple[TimeRange, ...]


@dataclass(frozen=True)
class Calendar:
    """When the service clock runs: weekly ranges in the zone's wall-clock time, minus closed dates, plus extra
    working dates. `weekly` has seven entries, Monday first."""

    weekly: tuple[tuple[TimeRange, ...], ...]
    time_zone: str = "Europe/Prague"
    closed_dates: frozenset[dt.date] = frozenset()
    working_dates: tuple[WorkingDate, ...] = ()
    # Memo of precomputed stretches, shared by equal calendars; not part of the value.
    _memo: dict[int, _Chunk] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly needs seven entries, Monday first")
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not at the first computation
        with _SHARED_LOCK:
            object.__setattr__(self, "_memo", _SHARED.setdefault(self, self._memo))

    def ranges_on(self, day: dt.date) -> tuple[TimeRange, ...]:
        """The ranges that start on `day` (a local date)."""
        for working in self.working_dates:
            if working.day == day:
                return working.ranges
        if day in self.closed_dates:
            return ()
        return self.weekly[day.weekday()]


_SHARED: dict[Calendar, dict[int, _Chunk]] = {}
_SHARED_LOCK = Lock()

TWENTY_FOUR_SEVEN = Calendar(weekly=(parse_ranges("00:00-24:00"),) * 7, time_zone="UTC")


def public_holidays(years: Iterable[int], country: str = "CZ", subdiv: str | None = None) -> frozenset[dt.date]:
    """The public holidays of a country (and subdivision) in these years, from the `holidays` package."""
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=list(years), language="en"))


def business_calendar(
    ranges: str = "08:00-17:00",
    weekdays: Iterable[int] = range(5),
    *,
    time_zone: str = "Europe/Prague",
    closed_dates: Iterable[dt.date] = (),
    working_dates: Mapping[dt.date, str] | None = None,
) -> Calendar:
    """A calendar from text: the same ranges on the given weekdays, closed dates, extra working dates with hours."""
    return Calendar(
        weekly=weekly_hours(ranges, weekdays),
        time_zone=time_zone,
        closed_dates=frozenset(closed_dates),
        working_dates=tuple(WorkingDate(day, parse_ranges(text)) for day, text in (working_dates or {}).items()),
    )


def business_seconds_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> int:
    """Whole seconds of service time in [start, end); negative when end is before start."""
    if end < start:
        return -business_seconds_between(calendar, end, start)
    start_us, end_us = _micros(start), _micros(end)
    first, last = start_us // CHUNK_US, end_us // CHUNK_US
    chunk = _chunk(calendar, first)
    if first == last:
        return (chunk.passed(end_us) - chunk.passed(start_us)) // US
    total = chunk.total - chunk.passed(start_us)
    for index in range(first + 1, last):
        total += _chunk(calendar, index).total
    return (total + _chunk(calendar, last).passed(end_us)) // US


def add_business_seconds(calendar: Calendar, start: dt.datetime, seconds: int) -> dt.datetime:
    """The first instant (UTC) at which `seconds` of service time have passed since `start`; `start` itself for 0."""
    if seconds < 0:
        raise ValueError("a target cannot be negative")
    start_us = _micros(start)
    if seconds == 0:
        return _datetime(start_us)
    index = start_us // CHUNK_US
    chunk = _chunk(calendar, index)
    wanted = chunk.passed(start_us) + seconds * US
    for _ in range(MAX_CHUNKS_AHEAD):
        if wanted <= chunk.total:
            return _datetime(chunk.reached(wanted))
        wanted -= chunk.total
        index += 1
        chunk = _chunk(calendar, index)
    raise ValueError(f"the calendar has no service time after {start.isoformat()}")


def _micros(moment: dt.datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business time needs aware datetimes")
    delta = moment - EPOCH
    return (delta.days * DAY_SECONDS + delta.seconds) * US + delta.microseconds


def _datetime(micros: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=micros)


@dataclass(frozen=True)
class _Chunk:
    """Service time of one 64-day stretch of UTC: disjoint sorted intervals with the service time before each."""

    starts: list[int]
    ends: list[int]
    before: list[int]  # service time in the stretch before interval i
    through: list[int]  # service time in the stretch up to the end of interval i
    total: int

    def passed(self, moment: int) -> int:
        """Service time from the stretch's beginning to `moment` (inside the stretch)."""
        index = bisect_right(self.starts, moment) - 1
        if index < 0:
            return 0
        return self.before[index] + min(moment, self.ends[index]) - self.starts[index]

    def reached(self, wanted: int) -> int:
        """The first moment at which `wanted` (0 < wanted <= total) of service time has passed."""
        index = bisect_left(self.through, wanted)
        return self.starts[index] + wanted - self.before[index]


def _chunk(calendar: Calendar, index: int) -> _Chunk:
    chunk = calendar._memo.get(index)
    if chunk is None:
        chunk = calendar._memo[index] = _build_chunk(calendar, index)
    return chunk


def _build_chunk(calendar: Calendar, index: int) -> _Chunk:
    window_start, window_end = index * CHUNK_US, (index + 1) * CHUNK_US
    # Wall-clock service intervals (microseconds of naive local time since 1970-01-01 00:00) of the local dates that
    # can reach the window: offsets stay within ±1 day and a range lasts at most a day after its date ends.
    first_day = window_start // DAY_US + EPOCH_ORDINAL - 3
    last_day = window_end // DAY_US + EPOCH_ORDINAL + 2
    wall: list[tuple[int, int]] = []
    for ordinal in range(first_day, last_day + 1):
        midnight = (ordinal - EPOCH_ORDINAL) * DAY_US
        wall.extend(
            (midnight + r.start * US, midnight + r.end * US) for r in calendar.ranges_on(dt.date.fromordinal(ordinal))
        )
    # Overlapping ranges count once: merge them, also across days.
    merged: list[list[int]] = []
    for begin, end in sorted(wall):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    # An instant is service time when its wall-clock time is: within each span of constant UTC offset the wall
    # interval [a, b) is the UTC interval [a - offset, b - offset).
    pieces: list[tuple[int, int]] = []
    for span_start, span_end, offset in _offset_spans(calendar.time_zone, window_start, window_end):
        low, high = max(span_start, window_start), min(span_end, window_end)
        for begin, end in merged:
            begin, end = max(begin - offset, low), min(end - offset, high)
            if begin < end:
                pieces.append((begin, end))
    starts: list[int] = []
    ends: list[int] = []
    for begin, end in sorted(pieces):
        if ends and begin <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(begin)
            ends.append(end)
    before: list[int] = []
    through: list[int] = []
    total = 0
    for begin, end in zip(starts, ends, strict=True):
        before.append(total)
        total += end - begin
        through.append(total)
    return _Chunk(starts, ends, before, through, total)


def _offset_spans(time_zone: str, window_start: int, window_end: int) -> list[tuple[int, int, int]]:
    """(start, end, UTC offset) spans covering the window, in microseconds. Transitions are found by sampling the
    offset every six hours and bisecting to the second, so two transitions within six hours would be missed."""
    zone = ZoneInfo(time_zone)
    step = 6 * 3600

    def offset(second: int) -> int:
        utc_offset = dt.datetime.fromtimestamp(second, zone).utcoffset()
        assert utc_offset is not None
        return int(utc_offset.total_seconds()) * US

    first, last = window_start // US - DAY_SECONDS, window_end // US + DAY_SECONDS
    spans: list[tuple[int, int, int]] = []
    span_start, current = first, offset(first)
    probe = first
    while probe < last:
        following = min(probe + step, last)
        if offset(following) != current:
            low, high = probe, following  # offset(low) == current != offset(high)
            while high - low > 1:
                middle = (low + high) // 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            spans.append((span_start * US, high * US, current))
            span_start, current = high, offset(high)
        probe = following
    spans.append((span_start * US, last * US, current))
    return spans
