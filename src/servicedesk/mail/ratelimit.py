"""Per-sender limit of received mail (MAIL_SENDER_RATE_LIMIT, e.g. "20/10m"): the excess goes to the quarantine,
so a mail loop or a flood cannot bury the queue in tickets."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from servicedesk.mail.models import InboundMessage

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_limit(text: str) -> tuple[int, dt.timedelta] | None:
    """ "20/10m" → (20, 10 minutes); "" or "0/…" → None (no limit)."""
    match = _LIMIT.match(text or "")
    if match is None:
        return None
    count = int(match.group(1))
    if count <= 0:
        return None
    return count, dt.timedelta(seconds=int(match.group(2) or 1) * _UNITS[match.group(3)])


def exceeded(message: InboundMessage) -> bool:
    """Whether the sender had already sent the limit's number of messages in the window before this one."""
    limit = parse_limit(settings.MAIL_SENDER_RATE_LIMIT)
    if limit is None or not message.sender:
        return False
    count, window = limit
    earlier = InboundMessage.objects.filter(
        sender=message.sender, received_at__gt=message.received_at - window, received_at__lte=message.received_at
    ).exclude(pk__gte=message.pk)
    return earlier.count() >= count
