"""`servicedesk smtpd`: receive mail over SMTP (from the world or a relay) or LMTP (from a local Postfix)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from servicedesk.mail.smtpd import ReceiverController


class Command(BaseCommand):
    help = (
        "Receive e-mail over SMTP (or LMTP with --lmtp) for the mailboxes' addresses and aliases. A message is "
        "acknowledged only after it is stored; unknown recipients are refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help="Address to listen on (default SMTPD_HOST).")
        parser.add_argument("--port", type=int, default=None, help="Port (default SMTPD_PORT, else 2525).")
        parser.add_argument("--lmtp", action="store_true", help="Speak LMTP (for Postfix's lmtp transport).")

    def handle(self, *args: Any, host: str | None, port: int | None, lmtp: bool, **options: Any) -> None:
        host = host or settings.SMTPD_HOST
        port = port or settings.SMTPD_PORT or 2525
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        controller = ReceiverController(host, port, lmtp=lmtp)
        controller.start()
        self.stdout.write(f"Receiving {'LMTP' if lmtp else 'SMTP'} on {host}:{port}")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
