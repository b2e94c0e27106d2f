"""Who may frame the embeddable form: the Content-Security-Policy frame-ancestors of /ask/embed/."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.http import HttpResponse

logger = logging.getLogger(__name__)

# scheme://host[:port], optionally with a leading "*." wildcard: nothing that could break out of the header.
_ORIGIN = re.compile(r"^(https?://)?(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$")


def allowed_origins() -> list[str]:
    origins = []
    for origin in settings.ASK_EMBED_ORIGINS:
        origin = origin.strip().rstrip("/")
        if _ORIGIN.match(origin):
            origins.append(origin)
        else:
            logger.warning("ASK_EMBED_ORIGINS: ignoring %r, not an origin like https://www.example.com", origin)
    return origins


def allow_framing(response: HttpResponse) -> HttpResponse:
    """The embeddable pages: no X-Frame-Options, and frame-ancestors lists this site and the configured origins."""
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    response["Content-Security-Policy"] = "frame-ancestors " + " ".join(["'self'", *allowed_origins()])
    return response


def deny_framing(response: HttpResponse) -> HttpResponse:
    """The standalone pages: XFrameOptionsMiddleware adds DENY; CSP says the same to browsers that prefer it."""
    response["Content-Security-Policy"] = "frame-ancestors 'none'"
    return response
