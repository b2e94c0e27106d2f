"""Raw message bytes → a ParsedMessage: plain data the threading and the ingester work with. Never raises on
bad input: what cannot be read is reported in `defects` (the ingester decides about quarantine).

The standard library's `email` with `policy.default` does the MIME work."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False  # shown in the HTML body (Content-ID referenced)
    content_id: str = ""  # without angle brackets


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str  # with angle brackets, as in the header; "" when missing
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_address: str  # lower case; "" when there is none
    from_name: str
    to: tuple[str, ...]  # lower-case addresses
    cc: tuple[str, ...]
    date: dt.datetime | None
    text: str  # the new text (the quoted history removed); from HTML when the message has no text part
    quoted: str  # the quoted history of a reply, "" when none was found
    html: str  # sanitized HTML part (nh3), "" when none
    attachments: tuple[ParsedAttachment, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names of the headers loops are judged by
    # Loops and noise (RFC 3834 and friends): why this message must never open a ticket or get an answer.
    automatic_reason: str = ""
    is_bounce: bool = False
    bounced_message_id: str = ""  # the Message-ID of our mail that bounced, when the report names it
    bounced_recipients: tuple[str, ...] = ()
    defects: tuple[str, ...] = ()  # parser complaints; "" means clean

    @property
    def is_automatic(self) -> bool:
        return bool(self.automatic_reason)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this one answers, nearest first: In-Reply-To, then References from the newest."""
        seen: list[str] = []
        for value in (*self.in_reply_to, *reversed(self.references)):
            if value and value not in seen:
                seen.append(value)
        return tuple(seen)


def _addresses(values: list[str]) -> tuple[str, ...]:
    return tuple(address.lower() for _, address in email.utils.getaddresses(values) if "@" in address)


def _ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(f"<{part.strip('<> ')}>" for part in str(value).replace(",", " ").split() if part.strip("<> "))


def parse(raw: bytes) -> ParsedMessage:
    """A first version: headers and the text part. mail/parsing.py's owner extends it (HTML, attachments, quotes)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = tuple(type(d).__name__ for d in message.defects)
    name, address = email.utils.parseaddr(str(message.get("From", "")))
    try:
        date = email.utils.parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return ParsedMessage(
        message_id=(_ids(str(message.get("Message-ID", ""))) or ("",))[0],
        in_reply_to=_ids(message.get("In-Reply-To")),
        references=_ids(message.get("References")),
        subject=str(message.get("Subject", "")),
        from_address=address.lower(),
        from_name=name,
        to=_addresses([str(v) for v in message.get_all("To", [])]),
        cc=_addresses([str(v) for v in message.get_all("Cc", [])]),
        date=date,
        text=text,
        quoted="",
        html="",
        defects=defects,
    )
