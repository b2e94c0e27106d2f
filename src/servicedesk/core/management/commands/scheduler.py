"""`servicedesk scheduler`: the long-running loop that enqueues periodic tasks when they are due."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from servicedesk.core import scheduler

logger = logging.getLogger(__name__)

# The loop wakes at least this often, to write its heartbeat and to notice a stop signal.
MAX_SLEEP_SECONDS = 5.0


class Command(BaseCommand):
    help = "Enqueue periodic tasks (worker heartbeat, auto-close) when due. Several copies may run at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Make one pass and exit.")

    def handle(self, *args: Any, once: bool = False, **options: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write("scheduler started")
        while not stop.is_set():
            pause = self.tick()
            if once:
                break
            stop.wait(pause)
        self.stdout.write("scheduler stopped")

    def tick(self) -> float:
        """One pass; returns how long to sleep. A database hiccup is logged and retried, not fatal."""
        if not connection.in_atomic_block:  # (inside a test's transaction it would close the test's connection)
            close_old_connections()  # drop a connection the database closed (restart, failover) or too old
        try:
            now = timezone.now()
            scheduler.beat(now)
            scheduler.run_due(now)  # logs what it enqueues
            return scheduler.seconds_until_next_due(timezone.now(), MAX_SLEEP_SECONDS)
        except Exception:
            logger.exception("scheduler pass failed; retrying")
            return MAX_SLEEP_SECONDS
