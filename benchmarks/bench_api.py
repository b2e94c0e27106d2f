"""The REST API over real HTTP: opening tickets (`POST /api/v1/tickets/`) and the first page of the ticket list.

    .venv/bin/python -m benchmarks.bench_api [-n 3000] [--clients 8] [--reads 300]

Starts gunicorn (2 sync workers, as on a 2-core server) on a free loopback port against a copy of the generated
100,000-ticket database (benchmarks/out/sqlite-api/; on PostgreSQL the benchmark database itself), creates an API
token for the bench agent, and loads it from other processes on loopback:

- writes: `--clients` processes each send their share of `-n` ticket creations (JSON, Bearer token, one
  connection per request), as an integration would; the figure is tickets per second of wall time;
- concurrency: 8 simultaneous identical POSTs with one Idempotency-Key must create exactly one ticket;
- reads: `GET /api/v1/tickets/` (the first page of 50, newest first) `--reads` times one after another; p95 of
  connect-to-last-byte. Its SQL query count is measured in this process with Django's test client, for the
  generated database and again after the writes (a constant count: the same for 100,000 and 103,000 tickets).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import common, words
from benchmarks.bench_pages import free_port, start_gunicorn, stop

TARGET_POSTS_PER_SECOND = 400
TARGET_LIST_P95_MS = 50


def request(port: int, method: str, path: str, token: str, body: object = None, key: str = "") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": f"127.0.0.1:{port}", "Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def bodies(n: int, contacts: list[int], categories: list[int], seed: int) -> list[dict[str, object]]:
    import random

    rng = random.Random(seed)
    result = []
    for _ in range(n):
        about = words.topic(rng)
        body: dict[str, object] = {
            "subject": words.subject(rng, about),
            "description": words.paragraph(rng, 10, 60, about),
            "requester": rng.choice(contacts),
            "impact": rng.choice(["high", "medium", "low"]),
            "urgency": rng.choice(["high", "medium", "low"]),
        }
        if categories and rng.random() < 0.5:
            body["category"] = rng.choice(categories)
        result.append(body)
    return result


def post_worker(arguments: tuple[int, str, list[dict[str, object]]]) -> tuple[int, list[float]]:
    """One client process: send its tickets one after another; return failures and per-request times."""
    port, token, share = arguments
    failures, samples = 0, []
    for body in share:
        started = time.perf_counter()
        status, _answer = request(port, "POST", "/api/v1/tickets/", token, body)
        samples.append((time.perf_counter() - started) * 1000)
        failures += status != 201
    return failures, samples


def idempotent_worker(arguments: tuple[int, str, str]) -> int:
    port, token, key = arguments
    status, _answer = request(port, "POST", "/api/v1/tickets/", token, {"subject": f"Idempotent {key}"}, key)
    return status


def list_query_count(token: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/api/v1/tickets/")  # fills per-process caches; records the token's use
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tickets/")
    if response.status_code != 200:
        sys.exit(f"GET /api/v1/tickets/ answered {response.status_code} in process")
    connection.close()
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=3_000, help="tickets to open over the API")
    parser.add_argument("--clients", type=int, default=8, help="client processes sending at once")
    parser.add_argument("--reads", type=int, default=300, help="requests of the list's first page")
    args = parser.parse_args()

    common.ensure_generated()
    folder = common.copy_sqlite("sqlite-api") if common.database_label() == "sqlite" else None
    common.setup_django(folder)
    from django.db import connection

    from benchmarks.generate import AGENT_USERNAME
    from servicedesk.accounts.models import Contact, User
    from servicedesk.api import tokens
    from servicedesk.tickets.models import Category, Ticket

    agent = User.objects.get(username=AGENT_USERNAME)
    _token, secret = tokens.create_token(agent, "benchmark")
    contacts = list(Contact.objects.values_list("pk", flat=True)[:2_000])
    categories = list(Category.objects.filter(active=True).values_list("pk", flat=True))
    before = Ticket.objects.count()
    queries_before = list_query_count(secret)

    env = common.environment()
    if folder is not None:
        env["SERVICEDESK_DATA_DIR"] = str(folder)
    port = free_port()
    log = common.OUT / "gunicorn-api.log"
    server = start_gunicorn_with(port, log, env)
    try:
        for _ in range(10):  # warm both workers
            request(port, "GET", "/api/v1/tickets/", secret)
        reads = []
        for _ in range(args.reads):
            started = time.perf_counter()
            status, _body = request(port, "GET", "/api/v1/tickets/", secret)
            reads.append((time.perf_counter() - started) * 1000)
            if status != 200:
                sys.exit(f"GET /api/v1/tickets/ answered {status}; see {log}")

        all_bodies = bodies(args.n, contacts, categories, seed=11)
        shares = [(port, secret, all_bodies[index :: args.clients]) for index in range(args.clients)]
        with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
            pool.map(post_worker, [(port, secret, share[2][:5]) for share in shares])  # warm up: 5 each
            started = time.perf_counter()
            results = pool.map(post_worker, shares)
            elapsed = time.perf_counter() - started
            statuses = pool.map(idempotent_worker, [(port, secret, "bench-key")] * 8)
        wrk_before = Ticket.objects.count()
        wrk_report = run_wrk(port, secret, all_bodies[0]) if shutil.which("wrk") else None
        wrk_created = Ticket.objects.count() - wrk_before
    finally:
        stop(server)
    failures = sum(result[0] for result in results)
    post_samples = [sample for result in results for sample in result[1]]
    rate = len(post_samples) / elapsed
    duplicates = Ticket.objects.filter(subject="Idempotent bench-key").count()
    after = Ticket.objects.count()
    queries_after = list_query_count(secret)

    print(f"REST API over HTTP, gunicorn 2 workers, {connection.vendor}, {before:,} tickets before the writes")
    verdict = "met" if rate >= TARGET_POSTS_PER_SECOND and not failures else "MISSED"
    print(
        f"  POST /api/v1/tickets/  {len(post_samples):,} tickets from {args.clients} client processes in"
        f" {elapsed:.2f} s = {rate:,.0f} tickets/s (failures: {failures})"
        f"  target >= {TARGET_POSTS_PER_SECOND}/s: {verdict}"
    )
    print("  " + common.describe("POST latency", post_samples))
    print("  " + common.describe("GET /api/v1/tickets/", reads, TARGET_LIST_P95_MS))
    print(
        f"  SQL queries of the list's first page: {queries_before} at {before:,} tickets, {queries_after} at {after:,}"
    )
    print(f"  8 concurrent identical POSTs with one Idempotency-Key: statuses {sorted(statuses)}, tickets {duplicates}")
    if wrk_report is not None:
        rate_line = next(line for line in wrk_report.splitlines() if line.startswith("Requests/sec"))
        wrk_rate = float(rate_line.split()[-1])
        non_2xx = [line.strip() for line in wrk_report.splitlines() if "Non-2xx" in line]
        verdict = "met" if wrk_rate >= TARGET_POSTS_PER_SECOND and not non_2xx else "MISSED"
        print(
            f"  POST /api/v1/tickets/ with wrk (C load generator, 1 thread, 4 connections, {WRK_SECONDS} s):"
            f" {wrk_rate:,.0f} tickets/s, {wrk_created:,} tickets created, non-2xx: {non_2xx or 'none'}"
            f"  target >= {TARGET_POSTS_PER_SECOND}/s: {verdict}"
        )
        latency = [line.strip() for line in wrk_report.splitlines() if line.strip().startswith(("50%", "99%"))]
        print(f"  wrk latency: {', '.join(latency)}")


WRK_SECONDS = 10


def run_wrk(port: int, token: str, body: dict[str, object]) -> str:
    """The same POST from wrk: a load generator in C takes far less of the 2 cores than Python clients do, so
    the figure shows what the server can do. Loopback only, bounded by WRK_SECONDS."""
    script = common.OUT / "wrk-post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [[{json.dumps(body)}]]\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    command = ["wrk", "-t1", "-c4", f"-d{WRK_SECONDS}s", "--latency", "-s", str(script)]
    return subprocess.run(
        [*command, f"http://127.0.0.1:{port}/api/v1/tickets/"], capture_output=True, text=True, check=True
    ).stdout


def start_gunicorn_with(port: int, log: Path, env: dict[str, str]):  # type: ignore[no-untyped-def]
    """bench_pages' gunicorn, with this benchmark's data folder."""
    original = common.environment
    common.environment = lambda: env  # type: ignore[assignment]
    try:
        return start_gunicorn(port, log)
    finally:
        common.environment = original  # type: ignore[assignment]


if __name__ == "__main__":
    main()
