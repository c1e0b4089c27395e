"""Base views of the two API audiences: ERP integration users (/api/v1/erp/) and buyers (/api/v1/store/).

Views subclass ``ErpApi`` or ``StoreApi``, parse, make one service call and format; a failure is
an ApplicationError they let through to the one exception handler (b2bshop.api), never a
per-view try/except. The audiences are told apart by duck typing (``is_integration``,
``is_buyer`` on the user), so this module imports no business app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpResponseBase
from django.utils import translation
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from b2bshop.api import ErrorSerializer


class IsBuyer(permissions.BasePermission):
    """Only buyer logins of a customer company may use /api/v1/store/."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "is_buyer", False))


class IsIntegration(permissions.BasePermission):
    """Only ERP integration users may use /api/v1/erp/."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and getattr(user, "is_integration", False)
        )


ERP_AUTH_RESPONSES = {
    401: OpenApiResponse(ErrorSerializer, description="missing, invalid or revoked token"),
    403: OpenApiResponse(ErrorSerializer, description="the token's user is not an ERP integration user"),
}
"""The two answers every ERP operation may give before it runs, for its OpenAPI description."""


# Base of every ERP → shop view: integration users only. (A comment, not a docstring: drf-spectacular
# would publish an inherited docstring as every operation's description.)
class ErpApi(APIView):
    permission_classes = [IsIntegration]


def upserted(document: dict[str, Any], *, created: bool) -> Response:
    """The answer of a PUT by key: 201 with the record when it was created, else 200."""
    return Response(document, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def upsert_schema(
    *,
    operation_id: str,
    summary: str,
    description: str,
    request: type[serializers.Serializer],
    response: type[serializers.Serializer],
    key: tuple[str, str],
    example: tuple[str, dict[str, Any]],
    answer_extra: dict[str, Any],
    invalid: tuple[str, dict[str, Any]],
) -> Callable[[Any], Any]:
    """The OpenAPI description of an ERP PUT that creates (201) or replaces (200) one record by key.

    ``example`` and ``invalid`` are (name, value): a request body and the ``details`` of a 400; the
    example answer is the body with its ``key`` (field, value), ``answer_extra`` and ``updated_at``.
    """
    created = {key[0]: key[1], **example[1], **answer_extra, "updated_at": "2026-11-26T10:00:00+09:00"}
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        request=request,
        responses={
            200: OpenApiResponse(response, description="updated"),
            201: OpenApiResponse(response, description="created"),
            400: ErrorSerializer,
        },
        examples=[
            OpenApiExample(example[0], value=example[1], request_only=True),
            OpenApiExample("created", value=created, response_only=True, status_codes=["201", "200"]),
            OpenApiExample(
                invalid[0],
                value={
                    "code": "invalid",
                    "message": "The request has invalid fields.",
                    "details": invalid[1],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=["erp"],
    )


def buyer_language(request: Request) -> str:
    """The buyer's language: the storefront's language cookie if set, else the profile setting."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie
    preferred = getattr(request.user, "preferred_language", "") or settings.LANGUAGE_CODE
    return preferred if preferred in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


# Base of every buyer API view: buyers only, messages (violations, hints, errors) in their language.
class StoreApi(APIView):
    permission_classes = [IsBuyer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        translation.activate(buyer_language(request))

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Restores the language after the response, error answers included.
        with translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)
