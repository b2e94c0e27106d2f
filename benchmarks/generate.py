"""Build the benchmark database: 100,000 tickets with about 3 articles and 5 events each, plus the customers,
agents and teams around them, and the full-text index over all of it.

    .venv/bin/python -m benchmarks.generate            # SQLite in benchmarks/out/sqlite/
    BENCH_DATABASE_URL=postgres://... .venv/bin/python -m benchmarks.generate

Rows go in with bulk_create in batches (no actions: that would take an hour, and bench_open_ticket measures
the actions). A database that already holds the tickets is left alone; --force starts from scratch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import time

from benchmarks import common, words

BATCH = 2_000
AGENT_PASSWORD = "bench-password"
AGENT_USERNAME = "bench"
SEED = 20261127

TEAMS = [
    ("servicedesk", "Servicedesk", True),
    ("servers", "Servers", False),
    ("network", "Network", False),
    ("workplace", "Workplace", False),
    ("applications", "Applications", False),
]
ORGANIZATIONS = 300
CONTACTS_PER_ORGANIZATION = 10
AGENTS = 30

# The life a generated ticket went through: its final state and the events that led there.
LIFE = [
    ("closed", 0.55),
    ("resolved", 0.15),
    ("in_progress", 0.09),
    ("assigned", 0.05),
    ("new", 0.05),
    ("waiting_customer", 0.06),
    ("waiting_vendor", 0.03),
    ("cancelled", 0.02),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=common.TICKETS)
    parser.add_argument("--force", action="store_true", help="delete the benchmark database and build it again")
    statistics = parser.add_mutually_exclusive_group()
    statistics.add_argument(
        "--analyze", action="store_true", help="run ANALYZE: give the query planner table statistics"
    )
    statistics.add_argument(
        "--drop-statistics", action="store_true", help="forget ANALYZE's statistics (SQLite), as after a fresh install"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.force and common.database_label() == "sqlite":
        shutil.rmtree(common.data_dir(), ignore_errors=True)
    common.setup_django()
    ensure(args.tickets, force=args.force)
    if args.analyze or args.drop_statistics:
        planner_statistics(keep=args.analyze)


def planner_statistics(*, keep: bool) -> None:
    """SQLite plans without statistics until someone runs ANALYZE; nothing in Servicedesk does so yet."""
    from django.db import connection

    with connection.cursor() as cursor:
        if keep:
            cursor.execute("ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                cursor.execute("DELETE FROM sqlite_stat1")
    print("planner statistics " + ("gathered (ANALYZE)" if keep else "dropped"))


def ensure(tickets: int = common.TICKETS, *, force: bool = False) -> None:
    """Generate unless the database already holds the tickets. Django must be set up."""
    from django.core.management import call_command

    from servicedesk.tickets.models import Ticket

    call_command("migrate", verbosity=0)
    existing = Ticket.objects.count()
    if existing >= tickets and not force:
        print(f"benchmark database ready: {existing:,} tickets ({common.database_label()}, {common.data_dir()})")
        return
    if existing:
        if common.database_label() == "postgresql":
            call_command("flush", interactive=False, verbosity=0)
        else:
            sys.exit(f"{common.data_dir()} holds {existing:,} tickets, not {tickets:,}: run with --force")
    started = time.perf_counter()
    Generator(random.Random(SEED), tickets).run()
    print(f"generated {tickets:,} tickets in {time.perf_counter() - started:.0f} s")


class Generator:
    def __init__(self, rng: random.Random, tickets: int) -> None:
        self.rng = rng
        self.tickets = tickets
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        # Pools of text per topic, drawn from for every ticket: generating 400,000 texts would take minutes.
        topics = range(len(words.TOPICS))
        self.subjects = [[words.subject(rng, about) for _ in range(400)] for about in topics]
        self.bodies = [[words.paragraph(rng, 8, 40, about) for _ in range(1_500)] for about in topics]

    def run(self) -> None:
        self.people()
        self.ticket_rows()
        self.finish()

    def people(self) -> None:
        from django.contrib.auth.hashers import make_password
        from django.db import transaction

        from servicedesk.accounts.models import Contact, ContactRole, Organization, Team, User
        from servicedesk.tickets.models import Category

        password = make_password(AGENT_PASSWORD)  # hashed once: PBKDF2 for 31 users would take seconds
        with transaction.atomic():
            # The first-level team comes with the migrations.
            self.teams = [
                Team.objects.get_or_create(slug=slug, defaults={"name": name, "is_first_level": first})[0]
                for slug, name, first in TEAMS
            ]
            self.agents = User.objects.bulk_create(
                [
                    User(
                        username=AGENT_USERNAME if index == 0 else f"agent{index:02d}",
                        first_name=words.NAMES[index % len(words.NAMES)].capitalize(),
                        last_name=f"Agent{index:02d}",
                        email=f"agent{index:02d}@desk.example",
                        password=password,
                        is_staff=True,
                        language="en",
                    )
                    for index in range(AGENTS)
                ]
            )
            for index, agent in enumerate(self.agents):
                self.teams[index % len(self.teams)].members.add(agent)
            self.teams[0].members.add(self.agents[0])
            # The service catalogue comes with the migrations; tickets use it as it is.
            self.categories = list(Category.objects.all())
            # One save() each (3,300 rows, a few seconds): the models derive search columns in save().
            self.organizations = [
                Organization(name=f"Zákazník {index:03d} s.r.o.", email_domains=[f"customer{index:03d}.example"])
                for index in range(ORGANIZATIONS)
            ]
            for organization in self.organizations:
                organization.save()
            self.contacts = [
                Contact(
                    organization=organization,
                    name=f"{self.rng.choice(words.NAMES).capitalize()} {index}",
                    email=f"person{index}@customer{number:03d}.example",
                    phone=f"+420 601 {number:03d} {index:03d}",
                    role=ContactRole.MANAGER if index == 0 else ContactRole.USER,
                )
                for number, organization in enumerate(self.organizations)
                for index in range(CONTACTS_PER_ORGANIZATION)
            ]
            for contact in self.contacts:
                contact.save()

    def ticket_rows(self) -> None:
        from django.db import transaction

        self.sequence: dict[int, int] = {}
        span = dt.timedelta(days=730)
        # Oldest first, so ids and numbers grow with time as they do in a real desk.
        offsets = sorted(self.rng.random() for _ in range(self.tickets))
        started = time.perf_counter()
        for first in range(0, self.tickets, BATCH):
            batch = offsets[first : first + BATCH]
            moments = [self.now - span + span * offset for offset in batch]
            with transaction.atomic():
                self.ticket_batch(first + 1, moments)
            done = first + len(batch)
            rate = done / (time.perf_counter() - started)
            print(f"\r  tickets {done:>7,}/{self.tickets:,}  ({rate:,.0f}/s)", end="", flush=True)
        print()

    def ticket_batch(self, first_id: int, moments: list[dt.datetime]) -> None:
        from django.db import connection

        from servicedesk.tickets.models import (
            Article,
            ArticleKind,
            EventKind,
            TeamStint,
            Ticket,
            TicketEvent,
            TicketSearchDocument,
        )

        rng = self.rng
        tickets: list[Ticket] = []
        articles: list[Article] = []
        events: list[TicketEvent] = []
        stints: list[TeamStint] = []
        documents: list[tuple[int, str]] = []
        states = [state for state, _weight in LIFE]
        weights = [weight for _state, weight in LIFE]
        for offset, created in enumerate(moments):
            pk = first_id + offset
            year = created.year
            self.sequence[year] = self.sequence.get(year, 0) + 1
            state = rng.choices(states, weights)[0]
            about = words.topic(rng)
            contact = rng.choice(self.contacts)
            team = rng.choice(self.teams) if state != "new" else self.teams[0]
            agent = None if state == "new" or rng.random() < 0.05 else rng.choice(self.agents)
            later = min(created + dt.timedelta(hours=rng.uniform(0.1, 72)), self.now)
            impact, urgency = rng.choice(["high", "medium", "low"]), rng.choice(["high", "medium", "low"])
            ticket = Ticket(
                id=pk,
                number=f"{year}-{self.sequence[year]:06d}",
                subject=rng.choice(self.subjects[about]),
                description=rng.choice(self.bodies[about]),
                type=rng.choice(["incident", "incident", "service_request", "question"]),
                impact=impact,
                urgency=urgency,
                priority=_priority(impact, urgency),
                state=state,
                channel=rng.choice(["web", "email", "email", "phone", "monitoring"]),
                organization_id=contact.organization_id,
                requester=contact,
                category=rng.choice(self.categories),
                team=team,
                assigned_to=agent,
                created_by=agent,
                created_at=created,
                updated_at=later,
                assigned_at=created if agent else None,
                resolved_at=later if state in {"resolved", "closed"} else None,
                closed_at=later if state == "closed" else None,
            )
            tickets.append(ticket)
            bodies: list[str] = []
            notes: list[str] = []
            for number in range(rng.choice([1, 2, 3, 3, 4, 5])):
                body = rng.choice(self.bodies[about])
                at = created + (later - created) * (number + 1) / 6
                kind = ArticleKind.NOTE if number == 1 else ArticleKind.REPLY
                (notes if kind == ArticleKind.NOTE else bodies).append(body)
                articles.append(
                    Article(ticket_id=pk, kind=kind, author=agent, author_contact=None, body=body, created_at=at)
                )
            history = [(EventKind.CREATED, "", "", ticket.channel, True)]
            if agent is not None:
                history.append((EventKind.ASSIGNED, "assigned_to", "", agent.get_full_name(), False))
                history.append((EventKind.STATE_CHANGED, "state", "new", "assigned", True))
            history.append((EventKind.REPLY_ADDED, "", "", "", True))
            if state not in {"new", "assigned"}:
                history.append((EventKind.STATE_CHANGED, "state", "assigned", state, True))
            for number, (kind, field, old, new, public) in enumerate(history):
                events.append(
                    TicketEvent(
                        ticket_id=pk,
                        kind=kind,
                        actor=agent,
                        field=field,
                        old_value=old,
                        new_value=new,
                        is_public=public,
                        created_at=created + (later - created) * number / len(history),
                    )
                )
            stints.append(TeamStint(ticket_id=pk, team=team, started_at=created))
            documents.append((pk, document_text(ticket, bodies), text_words(notes)))
        Ticket.objects.bulk_create(tickets)
        Article.objects.bulk_create(articles, batch_size=1_000)
        TicketEvent.objects.bulk_create(events, batch_size=1_000)
        TeamStint.objects.bulk_create(stints)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany("INSERT INTO tickets_fts(rowid, public, internal) VALUES (%s, %s, %s)", documents)
        else:
            TicketSearchDocument.objects.bulk_create(
                [TicketSearchDocument(ticket_id=pk, body=body, internal=internal) for pk, body, internal in documents]
            )

    def finish(self) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        from servicedesk.accounts.models import Contact, Organization, Team, User
        from servicedesk.tickets.models import Article, TeamStint, Ticket, TicketEvent, TicketNumberSequence

        # The next ticket opened through the actions continues each year's numbering.
        TicketNumberSequence.objects.bulk_create(
            [TicketNumberSequence(year=year, last=last) for year, last in self.sequence.items()]
        )
        models = [Ticket, Article, TicketEvent, TeamStint, Team, User, Organization, Contact]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")  # what autovacuum would do within a minute of the load
        check_search_documents()


def _priority(impact: str, urgency: str) -> int:
    from servicedesk.tickets.models import priority_for

    return priority_for(impact, urgency)


_WORD = re.compile(r"\w+", re.UNICODE)


def text_words(parts: list[str]) -> str:
    from servicedesk.tickets import search

    return " ".join(_WORD.findall(search.fold("\n".join(parts))))


def document_text(ticket: object, bodies: list[str]) -> str:
    """search.document_text over plain data (the ticket is not saved yet); checked against it afterwards."""
    return text_words([ticket.number, ticket.subject, ticket.description, *bodies])  # type: ignore[attr-defined]


def check_search_documents(sample: int = 20) -> None:
    """The generated index holds exactly what the actions would have written: compare a sample."""
    from django.db import connection

    from servicedesk.tickets import search
    from servicedesk.tickets.models import Ticket, TicketSearchDocument

    for ticket in Ticket.objects.order_by("?")[:sample]:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT public, internal FROM tickets_fts WHERE rowid = %s", [ticket.pk])
                stored = tuple(cursor.fetchone())
        else:
            document = TicketSearchDocument.objects.get(ticket=ticket)
            stored = (document.body, document.internal)
        if stored != (search.document_text(ticket), search.internal_text(ticket)):
            sys.exit(f"search document of {ticket.number} differs from search.document_text")


if __name__ == "__main__":
    main()
