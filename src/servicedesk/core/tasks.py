"""Periodic background work. The scheduler (core/scheduler.py) enqueues these; the task worker runs them."""

from __future__ import annotations

import datetime as dt
import logging
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from servicedesk.core.models import Heartbeat
from servicedesk.lib import clock
from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.states import IllegalTransition, State

logger = logging.getLogger(__name__)

AUTO_CLOSE_ACTOR = "auto-close"
# One run closes at most this many tickets; the next run takes the rest.
AUTO_CLOSE_BATCH = 500


@task()
def worker_heartbeat() -> str:
    """Proves that a worker takes tasks from the queue: /healthz reports the age of the last one."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(component="worker", defaults={"beat_at": now, "host": socket.gethostname()})
    return now.isoformat()


def _due_for_closing(cutoff: dt.datetime) -> list[int]:
    candidates = Ticket.objects.filter(state=State.RESOLVED, resolved_at__lte=cutoff).order_by("resolved_at")
    return list(candidates.values_list("pk", flat=True)[:AUTO_CLOSE_BATCH])


def _close_one(pk: int, cutoff: dt.datetime) -> bool:
    """Close one ticket if it is still resolved since before the cutoff (it may have been reopened or
    closed meanwhile, by a person or by another run of this task)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=pk, state=State.RESOLVED, resolved_at__lte=cutoff).first()
        if ticket is None:
            return False
        try:
            actions.transition(ticket, actor=None, to_state=State.CLOSED, actor_label=AUTO_CLOSE_ACTOR)
        except IllegalTransition:
            return False
    return True


@task()
def auto_close_resolved() -> int:
    """Close tickets resolved more than AUTO_CLOSE_DAYS days ago. Idempotent: safe to run twice or at once."""
    cutoff = clock.now() - dt.timedelta(days=settings.AUTO_CLOSE_DAYS)
    closed = sum(_close_one(pk, cutoff) for pk in _due_for_closing(cutoff))
    if closed:
        logger.info("auto-close: closed %d resolved tickets", closed)
    return closed
