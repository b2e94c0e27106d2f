"""Every write to a ticket. The desk, the API, e-mail and monitoring all call these functions; each one
checks the rules, changes the ticket and writes its history events in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Organization, Team
from servicedesk.assets.models import ConfigurationItem
from servicedesk.lib import clock
from servicedesk.mail import notify as mail_notify
from servicedesk.sla import engine as sla
from servicedesk.tickets import search
from servicedesk.tickets.files import UploadedFile, store_blob
from servicedesk.tickets.models import (
    Article,
    ArticleKind,
    Attachment,
    Category,
    Channel,
    EventKind,
    Level,
    Tag,
    TeamStint,
    Ticket,
    TicketEvent,
    TicketNumberSequence,
    TicketType,
    WorkKind,
    WorkLogEntry,
    priority_for,
)
from servicedesk.tickets.states import REOPENABLE_STATES, IllegalTransition, State, check_transition, label
from servicedesk.webhooks import outbox

if TYPE_CHECKING:
    from servicedesk.accounts.models import User


class ActionError(Exception):
    """A request the rules refuse; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _event(
    ticket: Ticket,
    kind: str,
    actor: User | None,
    *,
    actor_label: str = "",
    field: str = "",
    old: object = "",
    new: object = "",
    note: str = "",
    public: bool = False,
    at: dt.datetime | None = None,
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_label=actor_label,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
        is_public=public,
        created_at=at or clock.now(),
    )
    outbox.record(event)  # outbound webhooks: their delivery rows are written in this same transaction
    mail_notify.on_event(event)  # the e-mails it causes (most events: none, and no query), into the mail outbox
    return event


def record_event(ticket: Ticket, kind: str, actor: User | None, **details: Any) -> TicketEvent:
    """A history event for a write that lives in another app (the portal's satisfaction rating): the same row and
    the same webhook outbox as the actions here. Call it inside the transaction of that write."""
    return _event(ticket, kind, actor, **details)


def _sla_events(ticket: Ticket, changes: list[sla.Change], actor: User | None, now: dt.datetime) -> None:
    """The SLA timers' history events (sla/engine.py decided them) in this action's transaction."""
    for change in changes:
        _event(
            ticket,
            change.kind,
            actor if change.kind not in _SYSTEM_SLA_KINDS else None,
            actor_label="SLA" if change.kind in _SYSTEM_SLA_KINDS else "",
            field=change.field,
            old=change.old,
            new=change.new,
            note=change.note,
            at=now,
        )


# Timer transitions nobody did by hand: recorded as done by "SLA".
_SYSTEM_SLA_KINDS = frozenset({"sla_started", "sla_paused", "sla_resumed", "sla_met", "sla_stopped", "sla_breached"})


def _touch(ticket: Ticket, now: dt.datetime, *fields: str) -> None:
    ticket.updated_at = now
    ticket.save(update_fields=["updated_at", *fields])


def next_ticket_number(year: int) -> str:
    """The next number of the year, e.g. 2026-000123. Runs inside the caller's transaction."""
    # One statement that counts up and reads the new value (RETURNING: SQLite >= 3.35 and PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE tickets_ticketnumbersequence SET "last" = "last" + 1 WHERE "year" = %s RETURNING "last"', [year]
        )
        row = cursor.fetchone()
    if row is None:
        TicketNumberSequence.objects.create(year=year, last=1)
        return f"{year}-{1:06d}"
    return f"{year}-{row[0]:06d}"


def _require_agent(actor: User | None) -> None:
    if actor is not None and not actor.is_staff:
        raise ActionError(_("Only agents may do this."))


# --- Opening ---------------------------------------------------------------------------------------------


