"""The mail task: the scheduler enqueues it every few seconds (core/scheduler.py); the worker runs it."""

from __future__ import annotations

from django_tasks import task

from servicedesk.mail import delivery


@task()
def deliver_due_mail() -> int:
    """Send every due e-mail of the outbox; returns how many were sent. Safe to run several at once: rows are
    claimed with compare-and-set and leased to one worker."""
    return delivery.deliver_due().sent
