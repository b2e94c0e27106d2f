"""Business time: the promises of docs/sla.md, and agreement with a minute-by-minute reference for any calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla.clock import (
    TWENTY_FOUR_SEVEN,
    Calendar,
    TimeRange,
    WorkingDate,
    add_business_seconds,
    business_calendar,
    business_seconds_between,
    parse_ranges,
    public_holidays,
)

PRAGUE = ZoneInfo("Europe/Prague")
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = 3600


def prague(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0):
    return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=PRAGUE)


OFFICE = business_calendar("08:00-17:00", time_zone="Europe/Prague")


# --- the worked examples of docs/sla.md -------------------------------------------------------------------------


def test_friday_afternoon_with_a_four_hour_target_is_due_on_monday_morning():
    due = add_business_seconds(OFFICE, prague(2026, 11, 27, 16, 55), 4 * HOUR)
    assert due == prague(2026, 11, 30, 11, 55)
    assert due.tzinfo == UTC


def test_a_monday_holiday_moves_it_to_tuesday():
    calendar = business_calendar("08:00-17:00", closed_dates=[dt.date(2026, 11, 30)])
    assert add_business_seconds(calendar, prague(2026, 11, 27, 16, 55), 4 * HOUR) == prague(2026, 12, 1, 11, 55)


def test_christmas_eve_afternoon_with_an_eight_hour_target_is_due_after_christmas():
    czech = public_holidays([2026, 2027])
    assert {dt.date(2026, 12, 24), dt.date(2026, 12, 25), dt.date(2026, 12, 26)} <= czech
    calendar = business_calendar("08:00-17:00", closed_dates=czech)
    # Thursday 24th, Friday 25th are holidays, Saturday 26th (a holiday too) and Sunday 27th a weekend.
    assert add_business_seconds(calendar, prague(2026, 12, 24, 15, 0), 8 * HOUR) == prague(2026, 12, 28, 16, 0)


def test_an_extra_working_day_opens_a_closed_date():
    calendar = Calendar(
        weekly=OFFICE.weekly,
        closed_dates=frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 28)}),
        working_dates=(WorkingDate(dt.date(2026, 12, 28), parse_ranges("09:00-12:00")),),
    )
    assert add_business_seconds(calendar, prague(2026, 12, 25, 10, 0), 4 * HOUR) == prague(2026, 12, 29, 9, 0)


def test_a_range_crossing_midnight_belongs_to_the_day_it_starts_on():
    night = Calendar(weekly=((), (), (), (), parse_ranges("22:00-02:00"), (), ()))
    friday, saturday = prague(2026, 11, 27, 0, 0), prague(2026, 11, 28, 0, 0)
    # Friday night runs into Saturday ...
    assert business_seconds_between(night, friday, saturday + dt.timedelta(days=1)) == 4 * HOUR
    assert add_business_seconds(night, friday, 3 * HOUR) == prague(2026, 11, 28, 1, 0)
    # ... and a holiday on the Friday closes the whole night, a holiday on the Saturday none of it.
    closed_friday = Calendar(weekly=night.weekly, closed_dates=frozenset({friday.date()}))
    closed_saturday = Calendar(weekly=night.weekly, closed_dates=frozenset({saturday.date()}))
    assert business_seconds_between(closed_friday, friday, saturday + dt.timedelta(days=1)) == 0
    assert business_seconds_between(closed_saturday, friday, saturday + dt.timedelta(days=1)) == 4 * HOUR


def test_spring_forward_night_loses_the_missing_hour():
    night = Calendar(weekly=(parse_ranges("00:00-24:00"),) * 7)
    assert business_seconds_between(night, prague(2026, 3, 29, 0, 0), prague(2026, 3, 30, 0, 0)) == 23 * HOUR
    early = Calendar(weekly=(parse_ranges("01:00-04:00"),) * 7)
    # 02:00-03:00 never happens on 29 March: 01:00-02:00 and 03:00-04:00 remain.
    assert business_seconds_between(early, prague(2026, 3, 29, 0, 0), prague(2026, 3, 30, 0, 0)) == 2 * HOUR
    assert add_business_seconds(early, prague(2026, 3, 29, 0, 0), 90 * 60) == prague(2026, 3, 29, 3, 30)


def test_fall_back_night_counts_the_repeated_hour_twice():
    whole = Calendar(weekly=(parse_ranges("00:00-24:00"),) * 7)
    assert business_seconds_between(whole, prague(2026, 10, 25, 0, 0), prague(2026, 10, 26, 0, 0)) == 25 * HOUR
    early = Calendar(weekly=(parse_ranges("02:00-03:00"),) * 7)
    start = prague(2026, 10, 25, 0, 0)
    assert business_seconds_between(early, start, prague(2026, 10, 26, 0, 0)) == 2 * HOUR
    # 02:00-03:00 CEST is 00:00-01:00 UTC, 02:00-03:00 CET is 01:00-02:00 UTC: back to back.
    assert add_business_seconds(early, start, 90 * 60) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_office_hours_are_untouched_by_the_switch():
    assert business_seconds_between(OFFICE, prague(2026, 3, 27, 12, 0), prague(2026, 3, 30, 12, 0)) == 9 * HOUR
    assert business_seconds_between(OFFICE, prague(2026, 10, 23, 12, 0), prague(2026, 10, 26, 12, 0)) == 9 * HOUR


def test_year_end():
    calendar = business_calendar("08:00-17:00", closed_dates=public_holidays([2026, 2027]))
    # Thursday 31 December 16:00; 1 January is a holiday, then the weekend.
    assert add_business_seconds(calendar, prague(2026, 12, 31, 16, 0), 2 * HOUR) == prague(2027, 1, 4, 9, 0)


# --- edge cases --------------------------------------------------------------------------------------------------


def test_start_outside_hours_waits_for_the_opening():
    assert add_business_seconds(OFFICE, prague(2026, 11, 28, 10, 0), HOUR) == prague(2026, 11, 30, 9, 0)
    assert add_business_seconds(OFFICE, prague(2026, 11, 30, 6, 0), HOUR) == prague(2026, 11, 30, 9, 0)


def test_a_target_that_ends_exactly_at_closing_is_due_at_closing():
    assert add_business_seconds(OFFICE, prague(2026, 11, 30, 8, 0), 9 * HOUR) == prague(2026, 11, 30, 17, 0)


def test_zero_target_is_due_at_the_start_even_outside_hours():
    saturday = prague(2026, 11, 28, 10, 0)
    assert add_business_seconds(OFFICE, saturday, 0) == saturday
    assert add_business_seconds(OFFICE, saturday, 0).tzinfo == UTC


def test_between_is_antisymmetric_and_counts_whole_seconds():
    start, end = prague(2026, 11, 30, 9, 0), prague(2026, 11, 30, 9, 0, 1, 500_000)
    assert business_seconds_between(OFFICE, start, end) == 1
    assert business_seconds_between(OFFICE, end, start) == -1
    assert business_seconds_between(OFFICE, start, start) == 0


def test_twenty_four_seven_is_plain_elapsed_time():
    start = prague(2026, 3, 28, 23, 0).astimezone(UTC)  # across the spring switch in Prague
    assert add_business_seconds(TWENTY_FOUR_SEVEN, start, 10 * HOUR) == start + dt.timedelta(hours=10)
    assert business_seconds_between(TWENTY_FOUR_SEVEN, start, start + dt.timedelta(days=400)) == 400 * 86_400


def test_any_input_zone_and_utc_out():
    new_york = prague(2026, 11, 27, 16, 55).astimezone(ZoneInfo("America/New_York"))
    due = add_business_seconds(OFFICE, new_york, 4 * HOUR)
    assert due == prague(2026, 11, 30, 11, 55)
    assert due.utcoffset() == dt.timedelta(0)


def test_refusals():
    with pytest.raises(ValueError):
        add_business_seconds(OFFICE, dt.datetime(2026, 11, 27, 12, 0), 60)  # naive
    with pytest.raises(ValueError):
        add_business_seconds(OFFICE, prague(2026, 11, 27, 12, 0), -1)
    with pytest.raises(ValueError):
        add_business_seconds(Calendar(weekly=((),) * 7), prague(2026, 11, 27, 12, 0), 60)
    with pytest.raises(ValueError):
        TimeRange.parse("24:00-02:00")
    with pytest.raises(ValueError):
        Calendar(weekly=((),) * 6)


def test_range_text():
    assert parse_ranges("22:00-02:00, 00:00-24:00") == (TimeRange(0, 86_400), TimeRange(79_200, 93_600))
    assert [str(r) for r in parse_ranges("07:00-12:00,22:00–02:00")] == ["07:00-12:00", "22:00-02:00"]


# --- the reference: minute by minute in UTC, asking the wall clock -----------------------------------------------


def hours_of(calendar: Calendar, day: dt.date) -> tuple[TimeRange, ...]:
    extra = [w.ranges for w in calendar.working_dates if w.day == day]
    if extra:
        return extra[0]
    return () if day in calendar.closed_dates else calendar.weekly[day.weekday()]


def in_service(calendar: Calendar, minute: dt.datetime) -> bool:
    local = minute.astimezone(ZoneInfo(calendar.time_zone)).replace(tzinfo=None)
    for day in (local.date(), local.date() - dt.timedelta(days=1)):
        since_midnight = (local - dt.datetime.combine(day, dt.time())).total_seconds()
        if any(r.start <= since_midnight < r.end for r in hours_of(calendar, day)):
            return True
    return False


def reference_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> int:
    minutes, moment = 0, start.astimezone(UTC)  # UTC: aware arithmetic in a local zone would follow the wall
    while moment < end:
        minutes += in_service(calendar, moment)
        moment += MINUTE
    return minutes * 60


def reference_add(calendar: Calendar, start: dt.datetime, seconds: int) -> dt.datetime:
    remaining, moment = seconds // 60, start.astimezone(UTC)
    while remaining:
        remaining -= in_service(calendar, moment)
        moment += MINUTE
    return moment


ZONES = ["Europe/Prague", "Europe/Prague", "America/New_York"]
ANCHORS = [  # UTC instants of both 2026 switches in both zones, and two year ends
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    dt.datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC),
    dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
]

ranges = st.builds(
    lambda start, length: TimeRange(start * 60, start * 60 + length * 60),
    st.integers(0, 24 * 60 - 1),
    st.integers(15, 24 * 60),
)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    weekly = tuple(
        tuple(sorted(draw(st.lists(ranges, min_size=0 if weekday >= 5 else 1, max_size=3)))) for weekday in range(7)
    )
    dates = st.dates(dt.date(2025, 12, 20), dt.date(2027, 1, 15))
    closed = frozenset(draw(st.lists(dates, max_size=8)))
    working = tuple(
        WorkingDate(day, tuple(sorted(draw(st.lists(ranges, min_size=1, max_size=2)))))
        for day in draw(st.lists(dates, max_size=3, unique=True))
    )
    return Calendar(weekly=weekly, time_zone=draw(st.sampled_from(ZONES)), closed_dates=closed, working_dates=working)


@st.composite
def starts(draw: st.DrawFn) -> dt.datetime:
    anchor = draw(st.sampled_from(ANCHORS))
    moment = anchor + draw(st.integers(-4 * 24 * 60, 4 * 24 * 60)) * MINUTE
    return moment.astimezone(draw(st.sampled_from([UTC, PRAGUE, dt.timezone(dt.timedelta(hours=-5))])))


def daily_service_minutes(calendar: Calendar) -> int:
    return sum(r.end - r.start for day in calendar.weekly for r in day) // 60 // 7


@settings(max_examples=200, deadline=None)
@given(calendars(), starts(), st.floats(0, 3))
def test_add_matches_the_reference(calendar, start, days):
    seconds = int(days * daily_service_minutes(calendar)) * 60
    assert add_business_seconds(calendar, start, seconds) == reference_add(calendar, start, seconds)


@settings(max_examples=200, deadline=None)
@given(calendars(), starts(), st.integers(0, 6 * 24 * 60))
def test_between_matches_the_reference(calendar, start, minutes):
    end = start + minutes * MINUTE
    assert business_seconds_between(calendar, start, end) == reference_between(calendar, start, end)


@settings(max_examples=500, deadline=None)
@given(calendars(), starts(), st.integers(0, 10 * 24 * 60))
def test_between_undoes_add(calendar, start, minutes):
    due = add_business_seconds(calendar, start, minutes * 60)
    assert business_seconds_between(calendar, start, due) == minutes * 60
    # Due is the first such instant: a minute earlier, less has passed.
    if minutes:
        assert business_seconds_between(calendar, start, due - MINUTE) < minutes * 60
