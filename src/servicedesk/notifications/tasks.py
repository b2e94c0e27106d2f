"""The e-mails beside in-app notifications, written after the change that caused them committed.

A Notification with `email_pending` is the durable record that a mail is owed: the worker locks a batch of them,
queues their mails in the outbox and clears the flag in the same transaction, so each mail is written exactly once
(a worker dying in between commits neither). The scheduler runs it periodically as well, for wake-ups lost."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django_tasks import task

from servicedesk.notifications.models import Notification

logger = logging.getLogger(__name__)
BATCH = 200


@task()
def mail_pending_notifications() -> int:
    sent = 0
    while True:
        count = _mail_batch()
        sent += count
        if count < BATCH:
            return sent


@transaction.atomic
def _mail_batch() -> int:
    from servicedesk.mail import outbound

    pending = Notification.objects.filter(email_pending=True).order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True, of=("self",))
    batch = list(pending.select_related("recipient", "ticket")[:BATCH])
    for notification in batch:
        agent = notification.recipient
        if notification.ticket is not None and agent.is_active and agent.email:
            outbound.queue(
                notification.ticket,
                key=notification.kind,
                to=outbound.user_recipient(agent),
                context={"title": notification.title},
            )
    Notification.objects.filter(pk__in=[n.pk for n in batch]).update(email_pending=False)
    return len(batch)


def wake_mailer() -> None:
    try:
        mail_pending_notifications.enqueue()
    except Exception:  # the periodic run picks it up; a notification's mail is delayed, never lost
        logger.exception("could not enqueue the notification mailer")
