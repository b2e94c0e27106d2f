"""Errors as RFC 9457 problem details (application/problem+json), each with a machine-readable `code`.

| Cause | Status | code |
|---|---|---|
| invalid input (fields listed in `errors`) | 400 | invalid |
| no or bad credentials (with `WWW-Authenticate: Bearer`) | 401 | not_authenticated / authentication_failed |
| not allowed (e.g. a customer calling an agent-only action) | 403 | permission_denied |
| not found, or not visible to the caller | 404 | not_found |
| a state change the state machine refuses (states.IllegalTransition) | 409 | illegal_transition |
| the same Idempotency-Key while its first request still runs | 409 | idempotency_in_progress |
| deleting what is still in use (e.g. a calendar a plan counts in) | 409 | in_use |
| a file over the attachment limit | 413 | attachment_too_large |
| a request the desk's rules refuse (actions.ActionError) | 422 | action_refused |
| the same Idempotency-Key with another body | 422 | idempotency_key_reused |
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servicedesk.tickets.actions import ActionError
from servicedesk.tickets.files import AttachmentTooLarge
from servicedesk.tickets.states import IllegalTransition

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:servicedesk:problem:"


class Problem(exceptions.APIException):
    """An error of our own with its status and code."""

    def __init__(self, status_code: int, code: str, detail: str) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code


def problem_response(status_code: int, code: str, detail: str, **extra: Any) -> Response:
    body = {
        "type": TYPE_BASE + code,
        "title": _title(status_code),
        "status": status_code,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _title(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested validation errors as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        errors = []
        for name, value in detail.items():
            field = name if name != "non_field_errors" else ""
            errors += _flatten(value, f"{prefix}.{field}" if prefix and field else (field or prefix))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and not isinstance(value, exceptions.ErrorDetail):
                errors += _flatten(value, f"{prefix}[{index}]")
            else:
                errors += _flatten(value, prefix)
        return errors
    return [{"field": prefix, "message": str(detail), "code": getattr(detail, "code", "invalid") or "invalid"}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, IllegalTransition):
        return problem_response(status.HTTP_409_CONFLICT, "illegal_transition", str(exc.message))
    if isinstance(exc, ActionError):
        return problem_response(status.HTTP_422_UNPROCESSABLE_ENTITY, "action_refused", str(exc.message))
    if isinstance(exc, AttachmentTooLarge):
        return problem_response(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "attachment_too_large", exc.message)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # an unexpected error: Django's 500 handling and logging
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = _("The request has invalid fields.")
        extra["errors"] = _flatten(exc.detail)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else str(exc.default_detail)
    problem = problem_response(response.status_code, code, detail, **extra)
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            problem[header] = response[header]
    return problem


class ProblemErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="The field, dotted for nested ones (tags.1); empty for the whole request.")
    message = serializers.CharField()
    code = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """The schema of every error answer."""

    type = serializers.CharField(help_text="urn:servicedesk:problem:<code>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Machine-readable: see the table in the API description.")
    errors = ProblemErrorSerializer(many=True, required=False, help_text="Validation errors, one per field.")