@transaction.atomic
def open_ticket(
    *,
    actor: User | None,
    subject: str,
    description: str = "",
    type: str = TicketType.INCIDENT,
    impact: str = Level.MEDIUM,
    urgency: str = Level.MEDIUM,
    channel: str = Channel.WEB,
    organization: Organization | None = None,
    requester: Contact | None = None,
    cc: Iterable[Contact] = (),
    category: Category | None = None,
    team: Team | None = None,
    items: Iterable[ConfigurationItem] = (),
    tags: Iterable[str] = (),
    parent: Ticket | None = None,
    actor_label: str = "",
    created_at: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket on any channel. It starts in the first-level team unless a team is given."""
    subject = subject.strip()
    if not subject:
        raise ActionError(_("A ticket needs a subject."))
    if requester is not None and organization is None:
        organization = requester.organization
    if (
        requester is not None
        and organization is not None
        and requester.organization_id
        not in (
            None,
            organization.pk,
        )
    ):
        raise ActionError(_("The requester belongs to another organization."))
    items = list(items)
    for item in items:
        if organization is None or item.organization_id != organization.pk:
            raise ActionError(_("An affected item must belong to the ticket's organization."))
    now = created_at or clock.now()
    # Ids, not objects: the category's default team and the (remembered) first-level team cost no query.
    team_id = team.pk if team is not None else None
    if team_id is None and category is not None:
        team_id = category.default_team_id
    if team_id is None:
        team_id = Team.first_level_id()
    ticket = Ticket(
        number=next_ticket_number(timezone.localtime(now).year),
        subject=subject[:255],
        description=description,
        type=type,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        channel=channel,
        organization=organization,
        requester=requester,
        category=category,
        team_id=team_id,
        parent=parent,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    sla_changes = sla.start(ticket, [item.pk for item in items], now)
    ticket.save(force_insert=True)
    if cc:
        ticket.cc.set(cc)
    if items:
        ticket.items.set(items)
    if tags:
        _set_tags(ticket, tags)
    if team_id is not None:
        TeamStint.objects.create(ticket=ticket, team_id=team_id, started_at=now)
    _event(ticket, EventKind.CREATED, actor, actor_label=actor_label, new=channel, public=True, at=now)
    _sla_events(ticket, sla_changes, actor, now)
    search.index_ticket(ticket, created=True)
    return ticket


def _set_tags(ticket: Ticket, names: Iterable[str]) -> None:
    wanted = sorted({name.strip().lower() for name in names if name.strip()})
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=wanted)}
    for name in wanted:
        if name not in existing:
            existing[name] = Tag.objects.create(name=name)
    ticket.tags.set(existing.values())


# --- Assignment and escalation ------------------------------------------------------------------------------


@transaction.atomic
def assign(ticket: Ticket, *, actor: User | None, agent: User | None, actor_label: str = "") -> Ticket:
    """Give the ticket to an agent (or take it away with agent=None). A new ticket becomes assigned."""
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if agent is not None and not agent.is_staff:
        raise ActionError(_("Tickets can only be assigned to agents."))
    if not ticket.is_open:
        raise ActionError(_("A ticket that is %(state)s cannot be assigned.") % {"state": label(ticket.state)})
    if ticket.assigned_to_id == (agent.pk if agent else None):
        return ticket
    now = clock.now()
    old_agent = ticket.assigned_to
    ticket.assigned_to = agent
    fields = ["assigned_to"]
    if agent is not None and ticket.assigned_at is None:
        ticket.assigned_at = now
        fields.append("assigned_at")
    _event(
        ticket,
        EventKind.ASSIGNED,
        actor,
        actor_label=actor_label,
        field="assigned_to",
        old=old_agent.display_name() if old_agent else "",
        new=agent.display_name() if agent else "",
        at=now,
    )
    if agent is not None:
        _sla_events(ticket, sla.on_reaction(ticket, now), actor, now)
    if agent is not None and ticket.state == State.NEW:
        _change_state(ticket, State.ASSIGNED, actor, now=now, actor_label=actor_label)
        fields.append("state")
    _touch(ticket, now, *fields, *sla.SLA_FIELDS)
    return ticket


def take(ticket: Ticket, *, actor: User) -> Ticket:
    return assign(ticket, actor=actor, agent=actor)


def _move_to_team(ticket: Ticket, team: Team, reason: str, now: dt.datetime) -> None:
    TeamStint.objects.filter(ticket=ticket, ended_at__isnull=True).update(ended_at=now)
    TeamStint.objects.create(ticket=ticket, team=team, started_at=now, reason=reason)
    ticket.team = team


@transaction.atomic
def escalate(ticket: Ticket, *, actor: User | None, team: Team, reason: str, agent: User | None = None) -> Ticket:
    """Hand the ticket over to a resolver team, with a reason; optionally straight to one of its agents."""
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    reason = reason.strip()
    if not reason:
        raise ActionError(_("Say why the ticket is escalated."))
    if not ticket.is_open:
        raise ActionError(_("A ticket that is %(state)s cannot be escalated.") % {"state": label(ticket.state)})
    if ticket.team_id == team.pk:
        raise ActionError(_("The ticket is already with %(team)s.") % {"team": team.name})
    if agent is not None and not team.members.filter(pk=agent.pk).exists():
        raise ActionError(_("%(agent)s is not a member of %(team)s.") % {"agent": agent, "team": team.name})
    now = clock.now()
    old_team = ticket.team
    _move_to_team(ticket, team, reason, now)
    _event(
        ticket,
        EventKind.ESCALATED,
        actor,
        field="team",
        old=old_team.name if old_team else "",
        new=team.name,
        note=reason,
        at=now,
    )
    old_agent = ticket.assigned_to
    ticket.assigned_to = agent
    if old_agent != agent:
        _event(
            ticket,
            EventKind.ASSIGNED,
            actor,
            field="assigned_to",
            old=old_agent.display_name() if old_agent else "",
            new=agent.display_name() if agent else "",
            at=now,
        )
    fields = ["team", "assigned_to"]
    if agent is not None and ticket.assigned_at is None:
        ticket.assigned_at = now
        fields.append("assigned_at")
    if agent is not None or not team.is_first_level:
        _sla_events(ticket, sla.on_reaction(ticket, now, by_team=agent is None), actor, now)
    if agent is not None and ticket.state == State.NEW:
        _change_state(ticket, State.ASSIGNED, actor, now=now)
        fields.append("state")
    _touch(ticket, now, *fields, *sla.SLA_FIELDS)
    return ticket


@transaction.atomic
def hand_back(ticket: Ticket, *, actor: User | None, reason: str) -> Ticket:
    """Return the ticket from a resolver team to the first-level team."""
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    first_level = Team.first_level()
    if first_level is None:
        raise ActionError(_("There is no first-level team to hand the ticket back to."))
    if ticket.team_id == first_level.pk:
        raise ActionError(_("The ticket is already with %(team)s.") % {"team": first_level.name})
    if not reason.strip():
        raise ActionError(_("Say why the ticket is handed back."))
    now = clock.now()
    old_team = ticket.team
    _move_to_team(ticket, first_level, reason, now)
    ticket.assigned_to = None
    _event(
        ticket,
        EventKind.HANDED_BACK,
        actor,
        field="team",
        old=old_team.name if old_team else "",
        new=first_level.name,
        note=reason,
        at=now,
    )
    _touch(ticket, now, "team", "assigned_to")
    return ticket


# --- State ------------------------------------------------------------------------------------------------


def _change_state(
    ticket: Ticket,
    new_state: str,
    actor: User | None,
    *,
    now: dt.datetime,
    reason: str = "",
    actor_label: str = "",
) -> None:
    check_transition(ticket.state, new_state)
    old_state = ticket.state
    kind = EventKind.REOPENED if old_state in REOPENABLE_STATES and new_state == State.IN_PROGRESS else None
    ticket.state = new_state
    if new_state == State.RESOLVED:
        ticket.resolved_at = now
    elif new_state == State.CLOSED:
        ticket.closed_at = now
    elif kind == EventKind.REOPENED:
        ticket.resolved_at = None
        ticket.closed_at = None
    _event(
        ticket,
        kind or EventKind.STATE_CHANGED,
        actor,
        actor_label=actor_label,
        field="state",
        old=old_state,
        new=new_state,
        note=reason,
        public=True,
        at=now,
    )
    _sla_events(ticket, sla.on_state_change(ticket, old_state, new_state, now), actor, now)


def can_reopen(ticket: Ticket, now: dt.datetime | None = None) -> bool:
    if ticket.state == State.RESOLVED:
        return True
    if ticket.state == State.CLOSED and ticket.closed_at is not None:
        window = dt.timedelta(days=settings.REOPEN_WINDOW_DAYS)
        return (now or clock.now()) - ticket.closed_at <= window
    return False


@transaction.atomic
def transition(ticket: Ticket, *, actor: User | None, to_state: str, reason: str = "", actor_label: str = "") -> Ticket:
    """Move the ticket to another state, as the state machine allows. Raises IllegalTransition."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    now = clock.now()
    if to_state == State.ASSIGNED:
        raise IllegalTransition(_("A ticket becomes assigned by assigning it to an agent."))
    if ticket.state in REOPENABLE_STATES and to_state == State.IN_PROGRESS and not can_reopen(ticket, now):
        raise IllegalTransition(
            _("The ticket was closed more than %(days)d days ago and cannot be reopened; open a new one.")
            % {"days": settings.REOPEN_WINDOW_DAYS}
        )
    if actor is not None and not actor.is_staff and to_state not in {State.IN_PROGRESS, State.CLOSED}:
        raise ActionError(_("Only agents may do this."))
    if to_state == State.RESOLVED and ticket.state in REOPENABLE_STATES:
        raise IllegalTransition(_("The ticket is already resolved."))
    _change_state(ticket, to_state, actor, now=now, reason=reason, actor_label=actor_label)
    _touch(ticket, now, "state", "resolved_at", "closed_at", *sla.SLA_FIELDS)
    return ticket


def reopen(ticket: Ticket, *, actor: User | None, reason: str = "") -> Ticket:
    return transition(ticket, actor=actor, to_state=State.IN_PROGRESS, reason=reason)


def resolve(ticket: Ticket, *, actor: User | None, resolution: str = "") -> Ticket:
    """Resolve, with the resolution as a public reply when given."""
    with transaction.atomic():
        if resolution.strip():
            add_article(ticket, actor=actor, body=resolution, kind=ArticleKind.REPLY)
        return transition(ticket, actor=actor, to_state=State.RESOLVED)


# --- Fields -----------------------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "subject",
    "description",
    "type",
    "impact",
    "urgency",
    "category",
    "organization",
    "requester",
)


