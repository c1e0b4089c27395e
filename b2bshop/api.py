"""API plumbing shared by every app: the error format of the contract and pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Page
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from b2bshop.errors import ApplicationError, ValidationFailed


class PageNumberPagination(pagination.PageNumberPagination):
    """Page past the end = 200 with no results (as the product list answers), not DRF's 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        try:
            rows: list[Any] | None = super().paginate_queryset(queryset, request, view)
            assert rows is not None  # DRF answers None only without a page size; ours always has one
            return rows
        except exceptions.NotFound:
            number = self._requested_page(request)
            if number is None:
                raise
            self.request = request
            paginator = self.django_paginator_class(queryset, self.get_page_size(request) or self.page_size)
            if number <= paginator.num_pages:
                raise
            self.page = Page([], number, paginator)
            return []

    def _requested_page(self, request: Any) -> int | None:
        raw = request.query_params.get(self.page_query_param, "1")
        return int(raw) if raw.isdigit() and int(raw) >= 1 else None

    def get_previous_link(self) -> str | None:
        page, request = self.page, self.request
        if page is not None and request is not None and page.number > page.paginator.num_pages:
            url = request.build_absolute_uri()
            return replace_query_param(url, self.page_query_param, page.number - 1)
        return super().get_previous_link()

    def get_paginated_response(self, data: list[Any]) -> Response:
        assert self.page is not None  # paginate_queryset() set it before the view asks for a response
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every error as {"code", "message", "details"} (contract, preamble)."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # DRF reads request.body for JSON, where Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE.
        from b2bshop.parsers import RequestTooLarge, too_large_message

        exc = RequestTooLarge(too_large_message())
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", _("The request has invalid fields."), details)
    elif isinstance(exc, exceptions.ParseError):
        # Our parser says what is wrong (nesting, encoding); DRF's own default says nothing useful.
        specific = str(exc.detail) != str(exceptions.ParseError.default_detail)
        message = str(exc.detail) if specific else _("The request body is not valid JSON.")
        response.data = error_body("malformed", message, {})
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        response.data = error_body(str(code), str(exc.detail), {})
    return response


class ErrorSerializer(serializers.Serializer):
    """The contract's error body, for the OpenAPI schema of every API."""

    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


def require_json_object(data: Any) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 saying so (a list or a scalar is not a record)."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            _("Send a JSON object."), details={"non_field_errors": [_("Send a JSON object.")]}
        )
    return data
