"""Full-text search over subject, description and articles: SQLite FTS5, or PostgreSQL's tsvector.

Both index the same normalized text (lower case, diacritics removed), so "tiskarna" finds "Tiskárna".
Each ticket has two texts: the public one (number, subject, description, public replies) and the internal one
(internal notes). Agents search both; everybody else only the public one, so a customer can never find a ticket
by a word that stands only in an internal note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from servicedesk.lib.text import fold
from servicedesk.tickets.models import ArticleKind, Ticket, TicketSearchDocument

_WORD = re.compile(r"\w+", re.UNICODE)


def terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:12]


def _words(texts: Iterable[str]) -> str:
    # Words only, so both databases' tokenizers see the same words ("2026-000123" is "2026 000123").
    return " ".join(_WORD.findall(fold("\n".join(texts))))


def document_text(ticket: Ticket, bodies: Iterable[str] | None = None) -> str:
    """The ticket's public searchable words; `bodies` are its public replies' texts when the caller knows them."""
    if bodies is None:
        bodies = ticket.articles.filter(kind=ArticleKind.REPLY).values_list("body", flat=True)
    return _words([ticket.number, ticket.subject, ticket.description, *bodies])


def internal_text(ticket: Ticket) -> str:
    """The words of the ticket's internal notes: searchable by agents only."""
    return _words(ticket.articles.filter(kind=ArticleKind.NOTE).values_list("body", flat=True))


def index_ticket(ticket: Ticket, *, created: bool = False) -> None:
    """(Re)build the ticket's search document. Called by the actions in the same transaction.

    created: the ticket was opened in this transaction, so it has no articles and no document yet; saying so
    saves three of the queries of opening a ticket."""
    body = document_text(ticket, bodies=() if created else None)
    internal = "" if created else internal_text(ticket)
    if connection.vendor == "sqlite":  # the FTS5 table holds the text itself
        with connection.cursor() as cursor:
            if not created:
                cursor.execute("DELETE FROM tickets_fts WHERE rowid = %s", [ticket.pk])
            cursor.execute(
                "INSERT INTO tickets_fts(rowid, public, internal) VALUES (%s, %s, %s)", [ticket.pk, body, internal]
            )
    elif created:
        TicketSearchDocument.objects.create(ticket_id=ticket.pk, body=body, internal=internal)
    else:
        TicketSearchDocument.objects.update_or_create(
            ticket_id=ticket.pk, defaults={"body": body, "internal": internal}
        )


def index_article(ticket: Ticket, body: str, *, public: bool) -> None:
    """Add one new article's words to the ticket's document: one UPDATE, instead of reading every article again
    (a ticket with a long e-mail conversation gets a reply every few minutes)."""
    words = _words([body])
    if not words:
        return
    if connection.vendor == "sqlite":
        column = "public" if public else "internal"
        sql = f"UPDATE tickets_fts SET {column} = {column} || ' ' || %s WHERE rowid = %s"  # noqa: S608 - constant
    else:
        column = "body" if public else "internal"
        sql = f"UPDATE tickets_ticketsearchdocument SET {column} = {column} || ' ' || %s WHERE ticket_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [words, ticket.pk])
        missing = cursor.rowcount == 0
    if missing:  # a ticket from before the index existed: build its document whole
        index_ticket(ticket)


# Each expression matches a GIN index of its own (migrations 0002 and 0005).
_PG_PUBLIC_TEXT = (
    "tickets_ticket.id IN (SELECT ticket_id FROM tickets_ticketsearchdocument"
    " WHERE to_tsvector('simple', body) @@ to_tsquery('simple', %s) OFFSET 0)"
)
_PG_ALL_TEXT = (
    "tickets_ticket.id IN (SELECT ticket_id FROM tickets_ticketsearchdocument"
    " WHERE to_tsvector('simple', body || ' ' || internal) @@ to_tsquery('simple', %s) OFFSET 0)"
)


def filter_tickets(queryset: QuerySet[Ticket], query: str, *, user: Any = None) -> QuerySet[Ticket]:
    """Tickets of the queryset that contain every word of the query (as a prefix). Internal notes count only
    when `user` is an agent; without a user only public text is searched."""
    words = terms(query)
    if not words:
        return queryset
    internal = user is not None and getattr(user, "is_staff", False)
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in words)
        if not internal:
            match = f"public : ({match})"
        # The unary + keeps SQLite from driving the query by the matches' ids: it walks the sort's index
        # (newest change first on the desk) and stops at the page's last row, instead of joining and sorting
        # every match. A common word (70,000 of 100,000 tickets) took 250 ms that way; now about 15 ms.
        return queryset.extra(
            where=["+tickets_ticket.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH %s)"],
            params=[match],
        )
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        # OFFSET 0 keeps PostgreSQL from flattening the subquery into a join: flattened, it walked the
        # tickets newest first and computed to_tsvector of each one's document (1.1 s for a word in 2,600
        # tickets); as a hashed subplan the GIN index answers the words once.
        return queryset.extra(  # noqa: S610 - constant SQL, the query words are bound parameters
            where=[_PG_ALL_TEXT if internal else _PG_PUBLIC_TEXT],
            params=[tsquery],
        )
    raise NotImplementedError(f"search is not implemented for {connection.vendor}")
