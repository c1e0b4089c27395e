"""Buyer API for cart, checkout and orders (contract section 5). Thin: parse, call a service, format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from b2bshop.api import ErrorSerializer, PageNumberPagination, error_body
from b2bshop.errors import NotFound, ValidationFailed
from catalog.stock import InsufficientStock
from customers.auth import IsBuyer, signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.api_erp import ErpOrderFeeSerializer, ErpOrderLineSerializer, ErpShipToSerializer
from orders.models import Order
from orders.services import approval
from orders.services import cart as cart_services
from orders.services.checkout import CheckoutDetails, RulesViolated, check_idempotency_key, place_order
from orders.services.documents import (
    approval_summary,
    cart_document,
    order_document,
    order_summary,
    violation_document,
)
from orders.services.reorder import reorder


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents customers.auth.BearerTokenAuthentication in the OpenAPI schema (lead: may move to customers)."""

    target_class = "customers.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


def buyer_language(request: Request) -> str:
    """The buyer's language: the storefront's language cookie if set, else the profile setting."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in dict(settings.LANGUAGES):
        return cookie
    preferred = getattr(request.user, "preferred_language", "") or settings.LANGUAGE_CODE
    return preferred if preferred in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class StoreApi(APIView):
    permission_classes = [IsBuyer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Messages (violations, hints, errors) in the buyer's language; dispatch restores it.
        translation.activate(buyer_language(request))

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)

    def cart_response(
        self, request: Request, *, extra: dict | None = None, status_code: int = 200
    ) -> Response:
        state = cart_services.buyer_cart(buyer=signed_in_user(request), on=timezone.localdate())
        body = cart_document(state.evaluation)
        if extra:
            body.update(extra)
        return Response(_typed(CartSerializer, body), status=status_code)


# ---------------------------------------------------------------- response bodies
# Every body below is built by passing the document through its serializer (``_typed``), so the
# OpenAPI schema and the answer cannot drift apart.

MONEY = {"help_text": 'decimal string, e.g. "1200" or "0.85"'}
TaxSerializer = inline_serializer(
    name="StoreTax", fields={"10": serializers.CharField(**MONEY), "8": serializers.CharField(**MONEY)}
)


class CartLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.CharField(**MONEY)
    amount = serializers.CharField(**MONEY)
    tax_rate = serializers.ChoiceField(choices=["10", "8"])
    min_quantity = serializers.IntegerField()
    multiple = serializers.IntegerField()
    max_quantity = serializers.IntegerField(allow_null=True)


class ViolationSerializer(serializers.Serializer):
    code = serializers.CharField()
    sku = serializers.CharField(required=False)
    message = serializers.CharField()
    required = serializers.JSONField(required=False, help_text="a quantity or an amount")
    suggested = serializers.IntegerField(required=False)


class FeeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.CharField(**MONEY)
    tax_rate = serializers.ChoiceField(choices=["10", "8"])
    message = serializers.CharField()


class HintSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class UnavailableSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    reason = serializers.CharField()


class CartSerializer(serializers.Serializer):
    lines = CartLineSerializer(many=True)
    violations = ViolationSerializer(many=True)
    fees = FeeSerializer(many=True)
    subtotal = serializers.CharField(**MONEY)
    tax = TaxSerializer
    total = serializers.CharField(**MONEY)
    can_checkout = serializers.BooleanField()
    hints = HintSerializer(many=True)
    unavailable = UnavailableSerializer(many=True, required=False, help_text="reorder only")


class TimelineEventSerializer(serializers.Serializer):
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    tracking_number = serializers.CharField(allow_blank=True)
    actor = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="approved / rejected only: who decided (null: account deleted)",
    )
    reason = serializers.CharField(required=False, allow_blank=True, help_text="approved / rejected only")


class StoreOrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    customer = serializers.CharField(help_text="customer code")
    ordered_at = serializers.DateTimeField()
    po_number = serializers.CharField(allow_blank=True)
    ship_to = ErpShipToSerializer()
    requested_delivery_date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    lines = ErpOrderLineSerializer(many=True)
    fees = ErpOrderFeeSerializer(many=True)
    subtotal = serializers.CharField(**MONEY)
    tax = TaxSerializer
    total = serializers.CharField(**MONEY)
    currency = serializers.ChoiceField(choices=["JPY"])
    status = serializers.ChoiceField(choices=Order.Status.values)
    tracking_number = serializers.CharField(allow_blank=True)
    channel = serializers.ChoiceField(choices=Order.Channel.values)
    timeline = TimelineEventSerializer(many=True)


class OrderSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    ordered_at = serializers.DateTimeField()
    po_number = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Order.Status.values)
    channel = serializers.ChoiceField(choices=Order.Channel.values)
    subtotal = serializers.CharField(**MONEY)
    total = serializers.CharField(**MONEY)
    currency = serializers.ChoiceField(choices=["JPY"])


class AwaitingApprovalSerializer(OrderSummarySerializer):
    placed_by = serializers.CharField(
        allow_blank=True, help_text="the colleague who placed it: name, or e-mail"
    )
    placed_by_email = serializers.CharField(allow_blank=True)


class StockShortageSerializer(serializers.Serializer):
    sku = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()


class OutOfStockSerializer(ErrorSerializer):
    lines = StockShortageSerializer(many=True)


class RulesViolatedSerializer(ErrorSerializer):
    violations = ViolationSerializer(many=True)


class LineProblemSerializer(serializers.Serializer):
    index = serializers.IntegerField(min_value=0)
    sku = serializers.CharField(allow_blank=True)
    code = serializers.ChoiceField(
        choices=["unknown_sku", "invalid_quantity", "duplicate_sku", "invalid_line", "too_many_lines"]
    )
    message = serializers.CharField()


class CartLinesInvalidSerializer(ErrorSerializer):
    # Absent when the body itself is refused (not JSON, too deep): then it is the plain error body.
    errors = LineProblemSerializer(
        many=True, required=False, help_text="every refused line, when lines were sent"
    )


def _typed(serializer_class: type[serializers.Serializer], document: dict[str, Any]) -> dict[str, Any]:
    """The body exactly as the schema declares it (undeclared keys cannot slip out)."""
    return serializer_class(document).data


class QuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=0, max_value=cart_services.MAX_QUANTITY, help_text="whole number; 0 removes the line"
    )


class CartLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=0, max_value=cart_services.MAX_QUANTITY)


class CartLinesSerializer(serializers.Serializer):
    lines = CartLineInputSerializer(many=True, max_length=cart_services.MAX_CART_LINES)


class CheckoutSerializer(serializers.Serializer):
    ship_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    requested_delivery_date = serializers.DateField(required=False, allow_null=True)
    po_number = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CartApi(StoreApi):
    @extend_schema(responses={200: CartSerializer})
    def get(self, request: Request) -> Response:
        return self.cart_response(request)

    @extend_schema(
        request=CartLinesSerializer, responses={200: CartSerializer, 400: CartLinesInvalidSerializer}
    )
    def put(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        try:
            cart_services.replace_cart(buyer=request.user, raw_lines=data.get("lines"))
        except cart_services.CartLinesInvalid as exc:
            body = error_body(exc.code, exc.message, exc.details)
            body["errors"] = exc.details["errors"]
            return Response(_typed(CartLinesInvalidSerializer, body), status=400)
        return self.cart_response(request)


class CartItemApi(StoreApi):
    @extend_schema(request=QuantitySerializer, responses={200: CartSerializer})
    def put(self, request: Request, sku: str) -> Response:
        product = cart_services.get_orderable_product(sku=sku, buyer=request.user)
        if not isinstance(request.data, dict) or "quantity" not in request.data:
            raise ValidationFailed(
                gettext("Send the quantity."),
                code="invalid_quantity",
                details={"quantity": [gettext("This field is required.")]},
            )
        value = request.data["quantity"]
        if isinstance(value, str):  # JSON must carry a number; "10" is a client bug worth a 400
            value = None
        quantity = cart_services.parse_quantity(value)
        cart_services.set_quantity(buyer=signed_in_user(request), product=product, quantity=quantity)
        return self.cart_response(request)

    @extend_schema(responses={200: CartSerializer})
    def delete(self, request: Request, sku: str) -> Response:
        product = cart_services.get_orderable_product(sku=sku, buyer=signed_in_user(request))
        cart_services.remove_line(buyer=signed_in_user(request), sku=product.sku)
        return self.cart_response(request)


class CheckoutApi(StoreApi):
    @extend_schema(
        request=CheckoutSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        responses={
            201: StoreOrderSerializer,
            200: StoreOrderSerializer,
            409: OutOfStockSerializer,
            422: RulesViolatedSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        key = check_idempotency_key(request.headers.get("Idempotency-Key"))  # before the body's errors
        serializer = CheckoutSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data  # unknown fields such as a tampered price are ignored
        details = CheckoutDetails(
            ship_to_id=data.get("ship_to"),
            requested_delivery_date=data.get("requested_delivery_date"),
            po_number=data.get("po_number", ""),
            note=data.get("note", ""),
        )
        channel = Order.Channel.WEB if request.auth is None else Order.Channel.API
        try:
            placed = place_order(
                buyer=signed_in_user(request),
                idempotency_key=key,
                details=details,
                now=timezone.now(),
                channel=channel,
            )
        except RulesViolated as exc:
            violations = [violation_document(v) for v in exc.violations]
            body = error_body(exc.code, exc.message, {"violations": violations})
            body["violations"] = violations
            return Response(_typed(RulesViolatedSerializer, body), status=422)
        except InsufficientStock as exc:
            body = error_body(
                exc.code, gettext("Some products are not in stock in the quantity ordered."), exc.details
            )
            body["lines"] = exc.details.get("lines", [])
            return Response(_typed(OutOfStockSerializer, body), status=409)
        if placed.created:  # lines, fees and the first event are already loaded
            return Response(_typed(StoreOrderSerializer, order_document(placed.order)), status=201)
        order = selectors.get_order(customer=placed.order.customer, number=placed.order.number)
        return Response(_typed(StoreOrderSerializer, order_document(order)), status=200)


class OrderListApi(StoreApi):
    pagination_class = PageNumberPagination  # declares the page in the schema

    @extend_schema(operation_id="store_orders_list", responses={200: OrderSummarySerializer(many=True)})
    def get(self, request: Request) -> Response:
        customer = get_buyer_customer(user=signed_in_user(request))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.list_orders(customer=customer), request, view=self)
        return paginator.get_paginated_response(
            [_typed(OrderSummarySerializer, order_summary(order)) for order in page]
        )


class OrderDetailApi(StoreApi):
    @extend_schema(operation_id="store_orders_retrieve", responses={200: StoreOrderSerializer})
    def get(self, request: Request, number: str) -> Response:
        customer = get_buyer_customer(user=signed_in_user(request))
        order = selectors.get_order(customer=customer, number=number)
        return Response(_typed(StoreOrderSerializer, order_document(order)))


class AwaitingApprovalListApi(StoreApi):
    """承認待ち: the company's orders waiting for a decision, oldest first; approvers and admins only."""

    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="store_approvals_list",
        responses={200: AwaitingApprovalSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        if not user.can_approve:
            raise NotFound(gettext("Not found."), code="not_found")
        customer = get_buyer_customer(user=user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            approval.list_awaiting_approval(customer=customer), request, view=self
        )
        return paginator.get_paginated_response(
            [_typed(AwaitingApprovalSerializer, approval_summary(order)) for order in page]
        )


class ReorderApi(StoreApi):
    @extend_schema(request=None, responses={200: CartSerializer})
    def post(self, request: Request, number: str) -> Response:
        result = reorder(buyer=signed_in_user(request), number=number)
        return self.cart_response(request, extra={"unavailable": result.unavailable})


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class _DecisionApi(StoreApi):
    """Approve or reject a colleague's order (approvers and company admins only; others get 404)."""

    decide: Callable[..., Order]

    def post(self, request: Request, number: str) -> Response:
        serializer = DecisionSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)
        order = self.decide(
            approver=request.user,
            number=number,
            now=timezone.now(),
            reason=serializer.validated_data.get("reason", ""),
        )
        customer = get_buyer_customer(user=request.user)
        order = selectors.get_order(customer=customer, number=order.number)
        return Response(_typed(StoreOrderSerializer, order_document(order)))


class ApproveOrderApi(_DecisionApi):
    decide = staticmethod(approval.approve_order)

    @extend_schema(
        operation_id="store_orders_approve",
        request=DecisionSerializer,
        responses={
            200: StoreOrderSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, number: str) -> Response:
        return super().post(request, number)


class RejectOrderApi(_DecisionApi):
    decide = staticmethod(approval.reject_order)

    @extend_schema(
        operation_id="store_orders_reject",
        request=DecisionSerializer,
        responses={
            200: StoreOrderSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, number: str) -> Response:
        return super().post(request, number)
