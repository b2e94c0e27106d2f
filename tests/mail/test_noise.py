"""Automatic mail is recognised, and the reason names the rule (RFC 3834 and common practice)."""

from __future__ import annotations

import pytest

from servicedesk.mail.noise import automatic_reason

DOMAIN = "desk.example.com"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"auto-submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"auto-submitted": "Auto-Generated; owner-email=x@y"}, "Auto-Submitted: auto-generated; owner-email=x@y"),
        ({"x-auto-response-suppress": "All"}, "X-Auto-Response-Suppress present"),
        ({"x-auto-response-suppress": ""}, "X-Auto-Response-Suppress present"),
        ({"precedence": "bulk"}, "Precedence: bulk"),
        ({"precedence": "Junk"}, "Precedence: junk"),
        ({"precedence": " list "}, "Precedence: list"),
        ({"list-id": "<users.lists.example>"}, "List-Id present (mailing list)"),
        ({"x-loop": "servicedesk@desk.example.com"}, "X-Loop: servicedesk@desk.example.com (our own mail)"),
        (
            {"x-loop": "other@x.cz\n<ServiceDesk@Desk.Example.com>"},
            "X-Loop: servicedesk@desk.example.com (our own mail)",
        ),
        ({"message-id": "<ticket-1-reply-2@desk.example.com>"}, "Message-ID is ours (our own mail came back)"),
        ({"x-autoreply": "yes"}, "x-autoreply present (auto-reply)"),
        ({"x-autorespond": "vacation"}, "x-autorespond present (auto-reply)"),
        ({"subject": "Automatic reply: [#1] Printer"}, "auto-reply subject (automatic reply:)"),
        ({"subject": "Out of Office: Re: x"}, "auto-reply subject (out of office)"),
        ({"subject": "OUT OF OFFICE   until Monday"}, "auto-reply subject (out of office)"),
        ({"subject": "Automatická odpověď: [#1] Tisk"}, "auto-reply subject (automatická odpověď:)"),
        ({"subject": "Nepřítomen: [#1] Tisk"}, "auto-reply subject (nepřítomen)"),
    ],
)
def test_automatic(headers, reason):
    assert automatic_reason(headers, DOMAIN) == reason


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"auto-submitted": "no"},
        {"auto-submitted": " No "},
        {"precedence": "normal"},
        {"x-loop": "servicedesk@other.example"},
        {"x-loop": "servicedesk@desk.example.com.evil.example"},
        {"message-id": "<abc@firma.cz>"},
        {"message-id": "<abc@notdesk.example.com.cz>"},
        {"message-id": "<abc@sub.desk.example.com.example>"},
        {"subject": "Re: Automatic reply: the rule we set up"},
        {"subject": "Dotaz na out of office nastavení"},
    ],
)
def test_written_by_a_person(headers):
    assert automatic_reason(headers, DOMAIN) == ""


def test_the_first_rule_that_matches_is_named():
    headers = {"subject": "Out of Office", "precedence": "bulk", "auto-submitted": "auto-replied"}
    assert automatic_reason(headers, DOMAIN) == "Auto-Submitted: auto-replied"


def test_without_a_domain_no_message_id_is_ours():
    assert automatic_reason({"message-id": "<a@>"}, "") == ""
