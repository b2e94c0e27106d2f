"""The OpenAPI schema: every operation also documents its problem-details error answers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from servicedesk.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` names each field.",
    "401": "No or invalid credentials.",
    "403": "Not allowed for this user.",
    "404": "Not found, or not visible to this user.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Illegal state transition, or the Idempotency-Key's first request is still running.",
    "413": "The file is too large.",
    "415": "Unsupported media type.",
    "422": "Refused by the desk's rules, or an Idempotency-Key reused with another body.",
}


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, description in ERROR_DESCRIPTIONS.items():
            if code in responses:
                continue
            response = self._get_response_for_code(ProblemSerializer, code, [PROBLEM_CONTENT_TYPE], direction)
            response["description"] = description
            responses[code] = response
        return responses
