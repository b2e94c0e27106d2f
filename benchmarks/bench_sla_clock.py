"""How fast due times are computed: add_business_seconds on random starts and targets up to 10 business days.

    .venv/bin/python -m benchmarks.bench_sla_clock [-n 100000]

The calendar is Mon–Fri 08:00–17:00 Europe/Prague with the Czech public holidays of 2026–2028; starts are random
instants of 2026–2027 (in Prague time), targets random whole minutes up to 10 business days (90 hours). "Warm" reuses
one calendar, as a process does once it has computed a few deadlines; "fresh calendar" builds an equal Calendar for
every call, as code reading the calendar from the database each time would (the precomputation is shared by equal
calendars, so this adds the cost of building and hashing one). Pure Python, no Django, no database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

from servicedesk.sla.clock import Calendar, add_business_seconds, business_calendar, public_holidays

TARGET_PER_SECOND = 20_000
PRAGUE = ZoneInfo("Europe/Prague")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args()

    holidays = public_holidays([2026, 2027, 2028])
    calendar = business_calendar("08:00-17:00", time_zone="Europe/Prague", closed_dates=holidays)
    generator = random.Random(4)
    first = dt.datetime(2026, 1, 1, tzinfo=PRAGUE)
    cases = [
        (first + dt.timedelta(minutes=generator.randrange(2 * 365 * 24 * 60)), 60 * generator.randrange(1, 90 * 60 + 1))
        for _ in range(args.n)
    ]

    for start, seconds in cases[:2000]:  # the first calls of a process build the precomputed stretches
        add_business_seconds(calendar, start, seconds)
    began = time.perf_counter()
    for start, seconds in cases:
        add_business_seconds(calendar, start, seconds)
    warm = args.n / (time.perf_counter() - began)

    began = time.perf_counter()
    for start, seconds in cases:
        fresh = Calendar(weekly=calendar.weekly, time_zone=calendar.time_zone, closed_dates=holidays)
        add_business_seconds(fresh, start, seconds)
    fresh_rate = args.n / (time.perf_counter() - began)

    for label, rate in (("warm calendar", warm), ("fresh calendar", fresh_rate)):
        verdict = "ok" if rate >= TARGET_PER_SECOND else f"below the target of {TARGET_PER_SECOND:,}/s"
        print(f"add_business_seconds, {label}: {rate:,.0f} calls/s ({args.n:,} calls; {verdict})")


if __name__ == "__main__":
    main()
