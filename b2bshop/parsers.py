"""The one JSON parser of every API: UTF-8 only (a BOM is fine), bounded size and nesting depth.

A body in another charset would be stored as mojibake, a 1,000-level nesting ends in a
RecursionError, and an unbounded body is read into memory: each is a 4xx with the contract's
error body instead.
"""

from __future__ import annotations

import json
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils.mediatypes import _MediaType

MAX_JSON_DEPTH = 32
UTF8_NAMES = frozenset({"utf-8", "utf8"})


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the charset, size and depth limits above."""

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        charset = _MediaType(media_type or "").params.get("charset", "utf-8").strip().strip('"').lower()
        if charset not in UTF8_NAMES:
            raise exceptions.UnsupportedMediaType(
                media_type or "", detail=_("Send JSON encoded as UTF-8 (charset=utf-8).")
            )
        raw = read_limited(stream)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise exceptions.ParseError(_("The request body is not valid UTF-8.")) from exc
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from exc
        except ValueError as exc:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from exc
        if json_depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(_("The JSON is nested too deeply."))
        return data


def read_limited(stream: IO[bytes] | None) -> bytes:
    """The whole body, or a 413 once it passes DATA_UPLOAD_MAX_MEMORY_SIZE (chunked bodies included)."""
    if stream is None:
        return b""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    raw = stream.read(limit + 1) if limit is not None else stream.read()
    if limit is not None and len(raw) > limit:
        raise RequestTooLarge(too_large_message())
    return raw


def too_large_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("The request body is too large (at most %(limit)d bytes).") % {"limit": limit}


def json_depth(data: Any) -> int:
    """Nesting depth of parsed JSON, iteratively (a recursive walk would itself overflow)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's parser accepts them by default.
    raise ValueError(name)
