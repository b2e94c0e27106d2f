"""Attachment download through the desk's access-checked view: the same rules for the API as for the browser."""

from __future__ import annotations

from typing import NoReturn

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from servicedesk.api import permissions as perms
from servicedesk.desk.views.attachments import download_attachment


@extend_schema(
    summary="Download an attachment",
    responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
)
@api_view(["GET"])
@permission_classes([perms.IsAgentOrContact])
def download(request: Request, pk: int) -> FileResponse:
    # DRF set the authenticated (token) user on the underlying request, which the desk's view checks.
    return download_attachment(request._request, pk)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def unknown(request: Request, path: str = "") -> NoReturn:
    """Any other address under /api/v1/: a problem-details 404 rather than the HTML page of the site."""
    raise NotFound()
