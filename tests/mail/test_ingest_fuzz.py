"""Whatever arrives, the ingester ends in a ticket, an article, ignored or the quarantine: never an exception,
never a message left unprocessed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.mail import ingest
from servicedesk.mail.models import InboundStatus, Mailbox
from tests.mail.test_ingest import eml

CORPUS = sorted((Path(__file__).parent / "eml").glob("*.eml"))
SEEDS = [
    eml(),
    eml(subject="Re: [#2026-000001]", in_reply_to="<m1@alfa.cz>", message_id="<m2@alfa.cz>"),
    eml(sender="", subject="", message_id=""),
    eml(extra="Auto-Submitted: auto-replied"),
    *(path.read_bytes() for path in CORPUS),
]
OUTCOMES = {"new_ticket", "article", "note", "review_note", "reopened", "new_linked", "duplicate", "ignored", "bounce"}


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SEEDS)))
    if draw(st.booleans()):  # a fresh Message-ID, or most examples would only be duplicates of the first
        raw = raw.replace(b"<m1@alfa.cz>", b"<%d@alfa.cz>" % draw(st.integers(0, 10**9)), 1)
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "dup"]))
        position = draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "flip" and raw:
            raw[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            raw = raw[:position] + raw[position + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            chunk = draw(
                st.sampled_from(
                    [b"\r\n", b"\x00", b"=?utf-8?b?w6HDqQ==?=", b"\xff\xfe", b": ", b"<", b"[#2026-000001]", b"--"]
                )
            )
            raw = raw[:position] + chunk + raw[position:]
        else:
            raw = raw + raw[position : position + 200]
    return bytes(raw)


@pytest.fixture
def mailbox(db, first_level_team, customer_user, settings) -> Mailbox:
    settings.MAIL_SENDER_RATE_LIMIT = "1000/1m"
    return Mailbox.objects.create(name="Helpdesk", address="helpdesk@desk.example", protocol="none")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=mangled())
def test_mangled_mail_always_ends_somewhere(mailbox, raw):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        message = ingest.receive(raw, mailbox=mailbox, source="smtp")

    assert message.status in (InboundStatus.PROCESSED, InboundStatus.QUARANTINED)
    if message.status == InboundStatus.PROCESSED:
        assert message.outcome in OUTCOMES
        if message.outcome in ("new_ticket", "new_linked", "article", "note", "review_note", "reopened"):
            assert message.ticket is not None
    else:
        assert message.reason
