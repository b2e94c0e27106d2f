"""How fast mail comes in over IMAP: N messages fetched from a real Dovecot, stored, parsed and threaded.

    .venv/bin/python -m benchmarks.bench_mail_ingest [-n 2000]
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.bench_mail_ingest

A private Dovecot (tests/mail/dovecot.py) gets N generated messages APPENDed: N/2 new requests from N/2 senders,
then a reply of each sender threaded to their request by In-Reply-To (and a subject without the ticket number,
so only the header can thread it). Then one `mail.imap.poll()` is timed: fetching, storing (a batch of 100 in one
transaction), processing (parsing, opening the tickets with their acknowledgements, adding the replies; a batch in
one transaction, a savepoint per message), and moving every message to Processed. Afterwards the run checks that
every reply landed on its own request's ticket and that the folder is empty.
On SQLite the run uses a fresh database in benchmarks/out/sqlite-mail-ingest/; on PostgreSQL it adds its rows to
the benchmark database.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import email.policy
import pstats
import re
import shutil
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from benchmarks import common

TARGET_PER_SECOND = 200
BODY = ("Good morning, the printer on the second floor shows an error and prints nothing at all. " * 8).strip()


def fresh_sqlite() -> Path:
    folder = common.OUT / "sqlite-mail-ingest"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def generate(pairs: int, mailbox_address: str, run: str) -> list[bytes]:
    def build(index: int, reply: bool) -> bytes:
        mail = EmailMessage(policy=email.policy.SMTP)
        mail["From"] = f"Contact {index} <contact{index}.{run}@customer{index % 50}.example>"
        mail["To"] = mailbox_address
        mail["Subject"] = "Re: thanks, one more detail" if reply else f"Printer {index} does not print"
        mail["Message-ID"] = f"<{'reply' if reply else 'request'}-{index}.{run}@customer.example>"
        if reply:
            mail["In-Reply-To"] = f"<request-{index}.{run}@customer.example>"
            mail["References"] = f"<request-{index}.{run}@customer.example>"
        mail.set_content(("It is the one by the window." if reply else BODY) + "\n")
        return mail.as_bytes()

    return [build(index, False) for index in range(pairs)] + [build(index, True) for index in range(pairs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2_000, help="messages (half requests, half replies)")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the poll as well")
    args = parser.parse_args()
    pairs = args.n // 2
    sqlite = common.database_label() == "sqlite"
    common.setup_django(fresh_sqlite() if sqlite else None)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from tests.mail.dovecot import Dovecot

    call_command("migrate", verbosity=0)
    settings.MAIL_SENDER_RATE_LIMIT = ""  # a benchmark, not a flood: no sender is near a real limit anyway

    from servicedesk.mail import imap, ingest
    from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox

    spent = {"store": 0.0, "process": 0.0}
    # imap.fetch() stores each fetched batch in one transaction and processes it in another.
    timed_store, timed_process = ingest.store_many, ingest.process_many

    def store(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return timed_store(*args, **kwargs)
        finally:
            spent["store"] += time.perf_counter() - started

    def process(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return timed_process(*args, **kwargs)
        finally:
            spent["process"] += time.perf_counter() - started

    # Where the time goes: storing the raw bytes, processing (parse, thread, tickets), and the rest (IMAP).
    ingest.store_many, ingest.process_many = store, process  # type: ignore[assignment]

    run = uuid.uuid4().hex[:8]
    server = Dovecot()
    server.add_user("bench", "secret")
    server.start()
    try:
        mailbox = Mailbox.objects.create(
            name=f"Benchmark {run}",
            address=f"support-{run}@desk.example",
            protocol="imap",
            host=server.host,
            port=server.port,
            username="bench",
            password="secret",
        )
        messages = generate(pairs, mailbox.address, run)
        size = sum(len(raw) for raw in messages)
        server.append("bench", "secret", messages)

        profiler = cProfile.Profile() if args.profile else None
        statements: collections.Counter[str] = collections.Counter()

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            statements[re.sub(r"\s+", " ", sql)[:110]] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        with connection.execute_wrapper(count) if profiler is not None else contextlib.nullcontext():
            result = imap.poll(mailbox)
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
        left = server.uids("bench", "secret", "INBOX")
    finally:
        server.remove()

    rows = {
        row["message_id"]: row
        for row in InboundMessage.objects.filter(mailbox=mailbox).values("message_id", "status", "outcome", "ticket")
    }
    total = len(messages)
    rate = total / elapsed
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
        for sql, times in statements.most_common(30):
            print(f"{times:7d}  {sql}")
    print(f"mail ingest over IMAP on {connection.vendor}: {total} messages of {size / total / 1024:.1f} KB")
    print(
        f"  {elapsed:.2f} s, {rate:.0f} messages/s  target >= {TARGET_PER_SECOND}/s: "
        f"{'met' if rate >= TARGET_PER_SECOND else 'MISSED'}"
    )
    imap_seconds = elapsed - spent["store"] - spent["process"]
    print(
        f"  per message: storing {spent['store'] / total * 1000:.1f} ms, processing "
        f"{spent['process'] / total * 1000:.1f} ms, IMAP and the rest {imap_seconds / total * 1000:.1f} ms"
    )
    misthreaded = 0
    for index in range(pairs):
        request = rows.get(f"<request-{index}.{run}@customer.example>")
        reply = rows.get(f"<reply-{index}.{run}@customer.example>")
        if request is None or reply is None or request["ticket"] is None or reply["ticket"] != request["ticket"]:
            misthreaded += 1
    outcomes: dict[str, int] = {}
    for row in rows.values():
        key = f"{row['status']}/{row['outcome']}"
        outcomes[key] = outcomes.get(key, 0) + 1
    tickets = len({row["ticket"] for row in rows.values() if row["ticket"] is not None})
    print(f"  stored {len(rows)}, outcomes {outcomes}, tickets {tickets}, replies on the wrong ticket {misthreaded}")
    print(f"  left in INBOX {len(left)}, poll error: {result.error or 'none'}")
    processed = sum(1 for row in rows.values() if row["status"] == InboundStatus.PROCESSED)
    if result.error or left or len(rows) != total or misthreaded or processed != total or tickets != pairs:
        raise SystemExit("mail ingest was not complete and correct")


if __name__ == "__main__":
    main()
