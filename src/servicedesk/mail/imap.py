"""Fetching a mailbox over IMAP: every message is stored and processed (ingest.store_many, process_many, both
committed) before it is moved to the processed folder or flagged, so a crash or a dropped connection in between
only makes the next poll fetch it again, and storing is idempotent (same bytes → same row, and a processed row is
not processed again): nothing lost, nothing twice.

A poll is claimed with a compare-and-set UPDATE of Mailbox.next_poll_at, so two workers never poll one mailbox at
once. Errors end in Mailbox.last_error (shown on the mailbox page); they never crash the worker."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import ssl
from collections.abc import Iterable
from typing import Any

from django.db import close_old_connections, connection
from imapclient import IMAPClient

from servicedesk.lib import clock
from servicedesk.mail import ingest
from servicedesk.mail.models import Mailbox, MailboxProtocol, ProcessedAction

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60.0
BATCH = 100  # messages fetched per FETCH command, stored in one transaction and processed in another


@dataclasses.dataclass
class PollResult:
    fetched: int = 0
    error: str = ""


def connect(mailbox: Mailbox) -> IMAPClient:
    """A logged-in client; STARTTLS on plain IMAP when the server offers it."""
    context = ssl.create_default_context()
    if mailbox.protocol == MailboxProtocol.IMAPS:
        client = IMAPClient(
            mailbox.host, port=mailbox.port or 993, ssl=True, ssl_context=context, timeout=TIMEOUT_SECONDS
        )
    else:
        client = IMAPClient(mailbox.host, port=mailbox.port or 143, ssl=False, timeout=TIMEOUT_SECONDS)
        if b"STARTTLS" in client.capabilities():
            client.starttls(context)
    try:
        client.login(mailbox.username, mailbox.password)
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection is already gone; nothing to tidy up
        with contextlib.suppress(Exception):
            client.shutdown()


def message_count(mailbox: Mailbox) -> int:
    """For "test connection": logs in and counts the messages of the folder (raises on failure)."""
    client = connect(mailbox)
    try:
        status = client.folder_status(mailbox.folder, [b"MESSAGES"])
        return int(status[b"MESSAGES"])
    finally:
        _close(client)


def claim(mailbox: Mailbox, now: dt.datetime, *, force: bool = False) -> bool:
    """Take this mailbox's next poll unless another worker took it first (or, without force, it is not due)."""
    current = Mailbox.objects.filter(pk=mailbox.pk).values_list("next_poll_at", flat=True).first()
    if current is None or (not force and current > now):
        return False
    claimed = Mailbox.objects.filter(pk=mailbox.pk, next_poll_at=current).update(
        next_poll_at=now + dt.timedelta(seconds=mailbox.poll_seconds)
    )
    return claimed == 1


def due_mailboxes(now: dt.datetime) -> list[Mailbox]:
    return list(Mailbox.objects.filter(active=True, next_poll_at__lte=now).exclude(protocol=MailboxProtocol.NONE))


def poll_due(now: dt.datetime | None = None) -> int:
    """Poll every due IMAP mailbox this worker manages to claim; returns how many messages were fetched."""
    now = now or clock.now()
    fetched = 0
    for mailbox in due_mailboxes(now):
        if claim(mailbox, now):
            fetched += poll(mailbox).fetched
    return fetched


def poll(mailbox: Mailbox) -> PollResult:
    """One pass over the mailbox's folder (the caller claimed it). Never raises: errors go to last_error."""
    result = PollResult()
    try:
        client = connect(mailbox)
    except Exception as error:
        result.error = describe(error)
    else:
        try:
            result.fetched = fetch(client, mailbox)
        except Exception as error:
            result.error = describe(error)
        finally:
            _close(client)
    _record(mailbox, result)
    return result


