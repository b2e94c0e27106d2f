"""The webhook task: run by the worker when the scheduler's sweep is due and right after a change commits."""

from __future__ import annotations

import logging

from django_tasks import task

from servicedesk.webhooks import delivery

logger = logging.getLogger(__name__)


@task()
def deliver_due_webhooks() -> int:
    """Send due webhook deliveries. Safe to run several at once: rows are claimed with compare-and-set."""
    attempted = delivery.deliver_due()
    if attempted:
        logger.info("webhooks: attempted %d deliveries", attempted)
    return attempted
