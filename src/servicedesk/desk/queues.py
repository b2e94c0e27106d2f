"""The agent desk's ticket queues: which tickets each queue holds, and how a queue's list is filtered and sorted.

Plain functions over querysets and request parameters; the view only parses, authorises and renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, F, Field, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Least
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Team
from servicedesk.tickets.models import Channel, Priority, Ticket, TicketType
from servicedesk.tickets.search import filter_tickets
from servicedesk.tickets.states import OPEN_STATES, WAITING_STATES, State

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from servicedesk.accounts.models import User

PAGE_SIZE = 50
RECENTLY_RESOLVED_DAYS = 7


# --- Queues -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    slug: str
    label: _StrPromise
    # The tickets of the queue as a condition, so that all the queues' counts fit in one aggregate query.
    # `scan` asks for the state test in a form SQLite's planner will not drive the query by (see ScanIn).
    condition: Callable[..., Q]
    # The order of the list while the agent has not chosen a column to sort by (a SORT_FIELDS value).
    default_sort: str | None = None


def _states(states: object, scan: bool) -> Q:
    return Q(**{"state__scan_in" if scan else "state__in": states})


def _mine(user: User, now: dt.datetime, scan: bool = False) -> Q:
    return Q(assigned_to=user) & _states(OPEN_STATES, scan)


def _my_teams(user: User, now: dt.datetime, scan: bool = False) -> Q:
    # A subquery rather than a join: a join through team members inside an aggregate would multiply rows.
    return Q(team__in=Team.objects.filter(members=user).values("pk")) & _states(OPEN_STATES, scan)


def _unassigned(user: User, now: dt.datetime, scan: bool = False) -> Q:
    return Q(assigned_to__isnull=True) & _states(OPEN_STATES, scan)


def _all_open(user: User, now: dt.datetime, scan: bool = False) -> Q:
    return _states(OPEN_STATES, scan)


def _waiting(user: User, now: dt.datetime, scan: bool = False) -> Q:
    return _states(WAITING_STATES, scan)


def _recently_resolved(user: User, now: dt.datetime, scan: bool = False) -> Q:
    since = now - dt.timedelta(days=RECENTLY_RESOLVED_DAYS)
    # Resolving and closing touch updated_at, so the (small, indexed) recent range holds every match; the state
    # test never drives this one (years of closed tickets share two state values).
    return (
        _states([State.RESOLVED, State.CLOSED], scan=True)
        & Q(updated_at__gte=since)
        & (Q(resolved_at__gte=since) | Q(closed_at__gte=since))
    )


# A running SLA timer: the reaction while nobody reacted, the resolution while it is not paused.
_REACTION_RUNNING = Q(reaction_due_at__isnull=False, reacted_at__isnull=True)
_RESOLUTION_RUNNING = Q(resolution_due_at__isnull=False, sla_paused_since__isnull=True)


def _breaching(user: User, now: dt.datetime, scan: bool = False) -> Q:
    # Tickets whose only deadline is a paused resolution are left out rather than listed last: they cannot breach
    # while they wait for the customer, their due instant moves when they resume, and at the bottom of a list of
    # thousands they would be noise. (Their reaction timer, still running, keeps a paused ticket in the queue.)
    return _states(OPEN_STATES, scan) & (_REACTION_RUNNING | _RESOLUTION_RUNNING)


# The nearest due instant among a ticket's running timers (NULL when none runs).
NEAREST_DUE = Case(
    When(_REACTION_RUNNING & _RESOLUTION_RUNNING, then=Least(F("reaction_due_at"), F("resolution_due_at"))),
    When(_REACTION_RUNNING, then=F("reaction_due_at")),
    When(_RESOLUTION_RUNNING, then=F("resolution_due_at")),
    default=Value(None),
)


@Field.register_lookup
class ScanIn(In):
    """`state__scan_in`: IN, which on SQLite is written `+state IN (…)` so that the planner walks the sort's index
    (updated_at, created_at) and stops at the page's last row, instead of collecting every open ticket through the
    state index and sorting them (50 ms at 28,000 open tickets). Other databases plan this well by themselves."""

    lookup_name = "scan_in"

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = self.as_sql(compiler, connection)
        return f"+{sql}", list(params)


QUEUES: tuple[Queue, ...] = (
    Queue("mine", _("Mine"), _mine),
    Queue("team", _("My teams"), _my_teams),
    Queue("unassigned", _("Unassigned"), _unassigned),
    Queue("open", _("All open"), _all_open),
    Queue("waiting", _("Waiting"), _waiting),
    Queue("breaching", _("Breaching soon"), _breaching, default_sort="due"),
    Queue("resolved", _("Recently resolved"), _recently_resolved),
)
QUEUES_BY_SLUG = {queue.slug: queue for queue in QUEUES}


def queue_counts(tickets: QuerySet[Ticket], user: User, now: dt.datetime) -> dict[str, int]:
    """The number of tickets in every queue, in one statement of one COUNT per queue: each count is answered by
    its own index (assignee, team, state), instead of one pass testing every condition on every ticket."""
    selects: list[str] = []
    params: list[Any] = []
    for queue in QUEUES:
        counted = tickets.filter(queue.condition(user, now)).order_by().values("pk")
        sql, query_params = counted.query.sql_with_params()
        # The SQL is Django's own compilation of the queue's queryset; the values stay bound parameters.
        alias = connection.ops.quote_name(queue.slug)
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted) AS {alias}")  # noqa: S608
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return {queue.slug: int(count) for queue, count in zip(QUEUES, row, strict=True)}


def choose_queue(requested: str | None, counts: Mapping[str, int]) -> Queue:
    """The requested queue; otherwise the agent's own tickets when there are any, else their teams' tickets."""
    if requested in QUEUES_BY_SLUG:
        return QUEUES_BY_SLUG[requested]
    return QUEUES_BY_SLUG["mine" if counts.get("mine") else "team"]


# --- Filters ------------------------------------------------------------------------------------------------

UNASSIGNED = "none"  # the agent filter's value for tickets without an agent


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter accepts; anything else in the request is ignored."""

    teams: frozenset[str] = frozenset()
    agents: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset(State.values)
    priorities: frozenset[str] = frozenset(str(value) for value in Priority.values)
    types: frozenset[str] = frozenset(TicketType.values)
    channels: frozenset[str] = frozenset(Channel.values)


