"""Full-text search over the 100,000 benchmark tickets, as the desk's search box runs it.

    .venv/bin/python -m benchmarks.bench_search [-n 200]
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.bench_search

One search is what the queue page does with a query: `search.filter_tickets` over every ticket an agent sees,
newest change first, the count of matches (for the pager) and the first page of 50 rows with their relations.
The queries are 1–3 realistic words, a third of them with the last word cut short (a prefix).
"""

from __future__ import annotations

import argparse
import random
import time

from benchmarks import common, words

TARGET_P95_MS = 200
PAGE = 50


# The desk's default order (newest change first) and one without an index of its own.
ORDERS = {"newest change first": ("-updated_at", "-pk"), "by subject": ("subject", "pk")}


class _Agent:
    is_staff = True


AGENT = _Agent()


def search_page(query: str, order: tuple[str, str] = ORDERS["newest change first"]) -> tuple[int, int]:
    """The count of matches and the number of rows on the first page."""
    from servicedesk.tickets import search
    from servicedesk.tickets.models import Ticket

    tickets = search.filter_tickets(Ticket.objects.all(), query, user=AGENT)  # agents search notes too
    tickets = tickets.select_related("organization", "requester", "team", "assigned_to").order_by("-updated_at", "-pk")
    return tickets.count(), len(list(tickets[:PAGE]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--show", type=int, default=3, help="print the slowest searches")
    args = parser.parse_args()
    common.ensure_generated()
    common.setup_django()
    from django.db import connection

    rng = random.Random(11)
    queries = [words.query(rng) for _ in range(args.n)]
    for query in queries[:10]:  # warm the page cache as a running server's would be
        search_page(query)
    print(f"search on {connection.vendor}, {len(queries)} queries")
    for label, order in ORDERS.items():
        samples: list[float] = []
        results: list[tuple[float, str, int]] = []
        for query in queries:
            started = time.perf_counter()
            count, _rows = search_page(query, order)
            elapsed = (time.perf_counter() - started) * 1000
            samples.append(elapsed)
            results.append((elapsed, query, count))
        print("  " + common.describe(label, samples, TARGET_P95_MS))
        for elapsed, query, count in sorted(results, reverse=True)[: args.show]:
            print(f"    {elapsed:7.1f} ms  {count:>7,} matches  {query!r}")
    counts = sorted(count for _elapsed, _query, count in results)
    print(f"  matches per query: median {counts[len(counts) // 2]:,}, max {counts[-1]:,}, zero {counts.count(0)}")


if __name__ == "__main__":
    main()
