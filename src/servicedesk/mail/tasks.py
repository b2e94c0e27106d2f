"""The mail task: the scheduler enqueues it every few seconds (core/scheduler.py); the worker runs it."""

from __future__ import annotations

from django_tasks import task

from servicedesk.mail import delivery, imap


@task()
def deliver_due_mail() -> int:
    """Send every due e-mail of the outbox; returns how many were sent. Safe to run several at once: rows are
    claimed with compare-and-set and leased to one worker."""
    return delivery.deliver_due().sent


@task()
def fetch_due_mail() -> int:
    """Poll every IMAP mailbox whose interval ran out; returns how many messages were fetched. Safe to run several
    at once: a poll is claimed with compare-and-set on Mailbox.next_poll_at (mail/imap.py)."""
    return imap.poll_due()
