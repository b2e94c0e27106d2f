"""The intake: ticket history events become Delivery rows in the same transaction as the ticket change.

`record()` runs on every ticket event, so the active subscriptions are cached briefly (see _cache):
with none, an event costs nothing. The payload is a snapshot of the ticket as it is at the moment of the event
(an action that writes several events, e.g. escalate-and-assign, produces several deliveries in order)."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from servicedesk.lib.memo import TimedMemo
from servicedesk.tickets.models import Article, ArticleKind, EventKind
from servicedesk.webhooks import events
from servicedesk.webhooks.models import Delivery, Subscription

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket, TicketEvent

# History events whose note field is internal (escalation reasons): sent only to subscriptions marked internal.
INTERNAL_KINDS = frozenset({EventKind.NOTE_ADDED})


# record() runs on every ticket event (hundreds a second when monitoring or e-mail is busy) and subscriptions
# change a few times a year: the active ones are remembered for WEBHOOK_SUBSCRIPTION_CACHE_SECONDS.
_cache: TimedMemo[list[Subscription]] = TimedMemo(
    lambda: list(
        Subscription.objects.filter(active=True).only("id", "event_types", "organization_id", "include_internal")
    ),
    lambda: settings.WEBHOOK_SUBSCRIPTION_CACHE_SECONDS,
)
post_save.connect(_cache.forget, sender=Subscription, weak=False)
post_delete.connect(_cache.forget, sender=Subscription, weak=False)


def _active_subscriptions() -> list[Subscription]:
    return _cache.get()


def ticket_summary(ticket: Ticket) -> dict[str, Any]:
    organization = ticket.organization
    team = ticket.team
    agent = ticket.assigned_to
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "state": ticket.state,
        "priority": ticket.priority,
        "type": ticket.type,
        "organization": {"id": organization.pk, "name": organization.name} if organization else None,
        "team": {"id": team.pk, "name": team.name} if team else None,
        "agent": {"id": agent.pk, "name": agent.display_name()} if agent else None,
        "url": settings.SITE_URL + ticket.get_absolute_url(),
        "updated_at": ticket.updated_at,
    }


def _article(event: TicketEvent) -> dict[str, Any] | None:
    article = Article.objects.select_related("author", "author_contact").filter(pk=event.new_value or 0).first()
    if article is None:
        return None
    return {
        "id": article.pk,
        "kind": article.kind,
        "public": article.kind == ArticleKind.REPLY,
        "author": article.author_name(),
        "channel": article.channel,
        "body": article.body,
        "created_at": article.created_at,
    }


def _payload(event: TicketEvent, event_type: str, event_id: uuid.UUID, internal: bool) -> dict[str, Any]:
    change: dict[str, Any] = {
        "kind": event.kind,
        "field": event.field,
        "old": event.old_value,
        "new": event.new_value,
        "public": event.is_public,
    }
    # Reasons on non-public events (escalation, hand-back) are written for colleagues, not for customers.
    if event.is_public or internal:
        change["note"] = event.note
    payload: dict[str, Any] = {
        "id": str(event_id),
        "type": event_type,
        "occurred_at": event.created_at,
        "actor": event.actor_name(),
        "ticket": ticket_summary(event.ticket),
        "change": change,
    }
    if event_type == events.TICKET_ARTICLE_ADDED:
        payload["article"] = _article(event)
    return payload


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def record(event: TicketEvent) -> list[Delivery]:
    """Write one Delivery per matching subscription. Call inside the transaction that wrote the event."""
    event_type = events.FOR_TICKET_EVENT.get(event.kind)
    if event_type is None:
        return []
    subscriptions = _active_subscriptions()
    if not subscriptions:  # the usual case: nothing more to read
        return []
    ticket = event.ticket
    subscriptions = [s for s in subscriptions if s.wants(event_type, ticket.organization_id)]
    if event.kind in INTERNAL_KINDS:
        subscriptions = [s for s in subscriptions if s.include_internal]
    if not subscriptions:
        return []
    event_id = uuid.uuid4()
    bodies: dict[bool, str] = {}  # at most two variants: with and without internal text
    rows = []
    for subscription in subscriptions:
        internal = subscription.include_internal
        if internal not in bodies:
            bodies[internal] = encode(_payload(event, event_type, event_id, internal))
        rows.append(
            Delivery(
                subscription=subscription,
                event_id=event_id,
                event_type=event_type,
                ticket_number=ticket.number,
                body=bodies[internal],
            )
        )
    created = Delivery.objects.bulk_create(rows)
    _deliver_after_commit()
    return created


def record_ping(subscription: Subscription) -> Delivery:
    """The "send a test event" button: a ping goes through the same outbox and delivery path."""
    event_id = uuid.uuid4()
    body = encode(
        {
            "id": str(event_id),
            "type": events.PING,
            "occurred_at": timezone.now(),
            "subscription": {"id": subscription.pk, "name": subscription.name},
        }
    )
    return Delivery.objects.create(subscription=subscription, event_id=event_id, event_type=events.PING, body=body)


def wake_worker() -> None:
    from servicedesk.webhooks.tasks import deliver_due_webhooks

    deliver_due_webhooks.enqueue()


def _deliver_after_commit() -> None:
    """Wake a worker once the change is committed instead of waiting for the periodic sweep. robust: a broken
    queue must not turn a committed ticket change into an error page; the sweep will send it anyway."""
    connection = transaction.get_connection()
    if any(callback is wake_worker for _, callback, _ in connection.run_on_commit):
        return  # one wake-up per transaction, however many events it wrote
    transaction.on_commit(wake_worker, robust=True)


def redeliver(original: Delivery) -> Delivery:
    """A fresh delivery of the same event (same event id and body), e.g. after the receiver was fixed."""
    return Delivery.objects.create(
        subscription=original.subscription,
        event_id=original.event_id,
        event_type=original.event_type,
        ticket_number=original.ticket_number,
        body=original.body,
    )
