"""`servicedesk fetchmail`: fetch the IMAP mailboxes now, or with --watch keep a connection to each in IDLE and
fetch as soon as the server reports new mail (polling every poll_seconds where the server has no IDLE)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from servicedesk.mail import imap
from servicedesk.mail.models import Mailbox, MailboxProtocol


class Command(BaseCommand):
    help = (
        "Fetch new mail from every active IMAP mailbox once; with --watch, stay connected (IMAP IDLE) and fetch "
        "whenever mail arrives. Safe beside the periodic fetching of the workers: messages are stored once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", action="store_true", help="Keep running; IDLE where the server offers it.")

    def handle(self, *args: Any, watch: bool = False, **options: Any) -> None:
        mailboxes = list(Mailbox.objects.filter(active=True).exclude(protocol=MailboxProtocol.NONE))
        if not watch:
            for mailbox in mailboxes:
                result = imap.poll(mailbox)
                if result.error:
                    self.stderr.write(f"{mailbox.name}: {result.error}")
                else:
                    self.stdout.write(f"{mailbox.name}: {result.fetched} fetched")
            return
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        threads = [
            threading.Thread(target=imap.watch, args=(mailbox, stop), name=f"imap-{mailbox.pk}", daemon=True)
            for mailbox in mailboxes
        ]
        for thread in threads:
            thread.start()
        self.stdout.write(f"Watching {len(threads)} mailbox(es); Ctrl-C stops.")
        self.stdout.flush()
        stop.wait()
        for thread in threads:
            thread.join(timeout=5)
