"""Splitting a reply into what the sender wrote now and the quoted history below it (plain functions over text).

Recognised: attribution lines ("Dne … napsal(a):", "On … wrote:", also wrapped over two lines), Outlook's separators
("-----Original Message-----", "-----Původní zpráva-----", Seznam's "---------- Původní e-mail ----------") and
header blocks ("From: … Sent: …", "Od: … Odesláno: …"), trailing ">"-quoted blocks and signatures ("-- ").
For HTML, the quoted container (gmail_quote, blockquote type=cite, Outlook's divRplyFwdMsg, Thunderbird's
moz-cite-prefix) is cut off before the text is made from it."""

from __future__ import annotations

import re

ATTRIBUTION = re.compile(
    r"^\s*(?:"
    r"Dne\s.{0,250}?napsal(?:\(a\)|a)?\s*:"  # Czech: Gmail, Thunderbird, Seznam, Apple
    r"|On\s.{0,250}?wrote\s*:"  # English: Gmail, Thunderbird, Apple Mail
    r"|Am\s.{0,250}?schrieb.{0,120}:"  # German
    r"|Le\s.{0,250}?a\s+écrit\s*:"  # French
    r")\s*$",
    re.IGNORECASE,
)
SEPARATOR = re.compile(
    r"^\s*[-_=]{2,}\s*(?:Original Message|Původní zpráva|Původní e-mail|Původní e-mailová zpráva|Ursprüngliche "
    r"Nachricht|Reply above this line)\s*[-_=]{2,}\s*$",
    re.IGNORECASE,
)
HEADER_FROM = re.compile(r"^\s*\*?(?:From|Od|Von)\s*:\*?\s*\S", re.IGNORECASE)
HEADER_NEXT = re.compile(
    r"^\s*\*?(?:Sent|Odesláno|Date|Datum|Gesendet|To|Komu|Subject|Předmět|Cc|Kopie)\s*:\*?", re.IGNORECASE
)
UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")
SIGNATURE = re.compile(r"^-- ?$")

# An opening tag and the start of its attributes; bounded and never backtracking, so a crafted part with thousands
# of unclosed tags still takes linear time. Which of them starts the history is then decided on the attributes.
HTML_TAG = re.compile(r"<(div|blockquote|hr)\b([^>]{0,600})", re.IGNORECASE)
HTML_QUOTE_ATTRIBUTES = re.compile(
    r"""\b(?:gmail_quote|moz-cite-prefix)\b"""  # class names nobody else uses
    r"""|type=["']?cite\b"""
    r"""|id=["']?(?:divRplyFwdMsg|appendonsend|stopSpelling)\b"""
    r"""|border-top:\s*solid\s*#E1E1E1""",  # Outlook's line above the quoted header block
    re.IGNORECASE,
)


def split_reply(text: str) -> tuple[str, str]:
    """(new text, quoted history). When nothing new would remain, everything counts as new: a ticket must never
    lose what a customer sent."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = quote_start(lines)
    if cut is None:
        return text.strip("\n").rstrip(), ""
    new = "\n".join(lines[:cut]).strip("\n").rstrip()
    quoted = "\n".join(lines[cut:]).strip("\n").rstrip()
    if not new.strip():
        return text.strip("\n").rstrip(), ""
    return new, quoted


def quote_start(lines: list[str]) -> int | None:
    """The index of the first line of the quoted history (or signature), None when there is none."""
    for index, line in enumerate(lines):
        if SIGNATURE.match(line) or SEPARATOR.match(line):
            return index
        if ATTRIBUTION.match(line):
            return index
        if index + 1 < len(lines) and line.strip() and ATTRIBUTION.match(f"{line.rstrip()} {lines[index + 1].strip()}"):
            return index  # an attribution wrapped over two lines
        if HEADER_FROM.match(line) and any(HEADER_NEXT.match(following) for following in lines[index + 1 : index + 5]):
            previous = index - 1
            while previous >= 0 and not lines[previous].strip():
                previous -= 1
            return previous if previous >= 0 and UNDERSCORES.match(lines[previous]) else index
        if line.startswith(">") and only_quotes_follow(lines[index:]):
            previous = index - 1
            while previous >= 0 and not lines[previous].strip():
                previous -= 1
            # An attribution line we do not know, in a language we do not know, still ends with a colon.
            return previous if previous >= 0 and lines[previous].rstrip().endswith(":") else index
    return None


def only_quotes_follow(lines: list[str]) -> bool:
    """True when the rest is quoted, blank or a signature: a bottom quote. Text written between quoted lines
    (an interleaved answer) is kept whole."""
    for line in lines:
        if SIGNATURE.match(line):
            return True
        if line.strip() and not line.startswith(">"):
            return False
    return True


def split_html(html: str) -> tuple[str, str]:
    """(new HTML, quoted HTML) cut at the first quoted container the common mail clients write."""
    for tag in HTML_TAG.finditer(html):
        if HTML_QUOTE_ATTRIBUTES.search(tag.group(2)):
            if not html[: tag.start()].strip():
                return html, ""
            return html[: tag.start()], html[tag.start() :]
    return html, ""
