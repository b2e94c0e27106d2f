"""Raw message bytes → a ParsedMessage: plain data the threading and the ingester work with. Never raises on
bad input: what cannot be read is reported in `defects` (the ingester decides about quarantine).

The standard library's `email` with `policy.default` does the MIME work; header words, charsets and file names are
decoded here with fallbacks (declared charset, then UTF-8, then Windows-1250 with replacement: Czech mail lies about
its charset more often than one would hope). HTML is sanitized with nh3; remote images are dropped so that opening
a ticket never tells a sender it was read. Quoted history, loops and bounces: quoting.py, noise.py, bounces.py."""

from __future__ import annotations

import base64
import binascii
import codecs
import dataclasses
import datetime as dt
import email
import email.policy
import email.quoprimime
import email.utils
import html as html_module
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from typing import Any, TypeVar

import nh3
from django.conf import settings

from servicedesk.mail import bounces, noise, quoting


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


ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
BETWEEN_ENCODED_WORDS = re.compile(r"(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)")
ANGLED_ID = re.compile(r"<([^<>\s]+)>")
UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f]")
MAX_DEPTH = 40
T = TypeVar("T")


def parse(raw: bytes, *, mail_domain: str | None = None, attachment_max_bytes: int | None = None) -> ParsedMessage:
    """Read one e-mail. The keyword arguments default to the MAIL_DOMAIN and ATTACHMENT_MAX_BYTES settings."""
    domain = settings.MAIL_DOMAIN if mail_domain is None else mail_domain
    limit = settings.ATTACHMENT_MAX_BYTES if attachment_max_bytes is None else attachment_max_bytes
    try:
        return without_nul(read(bytes(raw), domain, limit))
    except Exception as exc:  # the last line of defence: the parser promises never to raise
        return ParsedMessage(
            message_id="", in_reply_to=(), references=(), subject="", from_address="", from_name="", to=(), cc=(),
            date=None, text="", quoted="", html="", defects=(f"unreadable message: {type(exc).__name__}",),
        )  # fmt: skip


