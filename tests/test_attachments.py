"""Attachments are served only through the access-checked view, always as downloads with a sniffed type."""

import pytest

from servicedesk.tickets import actions
from servicedesk.tickets.files import AttachmentTooLarge, UploadedFile, blob_path, store_blob
from servicedesk.tickets.models import Blob

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 20


@pytest.fixture
def public_file(ticket, l1_agent):
    article = actions.add_article(ticket, actor=l1_agent, body="photo", files=[UploadedFile("fotka.txt", PNG)])
    return article.attachments.get()


@pytest.fixture
def internal_file(ticket, l1_agent):
    article = actions.add_article(
        ticket, actor=l1_agent, body="diag", kind="note", files=[UploadedFile("dump.bin", b"secret")]
    )
    return article.attachments.get()


def test_agent_downloads_with_sniffed_type_and_attachment_disposition(client, l1_agent, public_file):
    client.force_login(l1_agent)
    response = client.get(public_file.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # the bytes decide, not the ".txt" name
    assert response["Content-Disposition"].startswith("attachment;")
    assert "fotka.txt" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_requester_downloads_public_attachment(client, customer_user, public_file):
    client.force_login(customer_user.user)
    assert client.get(public_file.get_absolute_url()).status_code == 200


def test_customer_never_gets_internal_note_attachment(client, customer_manager, internal_file):
    client.force_login(customer_manager.user)
    assert client.get(internal_file.get_absolute_url()).status_code == 404


def test_other_organization_gets_404(client, other_customer, public_file):
    client.force_login(other_customer.user)
    assert client.get(public_file.get_absolute_url()).status_code == 404


def test_anonymous_gets_404(client, public_file):
    assert client.get(public_file.get_absolute_url()).status_code == 404


def test_unknown_attachment_is_404(client, l1_agent):
    client.force_login(l1_agent)
    assert client.get("/attachments/999999/").status_code == 404


def test_files_live_under_random_names(public_file, settings):
    path = blob_path(public_file.blob)
    assert path.is_relative_to(settings.ATTACHMENT_DIR)
    assert "fotka" not in str(path)
    assert path.read_bytes() == PNG


def test_oversized_content_is_refused_and_nothing_stored(db, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(AttachmentTooLarge) as refused:
        store_blob(b"x" * 11)
    assert "limit" in refused.value.message
    assert not Blob.objects.exists()
