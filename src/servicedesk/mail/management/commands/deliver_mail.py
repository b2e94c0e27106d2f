"""`servicedesk deliver_mail`: send the outbox now, for operators (after an SMTP outage, or without a worker)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from servicedesk.mail import delivery

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Deliver due e-mails of the outbox over SMTP. Without --once, keeps delivering every few seconds until "
        "stopped. Safe beside running workers: e-mails are claimed, never sent twice by two senders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due now and exit.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between passes (default 10).")

    def handle(self, *args: Any, once: bool = False, interval: float = 10.0, **options: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if not once:
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
        while not stop.is_set():
            try:
                tally = delivery.deliver_due()
            except Exception:
                if once:
                    raise
                logger.exception("deliver_mail: pass failed; retrying")  # e.g. the database restarting
                stop.wait(interval)
                continue
            if tally.attempted or once:
                self.stdout.write(f"sent {tally.sent}, to be retried {tally.retried}, failed {tally.failed}")
            if once:
                break
            stop.wait(interval)
