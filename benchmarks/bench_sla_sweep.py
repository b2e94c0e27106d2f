"""How long one SLA sweep takes when 1,000 of 100,000 open tickets cross a warning threshold or their deadline.

    .venv/bin/python -m benchmarks.bench_sla_sweep [--due 1000]
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.bench_sla_sweep   (not supported: SQLite only)

Runs on a fresh copy of the 100,000-ticket SQLite database (benchmarks/out/sqlite-sla-sweep/), so the tickets the
other benchmarks read stay as generated. The generated tickets carry no SLA fields; the copy gets them:
a "Mon–Fri 8:00–17:00" calendar (Czech holidays), a published plan (P1 1 h/4 h around the clock, P2–P4 in business
hours, warnings at 75 % and 90 %, the default actions: notify the agent and the team, at a breach the managers too),
a contract per organization, and every ticket open and measured. `--due` tickets (spread over the table, a third
each at the 75 % warning, the 90 % warning and the deadline, half on the reaction timer and half on the resolution
timer) have `sla_next_check_at` at or before the sweep instant, the others a day after it. Then one `sweep(now)` is
timed: it must fire exactly one level per due ticket (checked), in less than a second.

The SLA configuration is loaded (and the calendar precomputed) while preparing, as in a worker that has swept before.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import time
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import common

TARGET_SECONDS = 1.0
NOW = dt.datetime(2027, 3, 10, 13, 30, tzinfo=ZoneInfo("Europe/Prague"))  # a Wednesday afternoon
FRACTIONS = (0.80, 0.95, 1.10)  # of the target: past the 75 % warning, the 90 % warning, the deadline
LATER = dt.timedelta(days=1)


def prepare(due: int) -> int:
    """SLA terms for every ticket of the copy; `due` of them cross a level at NOW. Returns the number of tickets."""
    from django.db import transaction

    from servicedesk.accounts.models import Organization
    from servicedesk.sla import clock, config, timers
    from servicedesk.sla.models import Contract, ServiceCalendar, SlaPlan, SlaTarget
    from servicedesk.tickets.models import Ticket

    with transaction.atomic():
        business = ServiceCalendar.objects.create(
            name="Bench business hours",
            **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "08:00-17:00"),
        )
        always = ServiceCalendar.objects.create(
            name="Bench 24x7",
            holiday_country="",
            **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), "00:00-24:00"),
            saturday="00:00-24:00",
            sunday="00:00-24:00",
        )
        plan = SlaPlan.objects.create(name="Bench standard", is_default=True)
        for priority, reaction, resolution, calendar in (
            (1, 60, 240, always),
            (2, 120, 480, business),
            (3, 240, 960, business),
            (4, 480, 2400, business),
        ):
            SlaTarget.objects.create(
                plan=plan,
                priority=priority,
                reaction_minutes=reaction,
                reaction_calendar=calendar,
                resolution_minutes=resolution,
                resolution_calendar=calendar,
            )
        version = plan.publish()
        contract_of = {
            organization_id: Contract.objects.create(
                organization_id=organization_id,
                name=f"Bench {organization_id}",
                plan=plan,
                valid_from=dt.date(2020, 1, 1),
            ).pk
            for organization_id in Organization.objects.values_list("pk", flat=True)
        }
        config.forget()

        # Everyone open and measured, nothing due before tomorrow.
        total = Ticket.objects.update(
            state="in_progress",
            resolved_at=None,
            closed_at=None,
            sla_plan=version,
            reaction_due_at=NOW + LATER,
            reacted_at=None,
            reaction_breached=False,
            reaction_level=0,
            resolution_due_at=NOW + LATER,
            resolution_breached=False,
            resolution_level=0,
            paused_seconds=0,
            sla_paused_since=None,
            sla_next_check_at=NOW + LATER,
        )
        for organization_id, contract_id in contract_of.items():
            Ticket.objects.filter(organization_id=organization_id).update(contract_id=contract_id)

        ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
        step = max(1, len(ids) // due)
        chosen = Ticket.objects.filter(pk__in=ids[::step][:due]).only("pk", "priority", "created_at", "reacted_at")
        rows = []
        for index, ticket in enumerate(chosen.order_by("pk")):
            terms = config.terms(version.pk, ticket.priority)
            assert terms is not None and terms.reaction is not None and terms.resolution is not None
            on_reaction = index % 2 == 0
            target = terms.reaction if on_reaction else terms.resolution
            elapsed = int(target.seconds * FRACTIONS[index // 2 % len(FRACTIONS)])
            ticket.created_at = _start_before(target.calendar, NOW, elapsed, clock)
            ticket.reacted_at = None if on_reaction else ticket.created_at + dt.timedelta(minutes=5)
            ticket.reaction_due_at = timers.due(terms.reaction, ticket.created_at)
            ticket.resolution_due_at = timers.due(terms.resolution, ticket.created_at)
            reaction = timers.crossed_level(terms, terms.reaction, ticket.created_at, NOW) if on_reaction else 0
            resolution = timers.crossed_level(terms, terms.resolution, ticket.created_at, NOW)
            # The levels before the one to cross are fired already: the sweep fires exactly one per ticket.
            ticket.reaction_level = max(0, reaction - 1) if on_reaction else 0
            ticket.resolution_level = resolution if on_reaction else resolution - 1
            assert (reaction if on_reaction else resolution) >= 1, (ticket.pk, elapsed)
            crossed_target = terms.reaction if on_reaction else terms.resolution
            crossed_level = reaction if on_reaction else resolution
            ticket.sla_next_check_at = timers.level_instant(terms, crossed_target, ticket.created_at, crossed_level)
            assert ticket.sla_next_check_at <= NOW
            rows.append(ticket)
        Ticket.objects.bulk_update(
            rows,
            [
                "created_at",
                "reacted_at",
                "reaction_due_at",
                "resolution_due_at",
                "reaction_level",
                "resolution_level",
                "sla_next_check_at",
            ],
            batch_size=500,
        )
    assert Ticket.objects.filter(sla_next_check_at__lte=NOW).count() == due
    return total


def _start_before(calendar: object, end: dt.datetime, seconds: int, clock: object) -> dt.datetime:
    """The latest whole-second start from which `seconds` of service time have passed by `end` (bisection)."""
    low, high = end - dt.timedelta(days=60), end
    while (high - low) > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if clock.business_seconds_between(calendar, middle, end) >= seconds:  # type: ignore[attr-defined]
            low = middle
        else:
            high = middle
    return low.replace(microsecond=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="print where the sweep spends its time")
    parser.add_argument(
        "--without-mail",
        action="store_true",
        help="diagnosis: skip the e-mails beside the notifications, to see the sweep's own share",
    )
    args = parser.parse_args()
    if common.database_label() != "sqlite":
        print("bench_sla_sweep: SQLite only (it rewrites a copy of the database); skipped")
        return

    common.ensure_generated()
    folder = common.copy_sqlite("sqlite-sla-sweep")
    common.setup_django(folder)

    from django.db import connection

    from servicedesk.notifications.models import Notification
    from servicedesk.sla.sweep import sweep

    if args.without_mail:
        from servicedesk.mail import notify as mail_notify

        mail_notify.mail_notified_agents = lambda *args, **kwargs: None  # type: ignore[assignment]

    began = time.perf_counter()
    total = prepare(args.due)
    print(f"prepared {total:,} open tickets, {args.due:,} due, in {time.perf_counter() - began:.1f} s")

    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(count):
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = sweep(NOW)
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - began

    fired = result.warnings + result.breaches
    assert result.tickets == args.due and fired == args.due, result
    verdict = "met" if elapsed < TARGET_SECONDS else "MISSED"
    label = "sweep (e-mails skipped)" if args.without_mail else "sweep"
    print(
        f"{label}: {elapsed * 1000:,.0f} ms for {result.tickets:,} due tickets of {total:,}"
        f" ({result.warnings:,} warnings, {result.breaches:,} breaches, {Notification.objects.count():,} notifications,"
        f" {statements:,} SQL statements); target < {TARGET_SECONDS:.0f} s: {verdict}"
    )
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