@transaction.atomic
def update_fields(ticket: Ticket, *, actor: User | None, **changes: Any) -> Ticket:
    """Change ticket fields; impact and urgency recompute the priority. One event per changed field."""
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    now = clock.now()
    changed: list[str] = []
    tags = changes.pop("tags", None)
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise ActionError(_("The field “%(field)s” cannot be changed here.") % {"field": field})
        old = getattr(ticket, field)
        if old == value:
            continue
        if field == "subject" and not str(value).strip():
            raise ActionError(_("A ticket needs a subject."))
        setattr(ticket, field, value)
        changed.append(field)
        _event(ticket, EventKind.FIELD_CHANGED, actor, field=field, old=old or "", new=value or "", at=now)
    if ticket.requester is not None and ticket.requester.organization_id not in (
        None,
        ticket.organization_id,
    ):
        raise ActionError(_("The requester belongs to another organization."))
    new_priority = priority_for(ticket.impact, ticket.urgency)
    if new_priority != ticket.priority:
        _event(
            ticket,
            EventKind.PRIORITY_CHANGED,
            actor,
            field="priority",
            old=f"P{ticket.priority}",
            new=f"P{new_priority}",
            at=now,
        )
        ticket.priority = new_priority
        changed.append("priority")
    if {"organization", "category"} & set(changed):
        item_ids = list(ticket.items.values_list("pk", flat=True))
        sla_changes = sla.reselect_contract(ticket, item_ids, now)
        if not sla_changes and "priority" in changed:
            sla_changes = sla.recompute(ticket, now, reason="priority")
        _sla_events(ticket, sla_changes, actor, now)
        changed += sla.SLA_FIELDS
    elif "priority" in changed:
        _sla_events(ticket, sla.recompute(ticket, now, reason="priority"), actor, now)
        changed += sla.SLA_FIELDS
    if tags is not None:
        before = sorted(ticket.tags.values_list("name", flat=True))
        _set_tags(ticket, tags)
        after = sorted(ticket.tags.values_list("name", flat=True))
        if before != after:
            _event(
                ticket,
                EventKind.FIELD_CHANGED,
                actor,
                field="tags",
                old=", ".join(before),
                new=", ".join(after),
                at=now,
            )
    if changed:
        _touch(ticket, now, *changed)
        if {"subject", "description"} & set(changed):
            search.index_ticket(ticket)
    return ticket


