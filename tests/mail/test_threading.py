"""The threading decision, pure: Message-IDs first, then the subject tag, else a new ticket; loops never open
tickets; outsiders never write publicly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servicedesk.mail.threading import Action, Decision, MessageFacts, TicketFacts, decide, locate, subject_tag

OPEN = TicketFacts(ticket_id=1, closed=False, reopenable=False, participants=frozenset({"jana@alfa.cz"}))
OTHER = TicketFacts(ticket_id=2, closed=False, reopenable=False, participants=frozenset({"jana@alfa.cz"}))
TICKETS = {1: OPEN, 2: OTHER}


def message(**overrides) -> MessageFacts:
    return MessageFacts(
        **{"sender": "jana@alfa.cz", "subject": "Printer", "thread_ids": (), **overrides}  # type: ignore[arg-type]
    )


def test_subject_tag():
    assert subject_tag("Re: Printer [#2026-000123]") == "2026-000123"
    assert subject_tag("AW: [#2026-000123] and [#2026-000999]") == "2026-000123"
    assert subject_tag("Re: [#26-1]") is None
    assert subject_tag("Re: #2026-000123") is None
    assert subject_tag("") is None


def test_message_ids_win_over_the_tag_and_nearest_first():
    facts = message(thread_ids=("<b>", "<a>"), subject="[#2026-000002]")
    assert locate(facts, known_ids={"<a>": 2, "<b>": 1}, numbers={"2026-000002": 2}) == 1
    assert locate(message(thread_ids=("<x>",), subject="[#2026-000002]"), known_ids={}, numbers={"2026-000002": 2}) == 2
    assert locate(message(subject="[#2026-000404]"), known_ids={}, numbers={}) is None


def test_new_ticket_when_nothing_threads():
    assert decide(message(), known_ids={}, numbers={}, tickets={}) == Decision(Action.NEW_TICKET)


def test_reply_of_a_participant_is_an_article():
    decision = decide(message(thread_ids=("<a>",)), known_ids={"<a>": 1}, numbers={}, tickets=TICKETS)
    assert decision == Decision(Action.ARTICLE, 1)


def test_organization_domain_counts_as_participant():
    ticket = TicketFacts(1, False, False, frozenset(), frozenset({"alfa.cz"}))
    decision = decide(
        message(sender="new@alfa.cz", thread_ids=("<a>",)), known_ids={"<a>": 1}, numbers={}, tickets={1: ticket}
    )
    assert decision.action == Action.ARTICLE


def test_stranger_by_policy():
    facts = message(sender="mallory@evil.example", thread_ids=("<a>",))
    assert decide(facts, known_ids={"<a>": 1}, numbers={}, tickets=TICKETS).action == Action.REVIEW_NOTE
    assert (
        decide(facts, known_ids={"<a>": 1}, numbers={}, tickets=TICKETS, stranger_policy="new_ticket").action
        == Action.NEW_LINKED
    )


def test_closed_ticket_reopens_within_the_window_else_a_linked_ticket():
    facts = message(thread_ids=("<a>",))
    reopenable = {1: TicketFacts(1, True, True, frozenset({"jana@alfa.cz"}))}
    stale = {1: TicketFacts(1, True, False, frozenset({"jana@alfa.cz"}))}
    assert decide(facts, known_ids={"<a>": 1}, numbers={}, tickets=reopenable) == Decision(Action.REOPEN, 1)
    assert decide(facts, known_ids={"<a>": 1}, numbers={}, tickets=stale).action == Action.NEW_LINKED


def test_bounce_goes_to_the_ticket_of_the_bounced_message():
    facts = message(sender="mailer-daemon@x", is_bounce=True, automatic_reason="dsn", bounced_message_id="<out>")
    assert decide(facts, known_ids={"<out>": 2}, numbers={}, tickets=TICKETS) == Decision(Action.BOUNCE, 2, "bounce")
    assert decide(facts, known_ids={}, numbers={}, tickets={}).action == Action.BOUNCE


def test_no_sender_is_quarantined():
    assert decide(message(sender=""), known_ids={}, numbers={}, tickets={}).action == Action.QUARANTINE


addresses = st.sampled_from(["jana@alfa.cz", "mallory@evil.example", "new@alfa.cz", ""])
ids = st.lists(st.sampled_from(["<a>", "<b>", "<c>", "<zzz>"]), max_size=4).map(tuple)
subjects = st.sampled_from(["Printer", "Re: [#2026-000001]", "[#2026-000002] again", "[#2026-000404]"])
ticket_facts = st.builds(
    TicketFacts,
    ticket_id=st.just(0),
    closed=st.booleans(),
    reopenable=st.booleans(),
    participants=st.frozensets(addresses),
    organization_domains=st.frozensets(st.sampled_from(["alfa.cz", "beta.cz"])),
)


@given(
    sender=addresses,
    subject=subjects,
    thread_ids=ids,
    automatic=st.sampled_from(["", "auto-replied"]),
    known=st.dictionaries(st.sampled_from(["<a>", "<b>", "<c>"]), st.sampled_from([1, 2])),
    first=ticket_facts,
    second=ticket_facts,
    policy=st.sampled_from(["note", "new_ticket"]),
)
def test_promises_hold_for_any_message(sender, subject, thread_ids, automatic, known, first, second, policy):
    tickets = {1: TicketFacts(1, *_rest(first)), 2: TicketFacts(2, *_rest(second))}
    numbers = {"2026-000001": 1, "2026-000002": 2}
    facts = message(sender=sender, subject=subject, thread_ids=thread_ids, automatic_reason=automatic)

    decision = decide(facts, known_ids=known, numbers=numbers, tickets=tickets, stranger_policy=policy)

    # A brute-force reference of where the message threads.
    expected_ticket = next((known[i] for i in thread_ids if i in known), None)
    if expected_ticket is None:
        expected_ticket = {"Re: [#2026-000001]": 1, "[#2026-000002] again": 2}.get(subject)
    if automatic:  # loops and noise: never a ticket, never public
        assert decision.action in (Action.NOTE, Action.IGNORE)
        assert decision.ticket_id == expected_ticket
        return
    if not sender:
        assert decision.action == Action.QUARANTINE
        return
    if expected_ticket is None:
        assert decision.action == Action.NEW_TICKET
        return
    ticket = tickets[expected_ticket]
    participant = sender in ticket.participants or sender.split("@")[1] in ticket.organization_domains
    public = decision.action in (Action.ARTICLE, Action.REOPEN)
    assert decision.ticket_id == expected_ticket
    assert public == (participant and (not ticket.closed or ticket.reopenable))
    if decision.action == Action.ARTICLE:
        assert not ticket.closed
    if not participant:
        assert decision.action == (Action.REVIEW_NOTE if policy == "note" else Action.NEW_LINKED)


def _rest(facts: TicketFacts) -> tuple:
    return facts.closed, facts.reopenable, facts.participants, facts.organization_domains
