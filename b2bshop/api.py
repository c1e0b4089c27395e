"""API plumbing shared by every app: the contract's error format, pagination (page numbers for
buyers, keyset cursors for the ERP's pulls) and the envelope of ERP batch calls."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Page
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from b2bshop.errors import ApplicationError, InvalidItems, ValidationFailed


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
        body = error_body(exc.code, exc.message, exc.details)
        body.update((key, exc.details.get(key, [])) for key in exc.top_level)
        return Response(body, status=exc.status_code)
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


# ---------------------------------------------------------------- keyset (cursor) pages for the ERP's pulls
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

M = TypeVar("M", bound=Model)


def _encode_cursor(*, direction: str, updated_at: datetime, pk: int) -> str:
    raw = json.dumps([direction, updated_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_timestamp(text: str) -> datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (naive = Asia/Tokyo), or None if unusable.

    Normalised to UTC here because PostgreSQL refuses offsets beyond ±15:59 that Python accepts.
    """
    try:
        value = parse_datetime(text)
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _decode_cursor(value: str) -> tuple[str, datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        direction, stamp, pk = json.loads(raw)
        when = parse_timestamp(stamp) if isinstance(stamp, str) else None
        if direction not in ("n", "p") or when is None or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError(value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            _("The cursor is not valid."), details={"cursor": [_("Invalid cursor.")]}
        ) from exc
    return direction, when, pk


def keyset_params(request: Request, errors: dict[str, list[str]]) -> tuple[datetime | None, int]:
    """``updated_since`` and ``page_size`` of an ERP pull; what is wrong is added to ``errors``."""
    params = request.query_params
    since = None
    since_raw = params.get("updated_since", "")
    if since_raw:
        since = parse_timestamp(since_raw.replace(" ", "+"))  # a raw '+' in a query string arrives as ' '
        if since is None:
            errors["updated_since"] = [_("Use an ISO 8601 timestamp, e.g. 2026-11-26T09:00:00+09:00.")]
    size = DEFAULT_PAGE_SIZE
    if "page_size" in params:
        try:
            size = int(params["page_size"])
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            errors["page_size"] = [_("Use a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}]
    return since, size


def keyset_page(
    request: Request,
    queryset: QuerySet[M],
    *,
    size: int,
    load: Callable[[QuerySet[M]], QuerySet[M]] = lambda queryset: queryset,
) -> tuple[list[M], dict[str, str | None]]:
    """One page on (updated_at, id), oldest change first, and its ``next`` / ``previous`` links.

    A row that changes while the client pages moves behind its cursor and shows up again on a
    later page, so nothing is skipped. ``load`` adds the relations the page's rows need.
    """
    cursor = request.query_params.get("cursor", "")
    backwards = False
    if cursor:
        direction, at, pk = _decode_cursor(cursor)
        backwards = direction == "p"
        if backwards:
            queryset = queryset.filter(Q(updated_at__lt=at) | Q(updated_at=at, id__lt=pk))
        else:
            queryset = queryset.filter(Q(updated_at__gt=at) | Q(updated_at=at, id__gt=pk))
    ordering = ("-updated_at", "-id") if backwards else ("updated_at", "id")
    rows = list(load(queryset.order_by(*ordering))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    has_next, has_previous = (True, more) if backwards else (more, bool(cursor))
    url = request.build_absolute_uri()

    def link(direction: str, row: Any) -> str:
        token = _encode_cursor(direction=direction, updated_at=row.updated_at, pk=row.pk)
        return replace_query_param(url, "cursor", token)

    links = {
        "next": link("n", rows[-1]) if has_next and rows else None,
        "previous": link("p", rows[0]) if has_previous and rows else None,
    }
    if cursor and not rows:  # walked off an end: offer the way back
        links["previous" if not backwards else "next"] = remove_query_param(url, "cursor")
    return rows, links


# ---------------------------------------------------------------- ERP batch calls
def batch_items(data: Any) -> list[Any]:
    """The ``items`` list of a batch body; refuses anything else and batches over the limit."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValidationFailed(_('Send a JSON object with an "items" list.'),
                               details={"items": [_("This field is required and must be a list.")]})  # fmt: skip
    limit = settings.ERP_BULK_MAX_ITEMS
    if len(items) > limit:
        message = _(
            "At most %(limit)d items per call; this request has %(count)d. Split it into smaller batches."
        ) % {
            "limit": limit,
            "count": len(items),
        }
        raise ValidationFailed(message, details={"items": [message]}, code="too_many_items")
    return items


def validate_items(items: list[Any], serializer_class: type[serializers.Serializer]) -> list[dict[str, Any]]:
    """Every item of a batch validated, or InvalidItems listing each bad one (index, sku, errors).

    One serializer instance validates all items: building DRF's fields per item cost ~85 % of a
    500-item call.
    """
    valid: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    serializer = serializer_class()
    for index, raw in enumerate(items):
        try:
            valid.append(serializer.run_validation(raw))
        except serializers.ValidationError as exc:
            sku = raw.get("sku") if isinstance(raw, dict) else None
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            errors.append({"index": index, "sku": sku if isinstance(sku, str) else None, "errors": detail})
    if errors:
        raise InvalidItems(errors)
    return valid
