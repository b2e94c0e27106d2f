"""Replays a planned ticket's life through `servicedesk.tickets.actions`, with the domain clock in the past.

A ticket's script is first built as (delay in minutes, step) pairs and then squeezed, if it has to be, into
the time between its opening and now, so that no event lies in the future. Every write is an action call:
the events, team stints and work log are the real ones the product would have recorded.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from servicedesk.assets.models import ConfigurationItem
from servicedesk.demo import scenarios as talk
from servicedesk.demo.directory import Directory
from servicedesk.demo.plan import TicketPlan
from servicedesk.demo.scenarios import Text
from servicedesk.lib import clock
from servicedesk.tickets import actions
from servicedesk.tickets.models import ArticleKind, Channel, Level, Ticket, priority_for
from servicedesk.tickets.states import WAITING_STATES, State

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

Step = Callable[[], None]

GENERIC_QUESTION: Text = (
    "Dobrý den, pošlete nám prosím snímek obrazovky s chybou a napište, kdy se problém objevil poprvé.",
    "Hello, please send us a screenshot of the error and tell us when the problem first appeared.",
)
REPEAT_RESOLUTION: Text = (
    "Dobrý den, upravili jsme nastavení tak, aby se problém neopakoval. Dejte nám prosím vědět, kdyby se vrátil.",
    "Hello, we changed the configuration so the problem does not come back. Please let us know if it does.",
)
CANCELLED: Text = ("Zrušeno na žádost zákazníka.", "Cancelled at the customer's request.")
OFFICE_START, OFFICE_END = 8, 17
MINUTES_WORKED = (10, 15, 20, 30, 30, 45, 60, 60, 90, 120, 180)
HOUR = 60
DAY = 24 * HOUR


class TicketStory:
    """One ticket's script, built from its plan and then played."""

    def __init__(self, plan: TicketPlan, directory: Directory, rng: random.Random, earlier: list[Ticket]) -> None:
        self.plan = plan
        self.scenario = plan.scenario
        self.directory = directory
        self.rng = rng
        self.earlier = earlier  # tickets of the same organization already replayed: link candidates
        self.ticket: Ticket | None = None
        self.first_level = rng.choice(directory.members["servicedesk"])
        self.worker: User = self.first_level
        self.item = self._pick_item()
        self.urgency = plan.scenario.urgency
        if rng.random() < 0.2:  # customers do not always rate urgency the way the catalogue would
            self.urgency = rng.choice(list(Level.values))
        # Critical tickets are worked on around the clock; the rest waits for office hours.
        self.round_the_clock = priority_for(plan.scenario.impact, self.urgency) == 1
        self.steps: list[tuple[float, Step, bool]] = []

    # --- building the script -----------------------------------------------------------------------------

    def build(self) -> TicketStory:
        target = self.plan.target
        self._then(0, self._open, anytime=True)
        if target == State.NEW:
            if self.plan.requester is not None and self.rng.random() < 0.3:
                self._then(self._minutes(30, 240), lambda: self._customer_writes(talk.CUSTOMER_FOLLOW_UPS))
            return self
        if target == State.CANCELLED and self.rng.random() < 0.5:
            self._cancel(from_new=True)
            return self
        self._take()
        if target == State.ASSIGNED:
            if self.plan.escalate and self.rng.random() < 0.5:
                self._escalate(with_agent=True)
            return self
        if self.rng.random() < 0.6:
            self._then(self._minutes(2, 30), lambda: self._reply(self.rng.choice(talk.ACKNOWLEDGEMENTS)))
        if self.rng.random() < 0.3:
            self._then(self._minutes(5, 60), lambda: self._note(self.rng.choice(talk.FIRST_LEVEL_NOTES)))
        if target == State.CANCELLED:
            self._cancel(from_new=False)
            return self
        self._then(self._minutes(5, 60), lambda: self._move(State.IN_PROGRESS, self.first_level))
        if self.rng.random() < 0.1:
            self._then(self._minutes(5, 30), self._raise_urgency)
        if self.plan.link and self.earlier:
            self._then(self._minutes(10, 120), self._link)
        if self.plan.duplicate:
            self._duplicate()
        if self.plan.escalate:
            self._escalate(with_agent=self.rng.random() < 0.6)
            if self.rng.random() < 0.06:
                self._hand_back()
        self._work()
        if target == State.IN_PROGRESS:
            if self.plan.requester is not None and self.rng.random() < 0.4:
                self._then(self._minutes(60, 600), lambda: self._customer_writes(talk.CUSTOMER_FOLLOW_UPS))
            if self.rng.random() < 0.5:
                self._then(self._minutes(20, 300), lambda: self._reply(self.rng.choice(talk.PROGRESS_REPLIES)))
            return self
        waiting = self._waiting_state()
        if waiting is not None:
            self._wait(waiting)
            if target == waiting:
                return self
            self._wait_over(waiting)
        self._resolve(self.scenario.resolution)
        if target == State.RESOLVED:
            return self
        if self.plan.reopen:
            self._reopen()
        self._close()
        return self

    def _then(self, minutes: float, step: Step, *, anytime: bool = False) -> None:
        self.steps.append((minutes, step, anytime or self.round_the_clock))

    def _minutes(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def _pick_item(self) -> ConfigurationItem | None:
        kind = self.scenario.item_kind
        if kind is None:
            return None
        candidates = self.plan.customer.items_by_kind.get(kind, [])
        return self.rng.choice(candidates) if candidates else None

    def _take(self) -> None:
        urgent = self.scenario.impact == Level.HIGH and self.scenario.urgency == Level.HIGH
        delay = 1 if self.plan.channel == Channel.PHONE else self._minutes(2, 15) if urgent else self._minutes(5, 120)
        self._then(delay, lambda: self._assign(self.first_level, self.first_level))

    def _escalate(self, *, with_agent: bool) -> None:
        team_slug = self.scenario.team
        assert team_slug is not None
        resolver = self.rng.choice(self.directory.members[team_slug])
        team = self.directory.teams[team_slug]

        def escalate() -> None:
            self._set(
                actions.escalate(
                    self._ticket,
                    actor=self.first_level,
                    team=team,
                    reason=self.scenario.escalation,
                    agent=resolver if with_agent else None,
                )
            )

        self._then(self._minutes(15, 240), escalate)
        self.worker = resolver
        if not with_agent:
            self._then(self._minutes(10, 180), lambda: self._assign(resolver, resolver))
        if self.scenario.note:
            self._then(self._minutes(20, 300), lambda: self._note(self.scenario.note, resolver))

    def _hand_back(self) -> None:
        resolver = self.worker
        reason = self.rng.choice(talk.HAND_BACK_REASONS)
        self._then(
            self._minutes(30, 240), lambda: self._set(actions.hand_back(self._ticket, actor=resolver, reason=reason))
        )
        self._then(self._minutes(5, 60), lambda: self._assign(self.first_level, self.first_level))
        self.worker = self.first_level

    def _work(self) -> None:
        worker = self.worker
        minutes = self.rng.choice(MINUTES_WORKED)

        def log() -> None:
            actions.log_work(
                self._ticket,
                actor=worker,
                minutes=minutes,
                kind=self.scenario.work_kind,
                note=self.scenario.work,
                billable=self.scenario.type != "question",
            )

        self._then(self._minutes(30, 360) + minutes, log)

    def _waiting_state(self) -> str | None:
        if self.plan.target in WAITING_STATES:
            return self.plan.target
        if self.scenario.waiting is not None and self.rng.random() < 0.6:
            if self.scenario.waiting == State.WAITING_CUSTOMER and self.plan.requester is None:
                return None
            return self.scenario.waiting
        return None

    def _wait(self, state: str) -> None:
        worker = self.worker
        if state == State.WAITING_CUSTOMER:
            question = self.scenario.waiting_text if self.scenario.waiting == state else GENERIC_QUESTION
            self._then(self._minutes(10, 120), lambda: self._reply(question, worker))
            self._then(0.5, lambda: self._move(state, worker))
        else:
            reason = self.scenario.waiting_text[0] or talk.WAIT_OVER_NOTES[state]
            self._then(self._minutes(30, 240), lambda: self._move(state, worker, reason=reason))

    def _wait_over(self, state: str) -> None:
        worker = self.worker
        if state == State.WAITING_CUSTOMER:
            self._then(self._minutes(3 * HOUR, 3 * DAY), lambda: self._customer_writes(talk.CUSTOMER_ANSWERS))
            self._then(self._minutes(15, 180), lambda: self._move(State.IN_PROGRESS, worker))
        else:
            self._then(self._minutes(DAY, 5 * DAY), lambda: self._note(talk.WAIT_OVER_NOTES[state], worker))
            self._then(1, lambda: self._move(State.IN_PROGRESS, worker))
        self._work()

    def _resolve(self, resolution: Text) -> None:
        worker = self.worker
        body = self._say(resolution, worker)
        self._then(
            self._minutes(30, 8 * HOUR),
            lambda: self._set(actions.resolve(self._ticket, actor=worker, resolution=body)),
        )

    def _reopen(self) -> None:
        def reopen() -> None:
            self._customer_writes(talk.REOPEN_REASONS)
            requester = self.plan.requester
            self._set(
                actions.transition(
                    self._ticket,
                    actor=requester.user if requester is not None else self.first_level,
                    actor_label=requester.name if requester is not None and requester.user is None else "",
                    to_state=State.IN_PROGRESS,
                    reason=self._say(talk.REOPEN_REASONS[0]),
                )
            )

        self._then(self._minutes(4 * HOUR, 2 * DAY), reopen)
        self._work()
        self._resolve(REPEAT_RESOLUTION)

    def _close(self) -> None:
        requester = self.plan.requester
        if requester is not None and self.rng.random() < 0.5:
            self._then(self._minutes(HOUR, 2 * DAY), lambda: self._customer_writes(talk.CONFIRMATIONS))
            closer = requester.user or self.first_level
            self._then(2, lambda: self._move(State.CLOSED, closer))
        else:  # nobody answered: the desk closes it after the auto-close period
            self._then(settings.AUTO_CLOSE_DAYS * DAY, lambda: self._move(State.CLOSED, None), anytime=True)

    def _cancel(self, *, from_new: bool) -> None:
        agent = self.first_level
        message = self._say(self.rng.choice(talk.CANCEL_REASONS))
        delay = self._minutes(30, 6 * HOUR) if from_new else self._minutes(HOUR, 2 * DAY)
        reason = self._say(CANCELLED)
        self._then(delay, lambda: self._reply_raw(message, agent))
        self._then(1, lambda: self._move(State.CANCELLED, agent, reason=reason))

    def _duplicate(self) -> None:
        others = [c for c in self.plan.customer.contacts if c != self.plan.requester]
        contact = self.rng.choice(others or self.plan.customer.contacts)
        holder: list[Ticket] = []

        def report_again() -> None:
            lang = 0 if contact.language == "cs" else 1
            subject = talk.DUPLICATE_PREFIX[lang] + self._format(self.scenario.subject[lang])
            holder.append(
                actions.open_ticket(
                    actor=None,
                    actor_label=contact.email,
                    subject=subject,
                    description=self._format(self.scenario.description[lang]),
                    type=self.scenario.type,
                    channel=Channel.EMAIL,
                    requester=contact,
                    category=self.directory.categories.get(self.scenario.category),
                    team=self.directory.teams["servicedesk"],
                )
            )

        def merge() -> None:
            actions.merge(holder[0], actor=self.first_level, into=self._ticket)
            self._note(talk.DUPLICATE_NOTE)

        self._then(self._minutes(10, 90), report_again)
        self._then(self._minutes(10, 60), merge)

    # --- steps -------------------------------------------------------------------------------------------

    @property
    def _ticket(self) -> Ticket:
        assert self.ticket is not None
        return self.ticket

    def _set(self, ticket: Ticket) -> None:
        self.ticket = ticket

    def _say(self, text: Text, agent: User | None = None) -> str:
        return self._format(text[0] if self.plan.language == "cs" else text[1], agent)

    def _format(self, text: str, agent: User | None = None) -> str:
        """Fill in the item and the signing agent (the first-level agent unless another one writes)."""
        item = self.item
        return text.format(
            item=item.name if item is not None else self.plan.customer.organization.name,
            host=item.hostname if item is not None and item.hostname else "-",
            agent=(agent or self.first_level).first_name,
        )

    def _open(self) -> None:
        plan, scenario = self.plan, self.scenario
        actor, label = self._opener()
        self.ticket = actions.open_ticket(
            actor=actor,
            actor_label=label,
            subject=self._say(scenario.subject),
            description=self._say(scenario.description),
            type=scenario.type,
            impact=scenario.impact,
            urgency=self.urgency,
            channel=plan.channel,
            organization=plan.customer.organization,
            requester=plan.requester,
            category=self.directory.categories.get(scenario.category),
            team=self.directory.teams["servicedesk"],
            items=[self.item] if self.item is not None else [],
            tags=scenario.tags,
            created_at=plan.created_at,
        )

    def _opener(self) -> tuple[User | None, str]:
        """Who opens the ticket on each channel: the hotline agent, the customer's login, or a label."""
        requester, channel = self.plan.requester, self.plan.channel
        if channel == Channel.PHONE:
            return self.first_level, ""
        if channel == Channel.MONITORING:
            return None, "Zabbix"
        if channel == Channel.API:
            return None, "API"
        assert requester is not None
        if channel == Channel.WEB and requester.user is not None:
            return requester.user, ""
        return None, requester.email if channel == Channel.EMAIL else requester.name

    def _assign(self, actor: User, agent: User) -> None:
        self._set(actions.assign(self._ticket, actor=actor, agent=agent))

    def _move(self, state: str, actor: User | None, reason: str = "") -> None:
        self._set(actions.transition(self._ticket, actor=actor, to_state=state, reason=reason))

    def _reply(self, text: Text, agent: User | None = None) -> None:
        self._reply_raw(self._say(text, agent), agent or self.first_level)

    def _reply_raw(self, body: str, agent: User) -> None:
        actions.add_article(self._ticket, actor=agent, body=body, kind=ArticleKind.REPLY)

    def _note(self, body: str, agent: User | None = None) -> None:
        actions.add_article(self._ticket, actor=agent or self.first_level, body=body, kind=ArticleKind.NOTE)

    def _customer_writes(self, texts: tuple[Text, ...]) -> None:
        requester = self.plan.requester
        if requester is None:
            return
        web = requester.user is not None and self.rng.random() < 0.5
        actions.add_article(
            self._ticket,
            actor=requester.user if web else None,
            author_contact=requester,
            body=self._say(self.rng.choice(texts)),
            channel=Channel.WEB if web else Channel.EMAIL,
        )

    def _raise_urgency(self) -> None:
        self._set(actions.update_fields(self._ticket, actor=self.first_level, urgency=Level.HIGH))

    def _link(self) -> None:
        other = self.rng.choice(self.earlier)
        relation = "parent" if self.rng.random() < 0.25 else "related"
        self._set(actions.link(self._ticket, actor=self.first_level, other=other, relation=relation))
        self._note(talk.LINK_NOTE)

    # --- playing -----------------------------------------------------------------------------------------

    def play(self, now: dt.datetime) -> Ticket:
        """Run the steps at their moments, squeezed into [opened, now) when the script is longer than that."""
        start = self.plan.created_at
        total = sum(minutes for minutes, _step, _anytime in self.steps)
        limit = now - dt.timedelta(minutes=1)
        room = (limit - start).total_seconds() / 60
        factor = min(1.0, room / total) if total > 0 else 1.0
        moment = start
        for minutes, step, anytime in self.steps:
            moment = self._next_moment(moment, minutes * factor, anytime, limit)
            with clock.frozen_at(moment):
                step()
        return self._ticket

    def _next_moment(self, previous: dt.datetime, minutes: float, anytime: bool, limit: dt.datetime) -> dt.datetime:
        candidate = previous + dt.timedelta(minutes=minutes)
        if not anytime:
            shifted = self._office_hours(candidate)
            if shifted < limit:
                candidate = shifted
        if candidate >= limit:  # office hours pushed the earlier steps on: keep order, stay in the past
            candidate = previous + (limit - previous) / 4
        return max(previous, candidate.replace(microsecond=0))

    def _office_hours(self, moment: dt.datetime) -> dt.datetime:
        """The moment itself on a weekday 8–17 (local time), else the next weekday morning."""
        local = timezone.localtime(moment)
        if local.weekday() < 5 and OFFICE_START <= local.hour < OFFICE_END:
            return moment
        if local.hour >= OFFICE_END:
            local += dt.timedelta(days=1)
        while local.weekday() >= 5:
            local += dt.timedelta(days=1)
        return local.replace(hour=OFFICE_START, minute=self.rng.randint(0, 50), second=self.rng.randint(0, 59))
