"""The OpenAPI schema class (its own module: DRF settings import b2bshop.api while DRF itself loads)."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular import openapi

from b2bshop.api import ErrorSerializer

ERROR_STATUSES = ("400", "401", "403", "404", "429")
"""Error statuses any API operation may answer; each is declared with ErrorSerializer in the schema."""


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the contract's error body for every error status (one place).

    An operation that declares its own body for a status (409 out of stock, 422 rules violated,
    400 with line errors) keeps it.
    """

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in ERROR_STATUSES:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses
