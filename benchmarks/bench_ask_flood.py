"""/ask/ under a bot flood: 200 submissions a second without a valid captcha, for 10 seconds.

Starts gunicorn (2 sync workers) on a free loopback port with a fresh SQLite data folder in a temporary directory,
floods POST /ask/ from a second process (a bounded pool of threads, loopback only) with otherwise valid answers and
a wrong captcha, and meanwhile measures a desk page (/login/) from this process. Reports: every submission refused,
nothing created (tickets, contacts, consent records, e-mails, rate counters), and the desk page's p95 before and
during the flood.

    .venv/bin/python -m benchmarks.bench_ask_flood [--rate 200] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from benchmarks import common
from benchmarks.bench_pages import free_port, stop

WORKERS = 2
FLOOD_THREADS = 48  # at most this many bot requests in flight
DESK_INTERVAL = 0.05  # one desk request every 50 ms


def request(port: int, method: str, path: str, body: str | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": f"127.0.0.1:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def bot_submission(category: str, version: str, number: int) -> str:
    """Everything right but the captcha: an unknown key (the bot never fetched the form) and a guessed code."""
    return urlencode(
        {
            "lang": "cs",
            "category": category,
            "question": f"Buy cheap watches now! Offer number {number}.",
            "name": "Bot McBotface",
            "email": f"bot{number}@spam.example",
            "consent": "on",
            "consent_version": version,
            "captcha_0": secrets.token_hex(20),
            "captcha_1": "abcde",
            "website": "",
        }
    )


def flood(port: int, category: str, version: str, rate: int, seconds: float, results: multiprocessing.Queue) -> None:
    """The second process: `rate` submissions a second, on schedule, at most FLOOD_THREADS in flight."""
    statuses: Counter[int] = Counter()
    total = int(rate * seconds)

    def send(number: int) -> None:
        try:
            status, _page = request(port, "POST", "/ask/", bot_submission(category, version, number))
        except OSError:
            status = 0
        statuses[status] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=FLOOD_THREADS) as pool:
        for number in range(total):
            delay = started + number / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, number)
    results.put((dict(statuses), time.monotonic() - started))


def desk_latencies(port: int, seconds: float) -> list[float]:
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        began = time.perf_counter()
        status, _page = request(port, "GET", "/login/")
        samples.append((time.perf_counter() - began) * 1000)
        if status != 200:
            sys.exit(f"the desk page answered {status}")
        time.sleep(DESK_INTERVAL)
    return samples


def created_rows(database: Path) -> dict[str, int]:
    tables = ["tickets_ticket", "accounts_contact", "ask_consentrecord", "mail_outboundmessage", "ask_ratecounter"]
    with sqlite3.connect(database) as connection:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="bot submissions per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the flood")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="servicedesk-ask-flood-"))
    env = {**common.environment(), "SERVICEDESK_DATA_DIR": str(folder)}
    binaries = Path(sys.executable).parent
    server = None
    try:
        subprocess.run(
            [str(binaries / "servicedesk"), "migrate", "--noinput"], env=env, check=True, capture_output=True
        )
        port = free_port()
        log = folder / "gunicorn.log"
        command = [
            str(binaries / "gunicorn"),
            "servicedesk.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ]
        server = subprocess.Popen(command, env=env, cwd=common.ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                status, form = request(port, "GET", "/ask/")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    sys.exit(f"gunicorn did not start; see {log}")
                time.sleep(0.2)
        category = re.search(r'<option value="(\d+)"', form)
        version = re.search(r'name="consent_version" value="(\d+)"', form)
        if status != 200 or category is None or version is None:
            sys.exit(f"/ask/ answered {status} without a category or consent version")
        before_rows = created_rows(folder / "servicedesk.sqlite3")

        quiet = desk_latencies(port, 3)
        results: multiprocessing.Queue = multiprocessing.Queue()
        bots = multiprocessing.Process(
            target=flood, args=(port, category.group(1), version.group(1), args.rate, args.seconds, results)
        )
        bots.start()
        during = desk_latencies(port, args.seconds)
        statuses, elapsed = results.get(timeout=args.seconds + 120)
        bots.join()
        after_rows = created_rows(folder / "servicedesk.sqlite3")
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)

    sent = sum(statuses.values())
    refused = statuses.get(400, 0)
    created = {table: after_rows[table] - before_rows[table] for table in after_rows}
    print(
        f"bot submissions: {sent} in {elapsed:.1f} s ({sent / elapsed:.0f}/s),"
        f" statuses {dict(sorted(statuses.items()))}"
    )
    print(f"all refused (400): {'yes' if refused == sent else 'NO'}")
    print(f"rows created during the flood: {created} -> {'nothing' if not any(created.values()) else 'SOMETHING'}")
    print(common.describe("GET /login/ quiet", quiet))
    print(common.describe("GET /login/ during the flood", during))


if __name__ == "__main__":
    main()
