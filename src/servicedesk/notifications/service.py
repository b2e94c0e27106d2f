"""The one door for notifying agents. Call it inside the transaction of the change that caused it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q

from servicedesk.lib import clock
from servicedesk.notifications.models import Notification

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket


# In-app notification kinds that also go out by e-mail.
MAILED_KINDS = frozenset({"sla_warning", "sla_breached"})


@dataclass(frozen=True)
class Note:
    """One notification to write: `notify_many` writes a whole sweep's in one INSERT."""

    recipient_ids: frozenset[int]
    kind: str
    title: str
    ticket: Ticket | None = None
    body: str = ""


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    ticket: Ticket | None = None,
    body: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct agent among `recipient_ids`; for the kinds that warrant it (SLA warnings and
    breaches) also an e-mail to each of them, written by the worker after this transaction commits."""
    return notify_many([Note(frozenset(recipient_ids), kind, title, ticket, body)], email=email)


def notify_many(notes: Iterable[Note], *, email: bool = True) -> list[Notification]:
    from servicedesk.mail import muting

    now = clock.now()
    mail = email and not muting.is_muted()
    rows = [
        Notification(
            recipient_id=pk,
            ticket=note.ticket,
            kind=note.kind,
            title=note.title[:300],
            body=note.body,
            created_at=now,
            email_pending=mail and note.ticket is not None and note.kind in MAILED_KINDS,
        )
        for note in notes
        for pk in sorted(note.recipient_ids)
    ]
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if any(row.email_pending for row in rows):
        from servicedesk.notifications import tasks

        transaction.on_commit(tasks.wake_mailer)
    return created


def desk_manager_ids() -> list[int]:
    """Agents who manage the desk: superusers and holders of the `sla.manage` permission."""
    from servicedesk.accounts.models import User

    perm = Q(user_permissions__codename="manage", user_permissions__content_type__app_label="sla") | Q(
        groups__permissions__codename="manage", groups__permissions__content_type__app_label="sla"
    )
    return list(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | perm)
        .values_list("pk", flat=True)
        .distinct()
    )


def team_members(team_ids: Iterable[int]) -> dict[int, list[int]]:
    """The members of several teams in one query: team id → user ids."""
    from servicedesk.accounts.models import Team

    members: dict[int, list[int]] = {}
    for team_id, user_id in Team.members.through.objects.filter(team_id__in=set(team_ids)).values_list(
        "team_id", "user_id"
    ):
        members.setdefault(team_id, []).append(user_id)
    return members


def team_member_ids(team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    return team_members([team_id]).get(team_id, [])


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
