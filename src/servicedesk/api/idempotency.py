"""`Idempotency-Key` on POST: the same key and body within 24 hours replay the first answer; another body is a 422.

The record is inserted before the request runs, in its own transaction: the unique (user, key) constraint lets only
one of two concurrent identical requests through; the other gets 409 until the first has finished."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from servicedesk.api.models import IdempotencyRecord
from servicedesk.api.problems import PROBLEM_CONTENT_TYPE, Problem

HEADER = "Idempotency-Key"
LIFETIME = dt.timedelta(hours=24)
# A record whose request never finished (the process died) stops blocking retries after this.
ABANDONED_AFTER = dt.timedelta(minutes=2)
MAX_KEY_LENGTH = 255


class Replay(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("replay")
        self.response = response


def request_fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    if request.content_type.startswith("multipart/"):
        # Uploads may exceed what Django keeps in memory as the raw body: fingerprint the parsed parts instead.
        for name in sorted(request.data.keys()):
            for value in request.data.getlist(name):
                if hasattr(value, "chunks"):
                    part = hashlib.sha256()
                    for chunk in value.chunks():
                        part.update(chunk)
                    value.seek(0)
                    digest.update(f"{name}=file:{value.name}:{part.hexdigest()}\n".encode())
                else:
                    digest.update(f"{name}={value}\n".encode())
    else:
        digest.update(request._request.body)
    return digest.hexdigest()


def begin(request: Request) -> IdempotencyRecord | None:
    """Claim the key for this request, or raise Replay / Problem. None without a key."""
    key = request.headers.get(HEADER, "").strip()
    if not key or request.method != "POST" or not request.user.is_authenticated:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise Problem(400, "invalid_idempotency_key", _("The Idempotency-Key is longer than 255 characters."))
    fingerprint = request_fingerprint(request)
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=request.user, key=key, request_hash=fingerprint, created_at=now
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
            if existing is None:
                continue  # deleted meanwhile: try again
            expired = now - existing.created_at > LIFETIME
            abandoned = existing.status_code is None and now - existing.created_at > ABANDONED_AFTER
            if expired or abandoned:
                IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
                continue
            if existing.request_hash != fingerprint:
                raise Problem(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was used for another request in the last 24 hours."),
                ) from None
            if existing.status_code is None:
                raise Problem(
                    409, "idempotency_in_progress", _("A request with this Idempotency-Key is still running.")
                ) from None
            data = json.loads(existing.response_body) if existing.response_body else None
            # Every error answer of the API is a problem document; the replay keeps its media type.
            content_type = PROBLEM_CONTENT_TYPE if existing.status_code >= 400 else None
            response = Response(data, status=existing.status_code, content_type=content_type)
            response["Idempotent-Replayed"] = "true"
            raise Replay(response) from None
    raise Problem(409, "idempotency_in_progress", _("A request with this Idempotency-Key is still running."))


def finish(record: IdempotencyRecord, response: Response) -> None:
    """Remember the answer; a server error is not remembered, so the client may retry it."""
    if response.status_code >= 500:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    body = json.dumps(response.data, cls=JSONEncoder) if response.data is not None else ""
    IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)


class IdempotentMixin:
    """For viewsets: POST requests with an Idempotency-Key are claimed, run once, and replayed afterwards."""

    _idempotency_record: IdempotencyRecord | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self._idempotency_record = begin(request)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        record, self._idempotency_record = self._idempotency_record, None
        if record is not None and response.get("Idempotent-Replayed") != "true":
            finish(record, response)
        return response