# --- Articles, attachments, work -----------------------------------------------------------------------------


@transaction.atomic
def add_article(
    ticket: Ticket,
    *,
    actor: User | None,
    body: str,
    kind: str = ArticleKind.REPLY,
    author_contact: Contact | None = None,
    channel: str = Channel.WEB,
    files: Sequence[UploadedFile] = (),
    body_html: str = "",
    quoted: str = "",
    needs_review: bool = False,
) -> Article:
    """A public reply or an internal note, with attachments. Customers may only write public replies.

    From e-mail: body_html (already sanitized), the quoted history, and needs_review for a note from someone outside
    the ticket; the system (no actor, with channel e-mail) may write such notes."""
    if not body.strip() and not files:
        raise ActionError(_("Write something or attach a file."))
    system_mail = actor is None and channel == Channel.EMAIL
    if kind == ArticleKind.NOTE and not system_mail and (actor is None or not actor.is_staff):
        raise ActionError(_("Only agents may write internal notes."))
    if ticket.merged_into_id is not None:
        raise ActionError(_("This ticket was merged into another one; write there."))
    now = clock.now()
    article = Article.objects.create(
        ticket=ticket,
        kind=kind,
        author=actor,
        author_contact=author_contact,
        channel=channel,
        body=body,
        body_html=body_html,
        quoted=quoted,
        needs_review=needs_review,
        created_at=now,
    )
    for upload in files:
        attach(ticket, actor=actor, upload=upload, article=article, record_event=False)
    public = kind == ArticleKind.REPLY
    _event(
        ticket,
        EventKind.REPLY_ADDED if public else EventKind.NOTE_ADDED,
        actor,
        actor_label=author_contact.name if author_contact and actor is None else "",
        new=str(article.pk),
        public=public,
        at=now,
    )
    _touch(ticket, now)
    search.index_article(ticket, body, public=public)
    return article