def fetch(client: IMAPClient, mailbox: Mailbox) -> int:
    """Store and then move (or flag) every message waiting in the folder; returns how many were stored.

    Progress made before an error stays: stored messages are stored, moved ones moved."""
    selected = client.select_folder(mailbox.folder)
    uid_validity = int(selected[b"UIDVALIDITY"])
    if mailbox.uid_validity != uid_validity:
        # UIDs of the old generation mean nothing now. We remember no UIDs across polls (the folder itself says
        # what is left to do and receive() de-duplicates by content), so the whole folder is simply looked at again.
        if mailbox.uid_validity is not None:
            logger.warning("imap: UIDVALIDITY of %s changed (%s → %s)", mailbox, mailbox.uid_validity, uid_validity)
        Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=uid_validity)
        mailbox.uid_validity = uid_validity
    moving = mailbox.processed_action == ProcessedAction.MOVE and bool(mailbox.processed_folder)
    if moving and not client.folder_exists(mailbox.processed_folder):
        client.create_folder(mailbox.processed_folder)
    # BODY.PEEK: fetching does not set \Seen, so a message whose storing failed is still unseen next time.
    uids = sorted(client.search(["NOT", "DELETED"] if moving else ["UNSEEN", "NOT", "DELETED"]))
    stored = 0
    for start in range(0, len(uids), BATCH):
        fetched = [
            (uid, bytes(data[b"BODY[]"]))
            for uid, data in sorted(client.fetch(uids[start : start + BATCH], ["BODY.PEEK[]"]).items())
            if data.get(b"BODY[]") is not None  # None: expunged meanwhile by another client
        ]
        # The batch is stored in one commit, then processed in another (a savepoint per message): two commits per
        # batch instead of several per message.
        messages, error = ingest.store_many([raw for _uid, raw in fetched], mailbox=mailbox, source="imap")
        ingest.process_many(messages)
        # Only what is committed leaves the folder; after a storing error the rest stays for the next poll.
        done = [uid for uid, _raw in fetched[: len(messages)]]
        if done:
            _mark_processed(client, mailbox, done, moving)
        stored += len(done)
        if error is not None:
            raise error
    return stored


def _mark_processed(client: IMAPClient, mailbox: Mailbox, uids: list[int], moving: bool) -> None:
    if not moving:
        client.add_flags(uids, [b"\\Seen"])
        return
    if client.has_capability("MOVE"):
        client.move(uids, mailbox.processed_folder)
        return
    client.copy(uids, mailbox.processed_folder)
    client.delete_messages(uids)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()


def describe(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{error.__class__.__name__}: {text}"[:2000]


def _record(mailbox: Mailbox, result: PollResult) -> None:
    now = clock.now()
    if result.error:
        logger.warning("imap: polling %s failed: %s", mailbox, result.error)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=now, last_error=result.error)
    mailbox.last_polled_at, mailbox.last_error = now, result.error


# --- IDLE (servicedesk fetchmail --watch) ----------------------------------------------------------------------


def watch(mailbox: Mailbox, stop: Any, idle_seconds: float = 25 * 60) -> None:
    """Keep one connection in IDLE and fetch whenever the server reports new mail; without IDLE, poll every
    poll_seconds. `stop` is a threading.Event; errors are recorded and the connection is made again."""
    try:
        _watch(mailbox, stop, idle_seconds)
    finally:
        connection.close()  # this thread's own database connection


def _watch(mailbox: Mailbox, stop: Any, idle_seconds: float) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            client = connect(mailbox)
        except Exception as error:
            _record(mailbox, PollResult(error=describe(error)))
            stop.wait(mailbox.poll_seconds)
            continue
        try:
            _watch_connected(client, mailbox, stop, idle_seconds)
        except Exception as error:
            _record(mailbox, PollResult(error=describe(error)))
            stop.wait(min(mailbox.poll_seconds, 30))
        finally:
            _close(client)


def _watch_connected(client: IMAPClient, mailbox: Mailbox, stop: Any, idle_seconds: float) -> None:
    idle = client.has_capability("IDLE")
    while not stop.is_set():
        fetched = fetch(client, mailbox)
        _record(mailbox, PollResult(fetched=fetched))
        if not idle:
            stop.wait(mailbox.poll_seconds)
            client.noop()
            continue
        client.idle()
        try:
            waited = 0.0
            while not stop.is_set() and waited < idle_seconds:
                responses = client.idle_check(timeout=1)
                waited += 1
                if _has_exists(responses):
                    break
        finally:
            client.idle_done()


def _has_exists(responses: Iterable[Any]) -> bool:
    return any(isinstance(item, tuple) and len(item) > 1 and item[1] == b"EXISTS" for item in responses)
