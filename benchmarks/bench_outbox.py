"""How fast the outbox is delivered over SMTP: 2,000 queued e-mails sent to a local aiosmtpd server.

    .venv/bin/python -m benchmarks.bench_outbox [-n 2000] [--workers 2]
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.bench_outbox

The e-mails are written through Django's send_mail (text + HTML, about 5 KB each) into the outbox, then
`mail.delivery.deliver_due` runs in `--workers` processes at once, as task workers would, until every row is
sent; the time counted runs from starting the workers (their Django start-up included) to the last row sent.
The SMTP server runs in its own process and counts what it accepted and how many distinct Message-IDs it saw, so
the run also proves that concurrent workers sent each e-mail exactly once.
On SQLite the run uses a fresh database in benchmarks/out/sqlite-outbox/; on PostgreSQL it adds its rows to the
benchmark database and deletes them afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

from benchmarks import common

TARGET_PER_SECOND = 200
KIND = "benchmark"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountingHandler:
    """Accepts everything; remembers the Message-IDs."""

    def __init__(self) -> None:
        self.count = 0
        self.message_ids: set[str] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        self.message_ids.add(str(message_from_bytes(envelope.content)["Message-ID"]))
        return "250 Message accepted for delivery"


def serve(port: int) -> None:
    """The SMTP server process: runs until SIGTERM, then prints what it received as JSON."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    signal.signal(signal.SIGTERM, lambda *_: None)  # installed before "ready": pause() returns on SIGTERM
    print("ready", flush=True)
    signal.pause()
    controller.stop()
    print(json.dumps({"count": handler.count, "unique": len(handler.message_ids)}), flush=True)


def start_server(port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_outbox", "--serve", str(port)],
        cwd=common.ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        raise RuntimeError("the SMTP server did not start")
    return server


def stop_server(server: subprocess.Popen[str]) -> dict[str, int]:
    server.send_signal(signal.SIGTERM)
    output, _ = server.communicate(timeout=30)
    return json.loads(output.strip().splitlines()[-1])


def fresh_sqlite() -> Path:
    folder = common.OUT / "sqlite-outbox"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def queue(n: int) -> None:
    from django.core.mail import EmailMultiAlternatives

    from servicedesk.mail.models import OutboundMessage

    OutboundMessage.objects.filter(kind=KIND).delete()
    text = ("We have received your request and a technician will contact you shortly. " * 30).strip()
    html = f"<p>{text}</p>"
    for index in range(n):
        email = EmailMultiAlternatives(
            f"[#{100000 + index}] Printer on the second floor does not print",
            text,
            "Servicedesk <desk@servicedesk.example>",
            [f"contact{index}@customer.example"],
            headers={"X-Servicedesk-Kind": KIND},
        )
        email.attach_alternative(html, "text/html")
        email.send()


def worker() -> None:
    """One delivering process (spawned by `run`): sends until nothing is due."""
    from servicedesk.mail import delivery

    while delivery.deliver_due().attempted:
        pass


def run(n: int, workers: int, port: int) -> None:
    from django.db import connection
    from django.db.models import Count

    from servicedesk.mail.models import OutboundMessage

    queue(n)
    size = sum(len(bytes(raw)) for raw in OutboundMessage.objects.filter(kind=KIND).values_list("raw", flat=True))
    connection.close()
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "MAIL_BATCH_SIZE": "100"}
    server = start_server(port)
    try:
        started = time.perf_counter()
        processes = [
            subprocess.Popen([sys.executable, "-m", "benchmarks.bench_outbox", "--worker"], cwd=common.ROOT, env=env)
            for _ in range(workers)
        ]
        for process in processes:
            if process.wait() != 0:
                raise RuntimeError("a worker failed")
        elapsed = time.perf_counter() - started
    finally:
        received = stop_server(server)
    counts = OutboundMessage.objects.filter(kind=KIND).values("status").annotate(rows=Count("id"))
    statuses = {"pending": 0, "sent": 0, "failed": 0} | {row["status"]: row["rows"] for row in counts}
    rate = n / elapsed
    print(f"outbox delivery on {connection.vendor}, {n} e-mails of {size / n / 1024:.1f} KB, {workers} worker(s)")
    print(
        f"  {elapsed:.2f} s, {rate:.0f} e-mails/s  target >= {TARGET_PER_SECOND}/s: "
        f"{'met' if rate >= TARGET_PER_SECOND else 'MISSED'}"
    )
    print(f"  rows: {statuses}; server accepted {received['count']}, distinct Message-IDs {received['unique']}")
    if received["count"] != n or received["unique"] != n or statuses["sent"] != n:
        raise SystemExit("delivery was not exactly once")
    if connection.vendor != "sqlite":
        OutboundMessage.objects.filter(kind=KIND).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.worker:
        import django

        django.setup()  # the parent prepared the environment
        worker()
        return
    sqlite = common.database_label() == "sqlite"
    common.setup_django(fresh_sqlite() if sqlite else None)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(args.n, args.workers, free_port())


if __name__ == "__main__":
    main()
