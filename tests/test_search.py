"""Full-text search over subject, description and articles, on both databases."""

from servicedesk.tickets import actions, search
from servicedesk.tickets.models import Ticket


def found(query):
    return set(search.filter_tickets(Ticket.objects.all(), query).values_list("subject", flat=True))


def test_search_finds_subject_description_and_articles_without_diacritics(l1_agent):
    printer = actions.open_ticket(actor=l1_agent, subject="Tiskárna netiskne", description="účtárna, 2. patro")
    actions.open_ticket(actor=l1_agent, subject="VPN nejde", description="Home office")
    actions.add_article(printer, actor=l1_agent, body="Vyměněn toner Kyocera")
    assert found("tiskarna") == {"Tiskárna netiskne"}
    assert found("ÚČTÁRNA") == {"Tiskárna netiskne"}
    assert found("kyocera") == {"Tiskárna netiskne"}
    assert found("tisk") == {"Tiskárna netiskne"}  # prefix
    assert found("vpn office") == {"VPN nejde"}  # every word
    assert found("vpn kyocera") == set()


def test_search_by_ticket_number(ticket):
    assert found(ticket.number) == {ticket.subject}


def test_odd_queries_do_not_crash(ticket):
    for query in ['"', "*", "AND OR NOT", 'a"b', "NEAR(", "'; drop table", "-", "^"]:
        search.filter_tickets(Ticket.objects.all(), query).count()
