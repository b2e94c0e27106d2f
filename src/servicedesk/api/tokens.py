"""Personal API tokens: made, looked up and revoked here. The secret is shown once and stored only as a hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from servicedesk.api.models import ApiToken

if TYPE_CHECKING:
    from servicedesk.accounts.models import User

TOKEN_PREFIX = "sd_"  # noqa: S105 (not a secret: marks our tokens, so other strings are refused early)
DISPLAY_PREFIX_LENGTH = 10  # "sd_" and the first 7 characters of the secret
# Recording every use would make every read a write; once a minute is precise enough for "last used".
LAST_USED_PRECISION = dt.timedelta(seconds=60)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the secret, which is never available again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name.strip() or "API")[:100],
        prefix=secret[:DISPLAY_PREFIX_LENGTH],
        token_hash=hash_token(secret),
    )
    return token, secret


def find_active(secret: str) -> ApiToken | None:
    """The active token with this secret, with its user, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def note_use(token: ApiToken) -> None:
    """Record the time of use, at most once a minute per token (one cheap UPDATE when due)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    token.last_used_at = now


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
