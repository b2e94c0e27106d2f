"""Enqueues periodic tasks when they are due. State lives in core.Schedule, one row per periodic task: a run is
claimed by a compare-and-set UPDATE of next_due_at, so two schedulers (two machines, a restart overlapping the old
process) never enqueue the same run twice, and a restarted scheduler carries on where the last one stopped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import socket
from typing import Any

from django.db import transaction
from django.utils import timezone

from servicedesk.core import tasks
from servicedesk.core.models import Heartbeat, Schedule
from servicedesk.mail import tasks as mail_tasks
from servicedesk.notifications import tasks as notification_tasks
from servicedesk.sla import tasks as sla_tasks
from servicedesk.webhooks import tasks as webhook_tasks

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    task: Any  # a django_tasks Task


PERIODIC: tuple[Periodic, ...] = (
    # /healthz turns 503 when this stops arriving: it proves the scheduler and a worker are both alive.
    Periodic("worker_heartbeat", dt.timedelta(seconds=30), tasks.worker_heartbeat),
    Periodic("auto_close_resolved", dt.timedelta(minutes=10), tasks.auto_close_resolved),
    # Changes wake a worker themselves; this sweep sends retries whose backoff ran out and rows of dead workers.
    Periodic("deliver_webhooks", dt.timedelta(seconds=15), webhook_tasks.deliver_due_webhooks),
    # The outbox: new e-mails, retries whose backoff ran out, rows of dead workers (mail/delivery.py).
    Periodic("deliver_mail", dt.timedelta(seconds=10), mail_tasks.deliver_due_mail),
    # IMAP mailboxes: each is polled every poll_seconds; this only looks for due ones (mail/imap.py).
    Periodic("fetch_mail", dt.timedelta(seconds=15), mail_tasks.fetch_due_mail),
    # SLA warnings and breaches: a threshold fires within this long of being crossed (sla/sweep.py).
    Periodic("sweep_sla", dt.timedelta(seconds=30), sla_tasks.sweep_sla),
    # Notification e-mails whose wake-up was lost (notifications/tasks.py).
    Periodic("mail_notifications", dt.timedelta(seconds=60), notification_tasks.mail_pending_notifications),
)


def claim(periodic: Periodic, now: dt.datetime) -> bool:
    """Take the current run of `periodic` if it is due and nobody else took it. Schedules that are new start due."""
    schedule, _ = Schedule.objects.get_or_create(name=periodic.name, defaults={"next_due_at": now})
    if schedule.next_due_at > now:
        return False
    # After a long outage the next run is one interval from now, not a burst of missed runs.
    claimed = Schedule.objects.filter(name=periodic.name, next_due_at=schedule.next_due_at).update(
        next_due_at=now + periodic.every, last_enqueued_at=now
    )
    return claimed == 1


def run_due(now: dt.datetime | None = None, periodics: tuple[Periodic, ...] = PERIODIC) -> list[str]:
    """Enqueue every periodic task that is due; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for periodic in periodics:
        # One transaction: if the enqueue fails, the claim is undone and the next pass tries again.
        with transaction.atomic():
            if not claim(periodic, now):
                continue
            periodic.task.enqueue()
        enqueued.append(periodic.name)
        logger.info("scheduler: enqueued %s", periodic.name)
    return enqueued


def seconds_until_next_due(now: dt.datetime, ceiling: float) -> float:
    """How long the loop may sleep: until the earliest due schedule, at most `ceiling`."""
    names = [periodic.name for periodic in PERIODIC]
    due_times = list(Schedule.objects.filter(name__in=names).values_list("next_due_at", flat=True))
    if len(due_times) < len(names):  # a schedule not created yet is due now
        return 0.0
    return max(0.0, min(ceiling, (min(due_times) - now).total_seconds()))


def beat(now: dt.datetime | None = None) -> None:
    """The scheduler's own heartbeat, shown by /healthz."""
    Heartbeat.objects.update_or_create(
        component="scheduler", defaults={"beat_at": now or timezone.now(), "host": socket.gethostname()}
    )
