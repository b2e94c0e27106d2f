"""Delivering the outbox over SMTP: claim due rows with a compare-and-set UPDATE, send their stored bytes over one
SMTP connection per batch, record each outcome the moment the server answered.

Claims. A batch is claimed by one UPDATE that sets a fresh claim token and a lease (`claimed_until`) on rows that
are still pending, due and not leased to someone else; two workers therefore never hold the same row. Right
before each row is sent its lease is renewed under the token, which also counts the attempt: a worker that fell
so far behind that its lease ran out (and another worker took the row) finds out there and leaves the row alone.
A worker that dies leaves its rows leased; when the lease runs out they are due again: mail is delayed, never lost.

Outcomes. Accepted (by at least one recipient) → `sent`, written row by row straight after the server's answer,
unconditionally on the token, so a slow worker's late success still stops any retry. A 4xx answer, a refused
connection or a dropped one → retry after MAIL_BACKOFF_BASE × 2^(n-1) seconds (capped); a 5xx answer for every
recipient, an address that cannot be encoded, or MAIL_MAX_ATTEMPTS attempts → `failed` with the error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import re
import smtplib
import uuid
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import sanitize_address
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from servicedesk.mail.models import OutboundMessage, OutboundStatus

logger = logging.getLogger(__name__)

GAVE_UP_UNREPORTED = "The worker making the last attempt stopped before it reported the outcome."


@dataclasses.dataclass
class Tally:
    """What one call did, for logs and the operator's command."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed

    def add(self, other: Tally) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


class TemporaryFailure(Exception):
    """The server or the network said "not now": try again after the backoff."""


class PermanentFailure(Exception):
    """The server will never accept this e-mail as it is."""


class ConnectionLost(TemporaryFailure):
    """The connection is unusable: the rest of the batch waits for the next one."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MAIL_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt (1-based): 30 s, 1 min, 2 min, … at most MAIL_BACKOFF_MAX."""
    return dt.timedelta(seconds=min(settings.MAIL_BACKOFF_MAX, settings.MAIL_BACKOFF_BASE * 2 ** (attempts - 1)))


def due(now: dt.datetime) -> QuerySet[OutboundMessage]:
    unleased = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    # A ticket mail not composed yet (compose set) has no bytes to send: compose_pending() renders it first.
    return OutboundMessage.objects.filter(
        unleased, status=OutboundStatus.PENDING, next_attempt_at__lte=now, compose__isnull=True
    )


def give_up_abandoned(now: dt.datetime) -> int:
    """Rows whose last allowed attempt never reported back (its worker died): failed, rather than one attempt more."""
    abandoned = due(now).filter(attempts__gte=settings.MAIL_MAX_ATTEMPTS)
    return abandoned.update(
        status=OutboundStatus.FAILED, last_error=GAVE_UP_UNREPORTED, claimed_until=None, claim_token=None
    )


def claim_batch(now: dt.datetime, limit: int | None = None) -> tuple[uuid.UUID, list[OutboundMessage]]:
    """Lease up to `limit` due rows to a new token; returns the token and the rows this call really got."""
    return take(candidates(now, limit), now)


def candidates(now: dt.datetime, limit: int | None = None) -> list[int]:
    rows = due(now).order_by("next_attempt_at", "id").values_list("pk", flat=True)
    return list(rows[: limit or settings.MAIL_BATCH_SIZE])


def take(pks: list[int], now: dt.datetime) -> tuple[uuid.UUID, list[OutboundMessage]]:
    """The compare-and-set: the due conditions are checked again by the UPDATE itself, so of two workers that read
    the same candidates each row goes to exactly one (PostgreSQL re-checks them after waiting for the row lock)."""
    token = uuid.uuid4()
    if not pks or not due(now).filter(pk__in=pks).update(claim_token=token, claimed_until=now + lease()):
        return token, []
    mine = OutboundMessage.objects.filter(pk__in=pks, claim_token=token)  # by pk: claim_token has no index
    return token, list(mine.order_by("next_attempt_at", "id"))


def begin_attempt(message: OutboundMessage, token: uuid.UUID) -> bool:
    """Renew the lease for one send and count the attempt; False when the row is no longer ours."""
    now = timezone.now()
    ours = OutboundMessage.objects.filter(pk=message.pk, claim_token=token, status=OutboundStatus.PENDING)
    if not ours.update(claimed_until=now + lease(), attempts=F("attempts") + 1):
        return False
    message.attempts += 1
    return True


def record_sent(message: OutboundMessage, note: str = "") -> None:
    # Not conditional on the token: the server has the e-mail, so no worker may send it again.
    OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.PENDING).update(
        status=OutboundStatus.SENT, sent_at=timezone.now(), last_error=note, claimed_until=None, claim_token=None
    )


def record_failure(message: OutboundMessage, token: uuid.UUID, error: str, *, permanent: bool) -> bool:
    """Retry later or give up; returns True when given up. Written only while the row is still ours."""
    now = timezone.now()
    gave_up = permanent or message.attempts >= settings.MAIL_MAX_ATTEMPTS
    outcome: dict[str, object] = {"last_error": error[:2000], "claimed_until": None, "claim_token": None}
    if gave_up:
        outcome["status"] = OutboundStatus.FAILED
    else:
        outcome["next_attempt_at"] = now + backoff(message.attempts)
    written = OutboundMessage.objects.filter(pk=message.pk, claim_token=token, status=OutboundStatus.PENDING)
    if not written.update(**outcome):
        logger.warning("mail: outcome of message %s arrived after its lease ran out", message.pk)
    return gave_up