def _clean(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return tuple(item.replace("\x00", "") for item in value)
    return value


def without_nul(parsed: ParsedMessage) -> ParsedMessage:
    """No NUL characters in any text: PostgreSQL's text columns refuse them (a mangled message showed it)."""
    changes: dict[str, Any] = {}
    for item in dataclasses.fields(parsed):
        value = getattr(parsed, item.name)
        cleaned = _clean(value)
        if cleaned is not value:
            changes[item.name] = cleaned
    headers = {name: value.replace("\x00", "") for name, value in parsed.headers.items()}
    attachments = tuple(
        dataclasses.replace(a, filename=a.filename.replace("\x00", ""), content_id=a.content_id.replace("\x00", ""))
        for a in parsed.attachments
    )
    return dataclasses.replace(parsed, **changes, headers=headers, attachments=attachments)


def read(raw: bytes, mail_domain: str, attachment_max_bytes: int) -> ParsedMessage:
    raw, dropped = drop_broken_header_lines(raw)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    headers = Headers(message)
    body = Body(attachment_max_bytes)
    body.visit(message, 0)
    from_pairs = headers.addresses("From")
    from_name, from_address = from_pairs[0] if from_pairs else ("", "")
    subject = headers.first("Subject")
    text, quoted = body.text_and_quoted()
    judged = {name: headers.joined(name) for name in noise.JUDGED_HEADERS if headers.all(name)}
    reason = noise.automatic_reason(judged, mail_domain)
    whole_text = f"{text}\n{quoted}"
    bounce = safely(lambda: bounces.detect(message, from_address, whole_text), bounces.NOT_A_BOUNCE)
    if bounce.is_bounce and not reason:
        reason = "bounce (delivery report)"
    return ParsedMessage(
        message_id=(ids(headers.first_raw("Message-ID")) or ("",))[0],
        in_reply_to=ids(headers.first_raw("In-Reply-To")),
        references=ids(" ".join(headers.all_raw("References"))),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        to=tuple(address for _, address in headers.addresses("To")),
        cc=tuple(address for _, address in headers.addresses("Cc")),
        date=parse_date(headers.first_raw("Date")),
        text=text,
        quoted=quoted,
        html=body.sanitized_html(),
        attachments=tuple(body.attachments),
        headers=judged,
        automatic_reason=reason,
        is_bounce=bounce.is_bounce,
        bounced_message_id=bounce.message_id,
        bounced_recipients=bounce.recipients,
        defects=tuple(dict.fromkeys([*dropped, *(type(defect).__name__ for defect in message.defects), *body.defects])),
    )


HEADER_LINE = re.compile(rb"^(?:[!-9;-~]+[ \t]*:|[ \t])")


def drop_broken_header_lines(raw: bytes) -> tuple[bytes, list[str]]:
    """A header line without a colon would end the header block for the library and turn every header after it
    into body text; dropped instead, and noted. An mbox "From " line goes the same way."""
    end = min((found for found in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if found >= 0), default=len(raw))
    lines = raw[:end].splitlines(keepends=True)
    kept = [line for line in lines if HEADER_LINE.match(line)]
    if len(kept) == len(lines):
        return raw, []
    return b"".join(kept) + raw[end:], [f"header line without colon dropped ({len(lines) - len(kept)})"]


def safely(function: Callable[[], T], default: T) -> T:
    try:
        return function()
    except Exception:
        return default


# --- headers -------------------------------------------------------------------------------------------------------


class Headers:
    """Header values read from the raw lines, so a broken header never raises on access."""

    def __init__(self, message: Message) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            unfolded = re.sub(r"\r?\n[ \t]*", " ", str(value)).strip()
            if has_surrogates(unfolded):  # 8-bit bytes in a header: decode them as a body would be
                unfolded = decode_bytes(unfolded.encode("utf-8", "surrogateescape"), "utf-8")
            self.values.setdefault(name.lower(), []).append(unfolded)

    def all_raw(self, name: str) -> list[str]:
        return self.values.get(name.lower(), [])

    def first_raw(self, name: str) -> str:
        return (self.all_raw(name) or [""])[0]

    def all(self, name: str) -> list[str]:
        return [decode_words(value) for value in self.all_raw(name)]

    def first(self, name: str) -> str:
        return decode_words(self.first_raw(name))

    def joined(self, name: str) -> str:
        return "\n".join(self.all(name))

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(display name, lower-case address) pairs; names decoded, entries without an address left out."""
        empty: list[tuple[str, str]] = []
        pairs = safely(lambda: email.utils.getaddresses(self.all_raw(name)), empty)
        return [(decode_words(display), address.lower()) for display, address in pairs if "@" in address]


def has_surrogates(value: str) -> bool:
    return any("\udc80" <= character <= "\udcff" for character in value)


def decode_words(value: str) -> str:
    """RFC 2047 encoded words → text, with the charset fallbacks of message bodies."""
    value = BETWEEN_ENCODED_WORDS.sub(r"\1", value)  # whitespace between two encoded words is not text

    def word(match: re.Match[str]) -> str:
        charset, encoding, data = match.group(1).split("*")[0], match.group(2).lower(), match.group(3)
        try:
            if encoding == "b":
                decoded = base64.b64decode(data + "=" * (-len(data) % 4))
            else:
                decoded = email.quoprimime.header_decode(data).encode("latin-1", "replace")
        except (binascii.Error, ValueError):
            return match.group(0)
        return decode_bytes(decoded, charset)

    return ENCODED_WORD.sub(word, value).replace("\x00", "")


def decode_bytes(data: bytes, declared: str | None, defects: list[str] | None = None) -> str:
    """The declared charset if it reads the bytes, else UTF-8, else Windows-1250 with replacement characters."""
    charset = (declared or "").strip().strip("\"'").lower()
    if charset and defects is not None and not known_text_charset(charset):
        defects.append(f"unknown charset: {charset[:40]}")
    for candidate in (charset, "utf-8"):
        if candidate and known_text_charset(candidate):
            try:
                return data.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
    # UTF-8 with a few broken bytes (a cut line, bad base64) is still UTF-8; mislabelled Windows-1250 is not.
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    if broken <= sum(1 for character in text if ord(character) > 127) - broken:
        return text
    return data.decode("cp1250", "replace")


def known_text_charset(charset: str) -> bool:
    try:
        return codecs.lookup(charset)._is_text_encoding  # type: ignore[attr-defined,no-any-return]
    except (LookupError, TypeError, ValueError):
        return False


def ids(value: str) -> tuple[str, ...]:
    """Message-IDs with angle brackets; bare IDs (no brackets, with an @) are tolerated."""
    if not value:
        return ()
    found = ANGLED_ID.findall(value)
    if not found:
        found = [part.strip("<>,;") for part in value.split() if "@" in part]
    return tuple(dict.fromkeys(f"<{part}>" for part in found if part))


def parse_date(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        date = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return date if date.tzinfo is not None else date.replace(tzinfo=dt.UTC)


# --- body ----------------------------------------------------------------------------------------------------------


class Body:
    """Walks the MIME tree once: the first text and HTML parts are the body, the rest are attachments."""

    def __init__(self, attachment_max_bytes: int) -> None:
        self.max_bytes = attachment_max_bytes
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.defects: list[str] = []

    def visit(self, part: Message, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.defects.append("MIME nesting too deep")
            return
        try:
            self.read_part(part, depth)
        except Exception as exc:  # one broken part must not cost the rest of the message
            self.defects.append(f"unreadable part: {type(exc).__name__}")
        self.defects.extend(type(defect).__name__ for defect in part.defects)

    def read_part(self, part: Message, depth: int) -> None:
        content_type = part.get_content_type()
        if content_type in {"message/rfc822", "message/global"}:
            self.attach_message(part)
        elif content_type in {"message/delivery-status", "message/global-delivery-status", "text/rfc822-headers"}:
            pass  # the machinery of a bounce report: bounces.py reads it
        elif part.is_multipart():
            for child in part.get_payload():  # type: ignore[union-attr]
                if isinstance(child, Message):
                    self.visit(child, depth + 1)
        elif self.is_body(part, content_type):
            content = self.decode(part)
            text = decode_bytes(content, safely(part.get_content_charset, None), self.defects).replace("\x00", "")
            (self.htmls if content_type == "text/html" else self.texts).append(text)
        else:
            self.attach(part, content_type)

    def is_body(self, part: Message, content_type: str) -> bool:
        disposition = safely(part.get_content_disposition, None)
        if disposition == "attachment" or self.filename(part):
            return False
        # A multipart whose boundary went missing is read as one text: better than nothing.
        return content_type in {"text/plain", "text/html"} or part.get_content_maintype() == "multipart"

    def decode(self, part: Message) -> bytes:
        try:
            content = part.get_payload(decode=True)
        except Exception:
            return b""
        return content if isinstance(content, bytes) else b""

    def attach(self, part: Message, content_type: str) -> None:
        name = self.filename(part) or self.default_name(content_type)
        encoded = safely(part.get_payload, None)
        if isinstance(encoded, str) and len(encoded) * 3 // 4 > self.max_bytes + 1024:
            self.defects.append(f"attachment too large: {name}")  # judged before decoding a huge part
            return
        content = self.decode(part)
        if len(content) > self.max_bytes:
            self.defects.append(f"attachment too large: {name}")
            return
        content_id = ids(str(part.get("Content-ID", "") or "")) if "Content-ID" in part else ()
        disposition = safely(part.get_content_disposition, None)
        self.attachments.append(
            ParsedAttachment(
                filename=name,
                content_type=content_type,
                content=content,
                inline=bool(content_id) and disposition != "attachment",
                content_id=content_id[0].strip("<>") if content_id else "",
            )
        )

    def attach_message(self, part: Message) -> None:
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, Message):
            self.attach(part, "message/rfc822")
            return
        content = safely(lambda: inner.as_bytes(policy=email.policy.compat32), b"")
        subject = Headers(inner).first("Subject")
        name = self.filename(part) or clean_filename(f"{subject or 'message'}.eml")
        if len(content) > self.max_bytes:
            self.defects.append(f"attachment too large: {name}")
            return
        self.attachments.append(ParsedAttachment(filename=name, content_type="message/rfc822", content=content))

    def filename(self, part: Message) -> str:
        name = safely(part.get_filename, None) or ""
        if has_surrogates(name):
            name = decode_bytes(name.encode("utf-8", "surrogateescape"), "utf-8")
        return clean_filename(decode_words(name)) if name else ""

    def default_name(self, content_type: str) -> str:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        return f"attachment-{len(self.attachments) + 1}{extension}"

    def has_text(self) -> bool:
        """A text part worth reading: some clients send an empty one beside the HTML that says it all."""
        return any(text.strip() for text in self.texts) or not self.htmls

    def text_and_quoted(self) -> tuple[str, str]:
        if self.has_text():
            return quoting.split_reply("\n".join(self.texts))
        new_html, quoted_html = quoting.split_html("\n".join(self.htmls))
        new, quoted = quoting.split_reply(html_to_text(new_html))
        return new, "\n\n".join(part for part in (quoted, html_to_text(quoted_html)) if part)

    def sanitized_html(self) -> str:
        if not self.htmls:
            return ""
        return safely(lambda: sanitize_html("\n".join(self.htmls)), "")


def clean_filename(name: str) -> str:
    """No directories, no control characters, at most 200 characters (the extension kept)."""
    name = UNSAFE_FILENAME.sub("", name.replace("\\", "/").split("/")[-1]).strip().strip(".")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[:190]}.{extension[:9]}" if dot and len(extension) < 10 else name[:200]
    return name


# --- HTML ----------------------------------------------------------------------------------------------------------


def sanitize_html(html: str) -> str:
    """nh3's safe subset; images only from the message itself (cid:) or inline data, never from the network."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src" and not value.strip().lower().startswith(("cid:", "data:image/")):
            return None
        return value

    html = without_head(html)
    return nh3.clean(html, attribute_filter=keep, url_schemes={"http", "https", "mailto", "tel", "cid", "data"})


def without_head(html: str) -> str:
    """A whole document's <head> (its title is not text of the message); found with plain string search, which
    stays linear on any input."""
    lowered = html.lower()
    start = lowered.find("<head")
    end = lowered.find("</head>", start)
    if start < 0 or end < 0 or lowered[start + 5 : start + 6] not in {">", " ", "\t", "\n", "\r", "/"}:
        return html
    return html[:start] + html[end + len("</head>") :]


PARAGRAPH_TAGS = {"p", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "hr"}
LINE_TAGS = {"div", "li", "tr", "section", "article", "header", "footer", "address", "dd", "dt", "center"}
SKIPPED_TAGS = {"script", "style", "head", "title", "template", "noscript"}


class TextFromHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        else:
            self.boundary(tag)
            if tag in {"td", "th"}:
                self.chunks.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.boundary(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag != "br":
            self.boundary(tag)

    def boundary(self, tag: str) -> None:
        if tag == "br":
            self.chunks.append("\n")
        elif tag in PARAGRAPH_TAGS:
            self.end_lines(2)
        elif tag in LINE_TAGS:
            self.end_lines(1)

    def end_lines(self, count: int) -> None:
        """Make the text so far end in at least `count` line breaks (a block never adds a break to a break)."""
        tail = "".join(self.chunks[-3:])
        present = len(tail) - len(tail.rstrip("\n"))
        if self.chunks and present < count:
            self.chunks.append("\n" * (count - present))

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """A readable text of an HTML part: block elements become line breaks, tags and scripts go."""
    if not html.strip():
        return ""
    reader = TextFromHtml()
    try:
        # Read what nh3 made of it: well-formed, scripts gone, and the standard library's HTMLParser gets slow
        # (quadratic) on some broken markup that nh3 handles in linear time.
        reader.feed(sanitize_html(html))
        reader.close()
    except Exception:  # HTMLParser is lenient; this is for the truly broken
        return html_module.unescape(re.sub(r"<[^>]*>", " ", html)).strip()
    lines = [line.strip(" \t").replace("\xa0", " ").rstrip() for line in "".join(reader.chunks).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
