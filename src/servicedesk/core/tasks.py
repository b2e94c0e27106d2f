"""Periodic background work. The scheduler enqueues these; the task worker runs them."""

import socket

from django.utils import timezone
from django_tasks import task

from servicedesk.core.models import Heartbeat


@task()
def worker_heartbeat() -> str:
    """Proves that a worker takes tasks from the queue: /healthz reports the age of the last one."""
    now = timezone.now()
    Heartbeat.objects.update_or_create(component="worker", defaults={"beat_at": now, "host": socket.gethostname()})
    return now.isoformat()
