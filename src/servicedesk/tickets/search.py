"""Full-text search over subject, description and articles: SQLite FTS5, or PostgreSQL's tsvector.

Both index the same normalized text (lower case, diacritics removed), so "tiskarna" finds "Tiskárna".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from servicedesk.lib.text import fold
from servicedesk.tickets.models import Ticket, TicketSearchDocument

_WORD = re.compile(r"\w+", re.UNICODE)


normalize = fold


def terms(query: str) -> list[str]:
    return _WORD.findall(normalize(query))[:12]


def document_text(ticket: Ticket, bodies: Iterable[str] | None = None) -> str:
    """The ticket's searchable words; `bodies` are its articles' texts when the caller knows them."""
    if bodies is None:
        bodies = ticket.articles.values_list("body", flat=True)
    text = normalize("\n".join([ticket.number, ticket.subject, ticket.description, *bodies]))
    # Words only, so both databases' tokenizers see the same words ("2026-000123" is "2026 000123").
    return " ".join(_WORD.findall(text))


def index_ticket(ticket: Ticket, *, created: bool = False) -> None:
    """(Re)build the ticket's search document. Called by the actions in the same transaction.

    created: the ticket was opened in this transaction, so it has no articles and no document yet; saying so
    saves three of the queries of opening a ticket."""
    body = document_text(ticket, bodies=() if created else None)
    if connection.vendor == "sqlite":  # the FTS5 table holds the text itself
        with connection.cursor() as cursor:
            if not created:
                cursor.execute("DELETE FROM tickets_fts WHERE rowid = %s", [ticket.pk])
            cursor.execute("INSERT INTO tickets_fts(rowid, body) VALUES (%s, %s)", [ticket.pk, body])
    elif created:
        TicketSearchDocument.objects.create(ticket_id=ticket.pk, body=body)
    else:
        TicketSearchDocument.objects.update_or_create(ticket_id=ticket.pk, defaults={"body": body})


def filter_tickets(queryset: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """Tickets of the queryset that contain every word of the query (as a prefix)."""
    words = terms(query)
    if not words:
        return queryset
    if connection.vendor == "sqlite":
        match = " ".join(f'"{word}"*' for word in words)
        # The unary + keeps SQLite from driving the query by the matches' ids: it walks the sort's index
        # (newest change first on the desk) and stops at the page's last row, instead of joining and sorting
        # every match. A common word (70,000 of 100,000 tickets) took 250 ms that way; now about 15 ms.
        return queryset.extra(
            where=["+tickets_ticket.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH %s)"],
            params=[match],
        )
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        return queryset.extra(
            # OFFSET 0 keeps PostgreSQL from flattening the subquery into a join: flattened, it walked the
            # tickets newest first and computed to_tsvector of each one's document (1.1 s for a word in 2,600
            # tickets); as a hashed subplan the GIN index answers the words once.
            where=[
                "tickets_ticket.id IN (SELECT ticket_id FROM tickets_ticketsearchdocument"
                " WHERE to_tsvector('simple', body) @@ to_tsquery('simple', %s) OFFSET 0)"
            ],
            params=[tsquery],
        )
    condition = queryset
    for word in words:
        condition = condition.filter(search_document__body__contains=word)
    return condition
