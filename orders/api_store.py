"""Buyer API for cart, checkout and orders (contract section 5). Thin: parse, call a service, format."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from b2bshop.api import ErrorSerializer, PageNumberPagination
from b2bshop.api_views import StoreApi
from b2bshop.errors import NotFound, ValidationFailed
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.api_erp import ErpOrderFeeSerializer, ErpOrderLineSerializer, ErpShipToSerializer
from orders.models import Order
from orders.services import approval
from orders.services import cart as cart_services
from orders.services.checkout import CheckoutDetails, check_idempotency_key, place_order
from orders.services.documents import (
    approval_summary,
    cart_document,
    order_document,
    order_summary,
)
from orders.services.reorder import reorder


def cart_response(request: Request, *, extra: dict[str, Any] | None = None) -> Response:
    """The buyer's cart (contract section 5 shape), re-evaluated now."""
    state = cart_services.buyer_cart(buyer=signed_in_user(request), on=timezone.localdate())
    body = cart_document(state.evaluation)
    if extra:
        body.update(extra)
    return Response(_typed(CartSerializer, body))


# ---------------------------------------------------------------- response bodies
# Every success body below is built by passing the document through its serializer (``_typed``), so
# the OpenAPI schema and the answer cannot drift apart. The error bodies (409, 422, 400 with line
# errors) only document what the exception handler renders from the raised error.

MONEY_HELP = 'decimal string, e.g. "1200" or "0.85"'
TaxSerializer = inline_serializer(
    name="StoreTax",
    fields={
        "10": serializers.CharField(help_text=MONEY_HELP),
        "8": serializers.CharField(help_text=MONEY_HELP),
    },
)


class CartLineSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.CharField(help_text=MONEY_HELP)
    amount = serializers.CharField(help_text=MONEY_HELP)
    tax_rate = serializers.ChoiceField(choices=["10", "8"])
    min_quantity = serializers.IntegerField()
    multiple = serializers.IntegerField()
    max_quantity = serializers.IntegerField(allow_null=True)


class ViolationSerializer(serializers.Serializer):
    code = serializers.CharField()
    sku = serializers.CharField(required=False)
    message = serializers.CharField()
    # The contract names this key "required"; DRF's Field.required flag is shadowed on purpose.
    required = serializers.JSONField(required=False, help_text="a quantity or an amount")  # type: ignore[assignment]  # see above
    suggested = serializers.IntegerField(required=False)


class FeeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.CharField(help_text=MONEY_HELP)
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
    subtotal = serializers.CharField(help_text=MONEY_HELP)
    tax = TaxSerializer
    total = serializers.CharField(help_text=MONEY_HELP)
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
    subtotal = serializers.CharField(help_text=MONEY_HELP)
    tax = TaxSerializer
    total = serializers.CharField(help_text=MONEY_HELP)
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
    subtotal = serializers.CharField(help_text=MONEY_HELP)
    total = serializers.CharField(help_text=MONEY_HELP)
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
    # The contract's top-level "errors" key; only used to render and document, never to validate.
    # Absent when the body itself is refused (not JSON, too deep): then it is the plain error body.
    errors = LineProblemSerializer(  # type: ignore[assignment]  # a field where the base has none
        many=True, required=False, help_text="every refused line, when lines were sent"
    )


@cache
def _representer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    # One bound instance per class and process: instantiating a nested serializer deep-copies its
    # whole field tree, which cost more CPU than the representation itself (tools/profile_checkout.py).
    # Reading a document through it keeps no state, so sharing it is safe.
    return serializer_class()


def _typed(serializer_class: type[serializers.Serializer], document: dict[str, Any]) -> dict[str, Any]:
    """The body exactly as the schema declares it (undeclared keys cannot slip out)."""
    return _representer(serializer_class).to_representation(document)


class QuantitySerializer(serializers.Serializer):
    quantity = serializers.IntegerField(
        min_value=0, max_value=cart_services.MAX_QUANTITY, help_text="whole number; 0 removes the line"
    )


class CartLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=0, max_value=cart_services.MAX_QUANTITY)


class CartLinesSerializer(serializers.Serializer):
    # many=True builds a ListSerializer, which takes max_length; the stubs only know the child's kwargs.
    lines = CartLineInputSerializer(many=True, max_length=cart_services.MAX_CART_LINES)  # type: ignore[call-arg]  # see above


class CheckoutSerializer(serializers.Serializer):
    ship_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    requested_delivery_date = serializers.DateField(required=False, allow_null=True)
    po_number = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CartApi(StoreApi):
    @extend_schema(responses={200: CartSerializer})
    def get(self, request: Request) -> Response:
        return cart_response(request)

    @extend_schema(
        request=CartLinesSerializer, responses={200: CartSerializer, 400: CartLinesInvalidSerializer}
    )
    def put(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        cart_services.replace_cart(buyer=signed_in_user(request), raw_lines=data.get("lines"))
        return cart_response(request)


class CartItemApi(StoreApi):
    @extend_schema(request=QuantitySerializer, responses={200: CartSerializer})
    def put(self, request: Request, sku: str) -> Response:
        product = cart_services.get_orderable_product(sku=sku, buyer=signed_in_user(request))
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
        return cart_response(request)

    @extend_schema(responses={200: CartSerializer})
    def delete(self, request: Request, sku: str) -> Response:
        product = cart_services.get_orderable_product(sku=sku, buyer=signed_in_user(request))
        cart_services.remove_line(buyer=signed_in_user(request), sku=product.sku)
        return cart_response(request)


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
        placed = place_order(
            buyer=signed_in_user(request),
            idempotency_key=key,
            details=details,
            now=timezone.now(),
            channel=channel,
        )
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
        return cart_response(request, extra={"unavailable": result.unavailable})


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class _DecisionApi(StoreApi):
    """Approve or reject a colleague's order (approvers and company admins only; others get 404)."""

    decide: Callable[..., Order]

    def post(self, request: Request, number: str) -> Response:
        serializer = DecisionSerializer(data=request.data if isinstance(request.data, dict) else {})
        serializer.is_valid(raise_exception=True)
        order = self.decide(
            approver=signed_in_user(request),
            number=number,
            now=timezone.now(),
            reason=serializer.validated_data.get("reason", ""),
        )
        customer = get_buyer_customer(user=signed_in_user(request))
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
