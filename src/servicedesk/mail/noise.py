"""Loops and noise: why a message must never open a ticket or get an answer (RFC 3834 and the common practice).

Plain functions over lower-cased header names and their values."""

from __future__ import annotations

from collections.abc import Mapping

# The headers `automatic_reason` judges by; parsing copies exactly these into ParsedMessage.headers.
JUDGED_HEADERS = (
    "auto-submitted",
    "x-auto-response-suppress",
    "precedence",
    "list-id",
    "x-loop",
    "message-id",
    "x-autoreply",
    "x-autorespond",
    "subject",
)
AUTO_REPLY_SUBJECTS = (
    "automatic reply:",
    "autoreply:",
    "auto-reply:",
    "out of office",
    "automatická odpověď:",
    "automaticka odpoved:",
    "nepřítomen",
)


def automatic_reason(headers: Mapping[str, str], mail_domain: str) -> str:
    """The rule that marks the message as automatic, "" for mail a person wrote.

    `headers` maps lower-case names to values (several occurrences joined by newlines)."""
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto_submitted}"
    if "x-auto-response-suppress" in headers:
        return "X-Auto-Response-Suppress present"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in {"bulk", "junk", "list"}:
        return f"Precedence: {precedence}"
    if "list-id" in headers:
        return "List-Id present (mailing list)"
    loop_mark = f"servicedesk@{mail_domain}".lower()
    loops = [value.strip().strip("<>").lower() for value in headers.get("x-loop", "").splitlines()]
    if loop_mark in loops:
        return f"X-Loop: {loop_mark} (our own mail)"
    message_id = headers.get("message-id", "").strip().lower()
    if mail_domain and message_id.rstrip(">").endswith(f"@{mail_domain.lower()}"):
        return "Message-ID is ours (our own mail came back)"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers:
            return f"{name} present (auto-reply)"
    subject = " ".join(headers.get("subject", "").split()).lower()
    for marker in AUTO_REPLY_SUBJECTS:
        if subject.startswith(marker):
            return f"auto-reply subject ({marker})"
    return ""
