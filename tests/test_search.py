"""Full-text search over subject, description and articles, on both databases."""

from servicedesk.tickets import actions, search
from servicedesk.tickets.models import Ticket


def found(query, user=None):
    tickets = search.filter_tickets(Ticket.objects.all(), query, user=user)
    return set(tickets.values_list("subject", flat=True))


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


def test_internal_notes_are_searchable_by_agents_only(ticket, l1_agent, customer_user):
    actions.add_article(ticket, actor=l1_agent, body="heslo k routeru je v trezoru", kind="note")
    actions.add_article(ticket, actor=l1_agent, body="Posíláme technika", kind="reply")
    assert found("trezoru", user=l1_agent) == {ticket.subject}
    assert found("trezoru", user=customer_user.user) == set()
    assert found("trezoru") == set()  # no user: public text only
    assert found("technika", user=customer_user.user) == {ticket.subject}
    assert found("technika trezoru", user=l1_agent) == {ticket.subject}  # words may stand in either part
