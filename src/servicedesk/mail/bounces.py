"""Bounces: delivery status notifications (RFC 3464 multipart/report) and the common non-standard reports from
MAILER-DAEMON / postmaster. Works on an already parsed `email` message; reads, never raises."""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import re
from dataclasses import dataclass
from email.message import Message

BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
ANGLED_ADDRESS = re.compile(r"<([^<>\s@]{1,64}@[^<>\s@]{1,255})>\s*:")
ADDRESS = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,10}")  # bounded: runs over whole bodies
MESSAGE_ID_LINE = re.compile(r"^Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Bounce:
    is_bounce: bool = False
    message_id: str = ""  # of the message that bounced, with angle brackets
    recipients: tuple[str, ...] = ()  # lower case; those the report says failed


NOT_A_BOUNCE = Bounce()


def detect(message: Message, from_address: str, body_text: str) -> Bounce:
    """Read a bounce out of `message`; `body_text` is the human-readable text of the report."""
    is_report = (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )
    sender = from_address.split("@")[0].lower()
    if not is_report and sender not in BOUNCE_SENDERS:
        return NOT_A_BOUNCE
    original = original_headers(message)
    message_id = ""
    if original is not None:
        message_id = first_id(str(original.get("Message-ID", "") or ""))
    if not message_id:
        found = MESSAGE_ID_LINE.search(body_text)
        message_id = found.group(1) if found else ""
    recipients = failed_recipients(message)
    if not recipients and not is_report:
        recipients = recipients_from_text(body_text, original)
    return Bounce(is_bounce=True, message_id=message_id, recipients=recipients)


def first_id(value: str) -> str:
    found = re.search(r"<[^<>\s]+>", value)
    if found:
        return found.group(0)
    value = value.strip()
    return f"<{value}>" if value and " " not in value else ""


def parts(message: Message) -> list[Message]:
    """Every part, not descending into attached messages (their parts are not the report)."""
    found = [message]
    payload = message.get_payload()
    if message.is_multipart() and message.get_content_maintype() != "message" and isinstance(payload, list):
        for part in payload:
            if isinstance(part, Message):
                found.extend(parts(part))
    return found


def original_headers(message: Message) -> Message | None:
    """The headers of the bounced message: an attached message/rfc822 or a text/rfc822-headers part."""
    for part in parts(message)[1:]:
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
        if content_type in {"text/rfc822-headers", "message/rfc822-headers"}:
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    return None


def failed_recipients(message: Message) -> tuple[str, ...]:
    """Final-Recipient (or Original-Recipient) of every per-recipient block whose Action is failed."""
    failed: list[str] = []
    for part in parts(message):
        if part.get_content_type() not in {"message/delivery-status", "message/global-delivery-status"}:
            continue
        for block in delivery_status_blocks(part):
            if block.get("action", "").strip().lower() != "failed":
                continue
            recipient = block.get("final-recipient") or block.get("original-recipient") or ""
            address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
            if "@" in address and address not in failed:
                failed.append(address)
    return tuple(failed)


def delivery_status_blocks(part: Message) -> list[dict[str, str]]:
    """The field blocks of a delivery-status part, read from its text: the library's own reading of this type
    varies with the input, the text does not."""
    payload = part.get_payload()
    if isinstance(payload, list):
        text = "\n\n".join(block.as_string() for block in payload if isinstance(block, Message))
    else:
        raw = part.get_payload(decode=True)
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(payload)
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        for line in chunk.split("\n"):
            name, colon, value = line.partition(":")
            if colon and name.strip() and not name.startswith((" ", "\t")):
                fields[name.strip().lower()] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def recipients_from_text(text: str, original: Message | None) -> tuple[str, ...]:
    """Non-standard reports: the addresses the text names that the original was sent to; without the original,
    the qmail/Postfix style "<address>:" lines."""
    if original is not None:
        sent_to = {
            address.lower()
            for _, address in email.utils.getaddresses(
                [str(value) for name in ("To", "Cc", "Bcc") for value in original.get_all(name, [])]
            )
        }
        named = [address.lower().rstrip(".") for address in ADDRESS.findall(text)]
        found = [address for address in dict.fromkeys(named) if address in sent_to]
        if found:
            return tuple(found)
    return tuple(dict.fromkeys(address.lower() for address in ANGLED_ADDRESS.findall(text)))