def release(messages: Iterable[OutboundMessage], token: uuid.UUID) -> None:
    """Hand back rows this batch did not get to: due again at once, no attempt counted."""
    pks = [message.pk for message in messages]
    OutboundMessage.objects.filter(pk__in=pks, claim_token=token).update(claimed_until=None, claim_token=None)


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    return f"{type(exc).__name__}: {exc}"


@functools.lru_cache(maxsize=4096)
def envelope_address(address: str) -> str:
    """An address as Django's SMTP backend puts it in the envelope (IDN domains to punycode). Cached: parsing
    costs about half a millisecond, and a desk writes to the same few hundred people over and over."""
    return sanitize_address(address, "utf-8")


def envelope(message: OutboundMessage) -> tuple[str, list[str]]:
    sender = envelope_address(parseaddr(message.from_email)[1] or message.from_email)
    return sender, [envelope_address(address) for address in [*message.to, *message.cc]]


def wire_format(raw: bytes) -> bytes:
    """SMTP lines end in CRLF. smtplib converts line endings only of str messages, and Django's message bytes end
    lines in LF: sent as they are, a server reads the whole e-mail as one line (and refuses it: "Line too long")."""
    return re.sub(rb"\r?\n", b"\r\n", raw)


def transmit(connection: smtplib.SMTP, message: OutboundMessage) -> str:
    """Send one e-mail; returns a note on refused recipients when only some were refused. Raises one of the
    failures above, classified by the server's reply code."""
    try:
        sender, recipients = envelope(message)
    except ValueError as exc:
        raise PermanentFailure(f"Invalid address: {exc}") from exc
    if not recipients:
        raise PermanentFailure("No recipients.")
    try:
        refused = connection.sendmail(sender, recipients, wire_format(bytes(message.raw)))
    except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
        errors = "; ".join(f"{address}: {describe_reply(reply)}" for address, reply in exc.recipients.items())
        if all(500 <= reply[0] < 600 for reply in exc.recipients.values()):
            raise PermanentFailure(errors) from exc
        raise TemporaryFailure(errors) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise ConnectionLost(describe(exc)) from exc
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, …
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(describe(exc)) from exc
        if exc.smtp_code == 421:  # "closing the connection": the rest of the batch waits for the next one
            raise ConnectionLost(describe(exc)) from exc
        raise TemporaryFailure(describe(exc)) from exc
    except (smtplib.SMTPNotSupportedError, UnicodeError) as exc:  # e.g. an address the server cannot take
        raise PermanentFailure(describe(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:  # timeouts, resets: the connection is gone
        raise ConnectionLost(describe(exc)) from exc
    return "; ".join(f"Refused {address}: {describe_reply(reply)}" for address, reply in refused.items())


def describe_reply(reply: tuple[int, bytes]) -> str:
    code, text = reply
    return f"{code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"


def send_batch(token: uuid.UUID, messages: list[OutboundMessage]) -> Tally:
    """Send claimed rows over one connection; every row leaves with an outcome or released."""
    tally = Tally()
    backend = EmailBackend(fail_silently=False)  # Django's reading of EMAIL_HOST, _PORT, _USE_TLS, _USE_SSL, …
    try:
        backend.open()
    except (OSError, smtplib.SMTPException) as exc:  # refused, unreachable, TLS or login failed: try later
        error = f"Could not connect to {backend.host}:{backend.port}: {describe(exc)}"
        for message in messages:
            if begin_attempt(message, token):
                gave_up = record_failure(message, token, error, permanent=False)
                tally.failed += gave_up
                tally.retried += not gave_up
        return tally
    assert backend.connection is not None
    try:
        for index, message in enumerate(messages):
            if not begin_attempt(message, token):
                continue
            try:
                note = transmit(backend.connection, message)
            except PermanentFailure as exc:
                record_failure(message, token, str(exc), permanent=True)
                tally.failed += 1
            except TemporaryFailure as exc:
                gave_up = record_failure(message, token, str(exc), permanent=False)
                tally.failed += gave_up
                tally.retried += not gave_up
                if isinstance(exc, ConnectionLost):
                    release(messages[index + 1 :], token)
                    break
            else:
                record_sent(message, note)
                tally.sent += 1
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            backend.close()  # the e-mails are recorded; a failed QUIT changes nothing
    return tally


def deliver_batch(now: dt.datetime | None = None, limit: int | None = None) -> Tally:
    """Claim and send one batch of due e-mails."""
    now = now or timezone.now()
    give_up_abandoned(now)
    from servicedesk.mail.outbound import compose_pending

    compose_pending()  # ticket mails are rendered here, just before they are sent, not inside the change
    token, messages = claim_batch(now, limit)
    return send_batch(token, messages) if messages else Tally()


def deliver_due(max_batches: int = 50) -> Tally:
    """Send batches until nothing is due (or `max_batches`, so one run cannot hold a worker forever)."""
    total = Tally()
    for _ in range(max_batches):
        batch = deliver_batch()
        total.add(batch)
        # Nothing left, or nothing but "try later" (the server is down or busy): the next run carries on.
        if batch.attempted == batch.retried:
            break
    if total.attempted:
        logger.info("mail: sent %d, retrying %d, failed %d", total.sent, total.retried, total.failed)
    return total
