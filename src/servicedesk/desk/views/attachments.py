from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from servicedesk.tickets.files import blob_path
from servicedesk.tickets.models import Attachment, Ticket


def download_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Attachments only through this view: the ticket must be visible to the user, and customers never get
    attachments of internal notes. Always a download, with the sniffed type, never rendered inline."""
    attachment = get_object_or_404(Attachment.objects.select_related("blob", "article"), pk=pk)
    if not Ticket.objects.visible_to(request.user).filter(pk=attachment.ticket_id).exists():
        raise Http404
    if not request.user.is_staff and not attachment.is_public:
        raise Http404
    path = blob_path(attachment.blob)
    if not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.blob.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