@transaction.atomic
def attach(
    ticket: Ticket,
    *,
    actor: User | None,
    upload: UploadedFile,
    article: Article | None = None,
    record_event: bool = True,
) -> Attachment:
    blob = store_blob(upload.content)
    attachment = Attachment.objects.create(
        ticket=ticket, article=article, blob=blob, filename=upload.filename[:255], uploaded_by=actor
    )
    if record_event:
        _event(ticket, EventKind.ATTACHMENT_ADDED, actor, new=attachment.filename)
    return attachment


@transaction.atomic
def log_work(
    ticket: Ticket,
    *,
    actor: User,
    minutes: int,
    kind: str = WorkKind.REMOTE,
    billable: bool = True,
    note: str = "",
    date: dt.date | None = None,
) -> WorkLogEntry:
    _require_agent(actor)
    if minutes <= 0 or minutes > 24 * 60:
        raise ActionError(_("Minutes must be between 1 and 1440."))
    entry = WorkLogEntry.objects.create(
        ticket=ticket,
        agent=actor,
        minutes=minutes,
        kind=kind,
        billable=billable,
        note=note,
        date=date or timezone.localdate(clock.now()),
        created_at=clock.now(),  # the domain clock: replayed history (demo, imports) keeps its past moment
    )
    _event(ticket, EventKind.WORK_LOGGED, actor, new=f"{minutes} min", note=note, field=kind)
    _touch(ticket, clock.now())
    return entry


# --- Links and merges ------------------------------------------------------------------------------------------


