"""The one door for notifying agents. Call it inside the transaction of the change that caused it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from servicedesk.lib import clock
from servicedesk.notifications.models import Notification

if TYPE_CHECKING:
    from servicedesk.tickets.models import Ticket


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: str,
    title: str,
    ticket: Ticket | None = None,
    body: str = "",
    email: bool = True,
) -> list[Notification]:
    """One notification per distinct active agent among `recipient_ids`; for the kinds that warrant it (SLA
    warnings and breaches) also an e-mail to each of them (mail/notify.py), unless email=False."""
    ids = sorted(set(recipient_ids))
    if not ids:
        return []
    now = clock.now()
    rows = [
        Notification(recipient_id=pk, ticket=ticket, kind=kind, title=title[:300], body=body, created_at=now)
        for pk in ids
    ]
    created = Notification.objects.bulk_create(rows)
    if email and ticket is not None:
        from servicedesk.mail.notify import mail_notified_agents

        mail_notified_agents(ids, kind=kind, ticket=ticket, title=title)
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


def team_member_ids(team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    from servicedesk.accounts.models import Team

    return list(Team.members.through.objects.filter(team_id=team_id).values_list("user_id", flat=True))


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
