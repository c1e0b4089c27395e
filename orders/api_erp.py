"""ERP-facing order API (contract section 3): list/pull orders and report order events.

Thin views: parse, call `orders.events` / `orders.erp_payload`, format. Only integration users.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from b2bshop.api import MAX_PAGE_SIZE, ErrorSerializer, keyset_page, keyset_params
from b2bshop.api_views import ERP_AUTH_RESPONSES, ErpApi
from b2bshop.errors import NotFound, ValidationFailed
from customers.auth import signed_in_user
from orders import events, selectors
from orders.erp_payload import order_resource, with_payload_relations
from orders.models import Order

# ----------------------------------------------------------------- schema-only serializers (documentation)


class ErpShipToSerializer(serializers.Serializer):
    name = serializers.CharField()
    postal_code = serializers.CharField()
    prefecture = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)


class ErpOrderLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.CharField(help_text='decimal string, e.g. "120" or "0.85"')
    amount = serializers.CharField(help_text="whole yen as a string")
    tax_rate = serializers.ChoiceField(choices=["10", "8"])


class ErpOrderFeeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="small_order_fee | shipping")
    amount = serializers.CharField()
    tax_rate = serializers.ChoiceField(choices=["10", "8"])


class ErpOrderEventSerializer(serializers.Serializer):
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    tracking_number = serializers.CharField(allow_blank=True)


ErpTaxSerializer = inline_serializer(
    name="ErpTax", fields={"10": serializers.CharField(), "8": serializers.CharField()}
)


class ErpOrderSerializer(serializers.Serializer):
    """Section 4 order body plus its current state."""

    number = serializers.CharField()
    customer = serializers.CharField(help_text="customer code")
    ordered_at = serializers.DateTimeField()
    po_number = serializers.CharField(allow_blank=True)
    ship_to = ErpShipToSerializer()
    requested_delivery_date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    lines = ErpOrderLineSerializer(many=True)
    fees = ErpOrderFeeSerializer(many=True)
    subtotal = serializers.CharField()
    tax = ErpTaxSerializer
    total = serializers.CharField()
    currency = serializers.ChoiceField(choices=["JPY"])
    status = serializers.ChoiceField(choices=Order.Status.values)
    tracking_number = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()
    events = ErpOrderEventSerializer(many=True)


class ErpOrderPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ErpOrderSerializer(many=True)


class ErpOrderEventInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=events.EVENT_TYPES)
    tracking_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


ORDER_EXAMPLE = {
    "number": "B261126-001234",
    "customer": "C00042",
    "ordered_at": "2026-11-26T10:15:00+09:00",
    "po_number": "PO-7781",
    "ship_to": {
        "name": "株式会社山田商店 本社",
        "postal_code": "100-0001",
        "prefecture": "東京都",
        "address": "千代田区千代田1-1",
        "phone": "03-1234-5678",
    },
    "requested_delivery_date": "2026-11-30",
    "note": "",
    "lines": [
        {
            "line_no": 1,
            "sku": "BOLT-M8",
            "name": "六角ボルト M8",
            "quantity": 12,
            "unit_price": "120",
            "amount": "1440",
            "tax_rate": "10",
        }
    ],
    "fees": [{"kind": "small_order_fee", "amount": "500", "tax_rate": "10"}],
    "subtotal": "1440",
    "tax": {"10": "194", "8": "0"},
    "total": "2134",
    "currency": "JPY",
    "status": "accepted",
    "tracking_number": "",
    "updated_at": "2026-11-26T10:20:00+09:00",
    "events": [{"type": "accepted", "occurred_at": "2026-11-26T10:20:00+09:00", "tracking_number": ""}],
}
# ----------------------------------------------------------------- filters


def _parse_filters(request: Request) -> tuple[QuerySet[Order], int]:
    errors: dict[str, list[str]] = {}
    queryset = selectors.erp_orders()
    status = request.query_params.get("status", "")
    if status:
        if status not in Order.Status.values:
            errors["status"] = [_("Use one of: %(choices)s.") % {"choices": ", ".join(Order.Status.values)}]
        queryset = queryset.filter(status=status)
    since, size = keyset_params(request, errors)
    if errors:
        raise ValidationFailed(_("The request has invalid fields."), details=errors)
    if since is not None:
        queryset = queryset.filter(updated_at__gte=since)
    return queryset, size


# ----------------------------------------------------------------- views


class ErpOrderListApi(ErpApi):
    @extend_schema(
        operation_id="erp_orders_list",
        summary="Orders for the ERP to pull, oldest change first",
        description=(
            "Keyset (cursor) pagination on (updated_at, id): an order that changes while you page moves "
            "behind your cursor and shows up again on a later page, so nothing is skipped. Store the "
            "`updated_at` of the last order you processed and pass it as `updated_since` next time "
            "(minus a minute of overlap); de-duplicate by `number`."
        ),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Order.Status.values, required=False),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                required=False,
                description="only orders changed at or after this timestamp",
            ),
            OpenApiParameter(
                "cursor", OpenApiTypes.STR, required=False, description="from `next` / `previous`"
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                required=False,
                description="1–200, default 50",
            ),
        ],
        responses={200: ErpOrderPageSerializer, 400: ErrorSerializer, **ERP_AUTH_RESPONSES},
        examples=[
            OpenApiExample(
                "page",
                value={
                    "next": "https://shop.example.jp/api/v1/erp/orders?cursor=WyJuIiwi",
                    "previous": None,
                    "results": [ORDER_EXAMPLE],
                },
                response_only=True,
            )
        ],
        tags=["erp"],
    )
    def get(self, request: Request) -> Response:
        queryset, size = _parse_filters(request)
        rows, links = keyset_page(request, queryset, size=size, load=with_payload_relations)
        return Response({**links, "results": [order_resource(order) for order in rows]})


def _get_order(number: str) -> Order:
    order = with_payload_relations(selectors.erp_orders().filter(number=number)).first()
    if order is None:
        raise NotFound(_("No order with number %(number)s.") % {"number": number})
    return order


class ErpOrderDetailApi(ErpApi):
    @extend_schema(
        operation_id="erp_orders_retrieve",
        summary="One order as pushed (section 4), with status, tracking number and events",
        responses={200: ErpOrderSerializer, 404: ErrorSerializer, **ERP_AUTH_RESPONSES},
        examples=[OpenApiExample("order", value=ORDER_EXAMPLE, response_only=True)],
        tags=["erp"],
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(order_resource(_get_order(number)))


class ErpOrderEventApi(ErpApi):
    @extend_schema(
        operation_id="erp_orders_events_create",
        summary="Report what the ERP did with an order",
        description=(
            "confirmed → accepted → shipped → invoiced; cancelled from confirmed or accepted. shipped needs "
            "accepted first. A repeated event (same type; for shipped the same or no tracking number) answers "
            "200 and changes nothing. accepted/cancelled make the order's stock holds releasable by the next "
            "stock figure taken after `occurred_at` (default: now)."
        ),
        request=ErpOrderEventInputSerializer,
        responses={
            200: ErpOrderSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: OpenApiResponse(ErrorSerializer, description="illegal transition"),
            **ERP_AUTH_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "accepted",
                value={"type": "accepted", "occurred_at": "2026-11-26T10:20:00+09:00"},
                request_only=True,
            ),
            OpenApiExample(
                "shipped", value={"type": "shipped", "tracking_number": "1234-5678-9012"}, request_only=True
            ),
            OpenApiExample(
                "illegal",
                value={
                    "code": "illegal_transition",
                    "message": "Order B261126-001234 is confirmed; the event shipped is not allowed now.",
                    "details": {"status": "confirmed", "type": "shipped"},
                },
                response_only=True,
                status_codes=["409"],
            ),
        ],
        tags=["erp"],
    )
    def post(self, request: Request, number: str) -> Response:
        payload = ErpOrderEventInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = payload.validated_data
        events.record_erp_event(
            number=number,
            event_type=data["type"],
            tracking_number=data.get("tracking_number") or "",
            occurred_at=data.get("occurred_at"),
            actor=signed_in_user(request),
            now=timezone.now(),
        )
        return Response(order_resource(_get_order(number)))