# Request parameter → (FilterChoices attribute, queryset lookup).
FILTER_FIELDS: dict[str, tuple[str, str]] = {
    "state": ("states", "state"),
    "priority": ("priorities", "priority"),
    "team": ("teams", "team_id"),
    "agent": ("agents", "assigned_to_id"),
    "organization": ("organizations", "organization_id"),
    "type": ("types", "type"),
    "category": ("categories", "category_id"),
    "channel": ("channels", "channel"),
}


@dataclass(frozen=True)
class Filters:
    values: dict[str, str] = field(default_factory=dict)  # parameter → accepted value
    search: str = ""

    def __bool__(self) -> bool:
        return bool(self.values or self.search)


def parse_filters(params: Mapping[str, str], choices: FilterChoices) -> Filters:
    """The filters of a request. Unknown or malformed values are dropped rather than refused."""
    values: dict[str, str] = {}
    for name, (attribute, _lookup) in FILTER_FIELDS.items():
        value = (params.get(name) or "").strip()
        allowed: frozenset[str] = getattr(choices, attribute)
        if value in allowed or (name == "agent" and value == UNASSIGNED):
            values[name] = value
    return Filters(values=values, search=(params.get("q") or "").strip()[:200])


def apply_filters(tickets: QuerySet[Ticket], filters: Filters) -> QuerySet[Ticket]:
    for name, value in filters.values.items():
        lookup = FILTER_FIELDS[name][1]
        if name == "agent" and value == UNASSIGNED:
            tickets = tickets.filter(assigned_to__isnull=True)
        else:
            tickets = tickets.filter(**{lookup: value})
    return tickets


# --- Sorting ------------------------------------------------------------------------------------------------

SORT_FIELDS = ("number", "subject", "priority", "state", "created", "updated", "due")
DEFAULT_SORT = "-updated"
# States sort in lifecycle order (new … closed), not alphabetically by their code.
_STATE_POSITION = Case(
    *(When(state=state, then=Value(position)) for position, state in enumerate(State.values)),
    default=Value(len(State.values)),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class Sort:
    field: str
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.field}" if self.descending else self.field

    def toggled_for(self, field: str) -> str:
        """The sort parameter of a column header: the same column flips direction, another starts ascending."""
        if field == self.field:
            return field if self.descending else f"-{field}"
        return field


def parse_sort(value: str | None) -> Sort:
    value = (value or "").strip()
    descending = value.startswith("-")
    name = value.removeprefix("-")
    if name not in SORT_FIELDS:
        return parse_sort(DEFAULT_SORT)
    return Sort(name, descending)


def apply_sort(tickets: QuerySet[Ticket], sort: Sort) -> QuerySet[Ticket]:
    expression = {
        "number": "number",
        "subject": "subject",
        "priority": "priority",
        "state": "state_position",
        "created": "created_at",
        "updated": "updated_at",
        "due": "sla_nearest_due",
    }[sort.field]
    if sort.field == "state":
        tickets = tickets.annotate(state_position=_STATE_POSITION)
    if sort.field == "due":
        tickets = tickets.annotate(sla_nearest_due=NEAREST_DUE)
        # Tickets without a running timer come last in either direction.
        direction = "desc" if sort.descending else "asc"
        ordering = getattr(F("sla_nearest_due"), direction)(nulls_last=True)
        return tickets.order_by(ordering, f"{'-' if sort.descending else ''}pk")
    prefix = "-" if sort.descending else ""
    # The primary key breaks ties, so pages never repeat or skip a ticket.
    return tickets.order_by(f"{prefix}{expression}", f"{prefix}pk")


# --- The list -----------------------------------------------------------------------------------------------

ROW_RELATIONS = ("organization", "requester", "team", "assigned_to")


def queue_tickets(
    tickets: QuerySet[Ticket],
    *,
    queue: Queue,
    user: User,
    now: dt.datetime,
    filters: Filters,
    sort: Sort,
) -> QuerySet[Ticket]:
    """The rows to show. A search looks through every ticket the agent may see, not only the queue."""
    if queue.default_sort is not None and not filters.search and sort == parse_sort(DEFAULT_SORT):
        # No column chosen (the request's sort is the desk's default): the queue's own order.
        sort = parse_sort(queue.default_sort)
    tickets = (
        filter_tickets(tickets, filters.search, user=user)
        if filters.search
        else tickets.filter(queue.condition(user, now, scan=sort.field in {"updated", "created", "number"}))
    )
    tickets = apply_filters(tickets, filters)
    return apply_sort(tickets.select_related(*ROW_RELATIONS), sort)
