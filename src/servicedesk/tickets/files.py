"""Attachment content: stored once per distinct content, under a random name in the data folder."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import puremagic
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from servicedesk.tickets.models import Blob


class AttachmentTooLarge(Exception):
    def __init__(self, size: int) -> None:
        limit_mib = settings.ATTACHMENT_MAX_BYTES / 1024 / 1024
        self.message = _("The file is too large (%(size).1f MiB); the limit is %(limit).1f MiB.") % {
            "size": size / 1024 / 1024,
            "limit": limit_mib,
        }
        super().__init__(self.message)


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content: bytes

    @classmethod
    def from_django(cls, upload: object) -> UploadedFile:
        size = getattr(upload, "size", 0) or 0
        if size > settings.ATTACHMENT_MAX_BYTES:
            raise AttachmentTooLarge(size)
        name = os.path.basename(getattr(upload, "name", "") or "file").replace("\x00", "") or "file"
        return cls(filename=name, content=upload.read())  # type: ignore[attr-defined]


def blob_path(blob: Blob) -> Path:
    return Path(settings.ATTACHMENT_DIR) / blob.storage_name[:2] / blob.storage_name


def sniff_content_type(content: bytes) -> str:
    """The type the bytes are, whatever the file name claims: the browser gets no chance to guess."""
    try:
        matches = puremagic.magic_string(content[:8192])
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            return str(match.mime_type)
    try:
        content[:8192].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def store_blob(content: bytes, limit: int | None = None, content_type: str | None = None) -> Blob:
    """limit: the largest size accepted; ATTACHMENT_MAX_BYTES when not given (received mail has its own).
    content_type: when the caller knows what the bytes are (a received message); otherwise they are sniffed."""
    if len(content) > (settings.ATTACHMENT_MAX_BYTES if limit is None else limit):
        raise AttachmentTooLarge(len(content))
    digest = hashlib.sha256(content).hexdigest()
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None and blob_path(existing).exists():
        return existing
    storage_name = existing.storage_name if existing is not None else secrets.token_hex(16)
    path = Path(settings.ATTACHMENT_DIR) / storage_name[:2] / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(content)
    os.replace(temporary, path)  # the file is whole before any row points at it
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Blob.objects.create(
                sha256=digest,
                size=len(content),
                content_type=content_type or sniff_content_type(content),
                storage_name=storage_name,
            )
    except IntegrityError:  # stored by a concurrent upload of the same content
        path.unlink(missing_ok=True)
        return Blob.objects.get(sha256=digest)


def store_blobs(contents: list[bytes], *, content_type: str) -> list[Blob]:
    """Many contents at once (a fetched batch of received mail), in order, no size limit (the caller decided):
    one query for what is stored already and one insert for the rest. Raises IntegrityError when a concurrent
    writer stored one of them meanwhile: call it in a savepoint and fall back to store_blob() one by one."""
    digests = [hashlib.sha256(content).hexdigest() for content in contents]
    blobs = {blob.sha256: blob for blob in Blob.objects.filter(sha256__in=set(digests))}
    new: dict[str, Blob] = {}
    for digest, content in zip(digests, contents, strict=True):
        blob = blobs.get(digest)
        if digest in new or (blob is not None and blob_path(blob).exists()):
            continue
        storage_name = blob.storage_name if blob is not None else secrets.token_hex(16)
        path = Path(settings.ATTACHMENT_DIR) / storage_name[:2] / storage_name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(content)
        os.replace(temporary, path)  # the file is whole before any row points at it
        if blob is None:
            new[digest] = Blob(sha256=digest, size=len(content), content_type=content_type, storage_name=storage_name)
    if new:
        try:
            with transaction.atomic():
                Blob.objects.bulk_create(new.values())  # the ids come back (SQLite >= 3.35, PostgreSQL)
        except IntegrityError:
            for blob in new.values():
                blob_path(blob).unlink(missing_ok=True)
            raise
        blobs.update(new)
    return [blobs[digest] for digest in digests]
