"""Buyer API: `GET /api/v1/store/products?search=&category=` (contract section 5)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from b2bshop.api import PageNumberPagination
from b2bshop.api_views import StoreApi
from b2bshop.money import money_str
from catalog import selectors
from catalog.models import Product
from customers.auth import signed_in_user
from customers.selectors import get_buyer_customer


class PriceTierSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField()
    unit_price = serializers.CharField(help_text="decimal string")


class OrderLimitsSerializer(serializers.Serializer):
    minimum = serializers.IntegerField(
        allow_null=True, help_text="Smallest quantity the cart accepts (every rule combined); null: none."
    )
    multiple = serializers.IntegerField(help_text="Quantities must be a multiple of this.")
    maximum = serializers.IntegerField(allow_null=True, help_text="Largest quantity the cart accepts.")
    text = serializers.CharField(
        help_text="The same instruction the shop pages show, in the buyer's language."
    )


class StoreProductSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()
    case_quantity = serializers.IntegerField()
    unit_price = serializers.CharField(help_text="This buyer's unit price for 1, as a decimal string.")
    price_tiers = PriceTierSerializer(many=True)
    available = serializers.IntegerField()
    availability = serializers.ChoiceField(choices=["in_stock", "low_stock", "out_of_stock"])
    moq = serializers.IntegerField(allow_null=True)
    order_multiple = serializers.IntegerField(allow_null=True)
    max_quantity = serializers.IntegerField(allow_null=True)
    tax_rate = serializers.CharField()
    jan_code = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    order_limits = OrderLimitsSerializer(
        help_text="The trading-rules engine's effective limits for this buyer (moq etc. are the product's own)."
    )


def offer_json(offer: selectors.ProductOffer) -> dict[str, Any]:
    p = offer.product
    return {
        "sku": p.sku, "name": p.name, "name_en": p.name_en, "unit": p.unit, "case_quantity": p.case_quantity,
        "unit_price": money_str(offer.unit_price),
        "price_tiers": [{"min_quantity": q, "unit_price": money_str(price)} for q, price in offer.tiers],
        "available": offer.available, "availability": offer.availability,
        "moq": p.moq, "order_multiple": p.order_multiple, "max_quantity": p.max_quantity,
        "tax_rate": str(p.tax_rate), "jan_code": p.jan_code, "category": p.category.code if p.category else None,
        "order_limits": {"minimum": offer.limits.smallest_valid, "multiple": offer.limits.multiple,
                         "maximum": offer.limits.largest_valid, "text": offer.limits_text},
    }  # fmt: skip


class NextPreviousPagination(PageNumberPagination):
    """Contract pagination (next / previous / results) without COUNT(*): one query of size + 1 rows.

    `count` is optional in the contract; counting 50,000 products cost more than the page itself.
    """

    def paginate_queryset(self, queryset, request, view=None):  # noqa: ANN001, ANN201 - DRF signature
        self.request = request
        size = self.get_page_size(request) or self.page_size
        try:
            number = int(request.query_params.get(self.page_query_param, "1"))
        except ValueError:
            raise NotFound(_("Invalid page.")) from None
        if number < 1:
            raise NotFound(_("Invalid page."))
        rows, self.has_next = selectors.page_of(queryset, page=number, size=size)
        self.number = number
        return rows

    def get_paginated_response(self, data: list[Any]) -> Response:
        assert self.request is not None  # set by paginate_queryset() before the view asks for a response
        url = self.request.build_absolute_uri()
        next_url = replace_query_param(url, self.page_query_param, self.number + 1) if self.has_next else None
        if self.number <= 1:
            previous = None
        elif self.number == 2:
            previous = remove_query_param(url, self.page_query_param)
        else:
            previous = replace_query_param(url, self.page_query_param, self.number - 1)
        return Response({"next": next_url, "previous": previous, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        full = super().get_paginated_response_schema(schema)
        full["properties"].pop("count", None)
        full["required"] = ["results"]
        return full


class StoreProductListApi(StoreApi, generics.GenericAPIView):
    """Active products with this buyer's own prices and live availability."""

    serializer_class = StoreProductSerializer
    pagination_class = NextPreviousPagination

    def get_queryset(self) -> QuerySet[Product]:
        params = self.request.query_params
        customer = get_buyer_customer(user=signed_in_user(self.request))
        category = None
        code = params.get("category", "").strip()
        if code:
            category = selectors.get_category(code=code, customer=customer)
            if category is None:
                return Product.objects.none()
        return selectors.list_products(customer=customer, search=params.get("search", ""), category=category)

    @extend_schema(
        operation_id="store_products",
        responses=StoreProductSerializer(many=True),
        summary="Products with this buyer's prices",
        parameters=[
            OpenApiParameter("search", str, description="name, kana (hiragana or katakana), SKU or JAN"),
            OpenApiParameter("category", str, description="category code; includes its sub-categories"),
        ],
        examples=[
            OpenApiExample(
                "one product",
                response_only=True,
                value={
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "sku": "BOL-00001",
                            "name": "六角ボルト M",
                            "name_en": "Bolts M #1",
                            "unit": "個",
                            "case_quantity": 100,
                            "unit_price": "9.80",
                            "price_tiers": [
                                {"min_quantity": 1, "unit_price": "9.80"},
                                {"min_quantity": 500, "unit_price": "9.50"},
                            ],
                            "available": 1200,
                            "availability": "in_stock",
                            "moq": 100,
                            "order_multiple": 100,
                            "max_quantity": None,
                            "tax_rate": "10",
                            "jan_code": "4901234567894",
                            "category": "BOLT",
                            "order_limits": {
                                "minimum": 100,
                                "multiple": 100,
                                "maximum": None,
                                "text": "ご注文は100個以上、100個単位で",
                            },
                        }
                    ],
                },
            ),
        ],  # fmt: skip
        tags=["store"],
    )
    def get(self, request: Request) -> Response:
        customer = get_buyer_customer(user=signed_in_user(request))
        products = self.paginate_queryset(self.get_queryset())
        assert products is not None  # the view always has a paginator
        offers = selectors.offers_for(customer=customer, products=products, on=timezone.localdate())
        return self.get_paginated_response([offer_json(o) for o in offers])
