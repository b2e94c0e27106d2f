"""How fast tickets are opened through `actions.open_ticket`, events and search index included.

    .venv/bin/python -m benchmarks.bench_open_ticket [-n 5000]

Each call is its own transaction (autocommit around it), as when the desk, e-mail or monitoring opens one.
On SQLite it runs on a copy of the generated database (benchmarks/out/sqlite-open/), so the 100,000 tickets
the other benchmarks read stay as generated; on PostgreSQL the tickets are added to the benchmark database.
"""

from __future__ import annotations

import argparse
import os
import random
import time

from benchmarks import common, words

TARGET_PER_SECOND = 1_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the calls instead")
    args = parser.parse_args()

    common.ensure_generated()
    common.setup_django(common.copy_sqlite("sqlite-open") if common.database_label() == "sqlite" else None)
    run(args.n, profile=args.profile)


def calls(n: int) -> list[dict[str, object]]:
    """The arguments of n realistic openings: an agent on behalf of a customer contact."""
    from servicedesk.accounts.models import Contact, User
    from servicedesk.tickets.models import Category

    rng = random.Random(7)
    agents = list(User.objects.filter(is_staff=True))
    contacts = list(Contact.objects.select_related("organization")[:2_000])
    categories = list(Category.objects.all())
    result = []
    for _ in range(n):
        contact = rng.choice(contacts)
        about = words.topic(rng)
        result.append(
            {
                "actor": rng.choice(agents),
                "subject": words.subject(rng, about),
                "description": words.paragraph(rng, 10, 60, about),
                "channel": rng.choice(["web", "email", "phone"]),
                "requester": contact,
                "organization": contact.organization,
                "category": rng.choice(categories) if rng.random() < 0.5 else None,
                "impact": rng.choice(["high", "medium", "low"]),
                "urgency": rng.choice(["high", "medium", "low"]),
                "tags": ["vip"] if rng.random() < 0.1 else [],
            }
        )
    return result


def run(n: int, *, profile: bool = False) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from servicedesk.tickets import actions

    arguments = calls(n + 50)
    for kwargs in arguments[:50]:  # warm up: caches, prepared statements, the page cache
        actions.open_ticket(**kwargs)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as queries:
        actions.open_ticket(**arguments[50])  # type: ignore[arg-type]
    timed = arguments[51:]
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for kwargs in timed:
            actions.open_ticket(**kwargs)  # type: ignore[arg-type]
        profiler.disable()
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(40)
        return
    samples = []
    started, cpu_started = time.perf_counter(), time.process_time()
    for kwargs in timed:
        call_started = time.perf_counter()
        actions.open_ticket(**kwargs)  # type: ignore[arg-type]
        samples.append((time.perf_counter() - call_started) * 1000)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = len(timed) / elapsed
    verdict = "met" if rate >= TARGET_PER_SECOND else "MISSED"
    print(f"open_ticket on {connection.vendor}: {len(timed):,} tickets in {elapsed:.2f} s = {rate:,.0f} tickets/s")
    print(f"  target >= {TARGET_PER_SECOND:,}/s: {verdict}; SQL queries per ticket: {len(queries)}")
    # CPU time of this process alone: what the figure would be on an idle machine if the disk kept up.
    per_ticket = cpu * 1000 / len(timed)
    print(f"  this process's CPU time: {per_ticket:.2f} ms per ticket = {len(timed) / cpu:,.0f} per CPU-second")
    print("  " + common.describe("per call", samples))
    for query in queries.captured_queries:
        print("    " + query["sql"][:150])


if __name__ == "__main__":
    main()