@transaction.atomic
def link(ticket: Ticket, *, actor: User | None, other: Ticket, relation: str = "related") -> Ticket:
    """relation: "related" (both ways), "parent" (other becomes the parent) or "child"."""
    _require_agent(actor)
    if other.pk == ticket.pk:
        raise ActionError(_("A ticket cannot be linked to itself."))
    now = clock.now()
    if relation == "related":
        ticket.related.add(other)
    elif relation == "parent":
        if other.parent_id == ticket.pk:
            raise ActionError(_("That ticket is already a child of this one."))
        ticket.parent = other
        ticket.save(update_fields=["parent"])
    elif relation == "child":
        if ticket.parent_id == other.pk:
            raise ActionError(_("That ticket is already the parent of this one."))
        other.parent = ticket
        other.save(update_fields=["parent"])
    else:
        raise ActionError(_("Unknown kind of link."))
    _event(ticket, EventKind.LINKED, actor, field=relation, new=other.number, at=now)
    _event(
        other,
        EventKind.LINKED,
        actor,
        field={"parent": "child", "child": "parent"}.get(relation, relation),
        new=ticket.number,
        at=now,
    )
    _touch(ticket, now)
    return ticket


@transaction.atomic
def merge(source: Ticket, *, actor: User | None, into: Ticket) -> Ticket:
    """Merge a duplicate into another ticket: the duplicate's articles move over and it is closed."""
    _require_agent(actor)
    if source.pk == into.pk:
        raise ActionError(_("A ticket cannot be merged into itself."))
    source = Ticket.objects.select_for_update().get(pk=source.pk)
    if source.merged_into_id is not None:
        raise ActionError(_("This ticket is already merged."))
    if into.merged_into_id is not None or not into.is_open:
        raise ActionError(_("Tickets can only be merged into an open ticket."))
    if source.organization_id != into.organization_id:
        raise ActionError(_("Only tickets of the same organization can be merged."))
    now = clock.now()
    source.articles.update(ticket=into)
    source.attachments.update(ticket=into)
    source.merged_into = into
    _event(source, EventKind.MERGED, actor, field="merged_into", new=into.number, public=True, at=now)
    _event(into, EventKind.MERGED, actor, field="merged_from", new=source.number, public=True, at=now)
    if source.state not in {State.CLOSED, State.CANCELLED}:
        old_state = source.state
        source.state = State.CLOSED
        source.closed_at = now
        _event(
            source,
            EventKind.STATE_CHANGED,
            actor,
            field="state",
            old=old_state,
            new=State.CLOSED,
            note=_("Merged into %(number)s") % {"number": into.number},
            public=True,
            at=now,
        )
        _sla_events(source, sla.on_state_change(source, old_state, State.CLOSED, now), actor, now)
    _touch(source, now, "merged_into", "state", "closed_at", *sla.SLA_FIELDS)
    _touch(into, now)
    search.index_ticket(into)
    search.index_ticket(source)
    return into


# --- SLA --------------------------------------------------------------------------------------------------------


@transaction.atomic
def reapply_sla_plan(ticket: Ticket, *, actor: User | None) -> Ticket:
    """Measure the ticket under the current version of its SLA plan; the deadlines are recomputed from entry."""
    _require_agent(actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    now = clock.now()
    changes = sla.reapply_current(ticket, now)
    if not changes:
        raise ActionError(_("The ticket is already measured under the current version of its plan."))
    _sla_events(ticket, changes, actor, now)
    _touch(ticket, now, *sla.SLA_FIELDS)
    return ticket


@transaction.atomic
def raise_priority(ticket: Ticket, *, actor: User | None, actor_label: str = "", reason: str = "") -> Ticket:
    """One step more urgent (P3 → P2), e.g. an SLA breach action; the deadlines follow the new priority."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.priority <= 1:
        return ticket
    now = clock.now()
    old = ticket.priority
    ticket.priority = old - 1
    _event(
        ticket,
        EventKind.PRIORITY_CHANGED,
        actor,
        actor_label=actor_label,
        field="priority",
        old=f"P{old}",
        new=f"P{ticket.priority}",
        note=reason,
        at=now,
    )
    _sla_events(ticket, sla.recompute(ticket, now, reason="priority"), actor, now)
    _touch(ticket, now, "priority", *sla.SLA_FIELDS)
    return ticket
