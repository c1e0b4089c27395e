"""ERP → shop master data (contract section 3): products, bulk products, stock, bulk prices.

Thin views: parse and type-check JSON with the strict serializers below, make one service
call, format the answer; errors are raised (b2bshop.api_views.ErpApi). Only integration users get in.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from b2bshop.api import ErrorSerializer, batch_items, require_json_object, validate_items
from b2bshop.api_fields import MoneyField, StrictBooleanField, StrictIntegerField, TaxRateField
from b2bshop.api_views import ErpApi, upsert_schema, upserted
from b2bshop.errors import ValidationFailed
from b2bshop.money import money_str
from catalog import services
from catalog.models import Product
from catalog.sku import SKU_MAX_LENGTH, InvalidSku, normalize_sku
from catalog.stock import stock_batch_lane
from catalog.text import is_valid_jan


@extend_schema_field({"type": "string", "maxLength": SKU_MAX_LENGTH, "example": "BOLT-00001"})
class SkuField(serializers.Field):
    """A SKU in its canonical form (catalog.sku: the one rule for single and bulk writes)."""

    default_error_messages = {"invalid": _("Enter the SKU as a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return normalize_sku(data)
        except InvalidSku as exc:
            raise serializers.ValidationError(exc.message, code="invalid_sku") from exc

    def to_representation(self, value: str) -> str:
        return value


class JanField(serializers.CharField):
    default_error_messages = {
        "jan": gettext_lazy("Enter a valid JAN code (8 or 13 digits with a correct check digit).")
    }

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 13)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value and not is_valid_jan(value):
            self.fail("jan")
        return value


# ---------------------------------------------------------------- serializers (input)
class ProductInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name_kana = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default=None,
        help_text="Shop extension: kana reading for search. Omitted = unchanged.",
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default=None, help_text="Shop extension. Omitted = unchanged."
    )
    category = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, default=None
    )
    image_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        default=None,
        help_text="Shop extension: https URL of the product image. Omitted = unchanged; empty = none.",
    )
    unit = serializers.CharField(max_length=16)
    case_quantity = StrictIntegerField(min_value=1, max_value=1_000_000, required=False, default=1)
    base_price = MoneyField()
    cost_price = MoneyField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Shop extension: unit cost (原価) for margin reports. Omitted or null = unchanged.",
    )
    tax_rate = TaxRateField()
    jan_code = JanField(default="")
    moq = StrictIntegerField(min_value=1, max_value=10_000_000, required=False, allow_null=True, default=None)
    order_multiple = StrictIntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True, default=None
    )
    max_quantity = StrictIntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True, default=None
    )
    active = StrictBooleanField()

    def validate_image_url(self, value: str | None) -> str | None:
        # Buyers' pages load it directly: plain http would be mixed content.
        if value and not value.lower().startswith("https://"):
            raise serializers.ValidationError(_("The image URL must start with https://."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        moq, max_quantity = attrs.get("moq"), attrs.get("max_quantity")
        if moq and max_quantity and max_quantity < moq:
            raise serializers.ValidationError(
                {"max_quantity": [_("The maximum quantity must not be below the minimum order quantity.")]}
            )
        return attrs


class ProductBulkItemSerializer(ProductInSerializer):
    sku = SkuField()


class StockItemSerializer(serializers.Serializer):
    sku = SkuField()
    on_hand = StrictIntegerField(min_value=0, max_value=2_000_000_000)
    as_of = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PriceItemSerializer(serializers.Serializer):
    sku = SkuField()
    customer = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, default=None
    )
    price_group = serializers.CharField(
        max_length=32, required=False, allow_blank=True, allow_null=True, default=None
    )
    min_quantity = StrictIntegerField(min_value=1, max_value=10_000_000, required=False, default=1)
    unit_price = MoneyField()
    valid_from = serializers.DateField(required=False, allow_null=True, default=None)
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("customer") and attrs.get("price_group"):
            raise serializers.ValidationError(
                {"price_group": [_("Give either a customer or a price group, not both.")]}
            )
        if attrs.get("valid_from") and attrs.get("valid_to") and attrs["valid_to"] < attrs["valid_from"]:
            raise serializers.ValidationError({"valid_to": [_("valid_to must not be before valid_from.")]})
        return attrs


# ---------------------------------------------------------------- output
class ProductOutSerializer(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    name_kana = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    unit = serializers.CharField()
    case_quantity = serializers.IntegerField()
    base_price = serializers.CharField()
    tax_rate = serializers.CharField()
    jan_code = serializers.CharField()
    moq = serializers.IntegerField(allow_null=True)
    order_multiple = serializers.IntegerField(allow_null=True)
    max_quantity = serializers.IntegerField(allow_null=True)
    active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


def product_json(product: Product, *, category: str | None) -> dict[str, Any]:
    return {
        "sku": product.sku, "name": product.name, "name_en": product.name_en, "name_kana": product.name_kana,
        "category": category or None, "unit": product.unit, "case_quantity": product.case_quantity,
        "base_price": money_str(product.base_price),
        "tax_rate": str(product.tax_rate), "jan_code": product.jan_code,
        "moq": product.moq, "order_multiple": product.order_multiple, "max_quantity": product.max_quantity,
        "active": product.active, "updated_at": product.updated_at.isoformat() if product.updated_at else None,
    }  # fmt: skip


ITEM_ERRORS_RESPONSE = inline_serializer(
    "ErpItemErrors",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "details": serializers.DictField(required=False),
        # Present when individual items are invalid; a malformed envelope answers code/message/details only.
        "errors": serializers.ListField(child=serializers.DictField(), required=False),
    },
)
ITEM_ERRORS_EXAMPLE = OpenApiExample(
    "invalid items (nothing written)",
    value={
        "code": "invalid",
        "message": "Some items are invalid; nothing was written.",
        "details": {
            "errors": [{"index": 1, "sku": "BOLT-00002", "errors": {"jan_code": ["Enter a valid JAN code."]}}]
        },
        "errors": [{"index": 1, "sku": "BOLT-00002", "errors": {"jan_code": ["Enter a valid JAN code."]}}],
    },
    response_only=True,
    status_codes=["400"],
)
PRODUCT_EXAMPLE = {
    "name": "六角ボルト M8×30", "name_en": "Hex bolt M8x30", "category": "BOLT", "unit": "個",
    "case_quantity": 100, "base_price": "12.50", "tax_rate": "10", "jan_code": "4901234567894",
    "moq": 100, "order_multiple": 100, "max_quantity": None, "active": True,
}  # fmt: skip


# ---------------------------------------------------------------- helpers
def _product_data(sku: str, data: dict[str, Any]) -> services.ProductData:
    return services.ProductData(
        sku=sku, name=data["name"], name_en=data["name_en"], name_kana=data["name_kana"],
        description=data["description"], category=data["category"] or None, unit=data["unit"],
        case_quantity=data["case_quantity"], base_price=data["base_price"], tax_rate=data["tax_rate"],
        cost_price=data.get("cost_price"), image_url=data.get("image_url"),
        jan_code=data["jan_code"], moq=data["moq"], order_multiple=data["order_multiple"],
        max_quantity=data["max_quantity"], active=data["active"],
    )  # fmt: skip


# ---------------------------------------------------------------- views
class ProductUpsertApi(ErpApi):
    @upsert_schema(
        operation_id="erp_product_put",
        summary="Create or replace one product by SKU",
        description="Fields of the contract are replaced (omitted optional ones reset to their defaults); "
        "`name_kana` and `description` are shop extensions kept when omitted.",
        request=ProductInSerializer,
        response=ProductOutSerializer,
        key=("sku", "BOLT-00001"),
        example=("product", PRODUCT_EXAMPLE),
        answer_extra={"name_kana": ""},
        invalid=("bad input", {"tax_rate": ['The tax rate must be "10" or "8".']}),
    )
    def put(self, request: Request, sku: str) -> Response:
        body = require_json_object(request.data)
        sku = normalize_sku(sku)
        body_sku = body.get("sku")
        if body_sku is not None and (not isinstance(body_sku, str) or normalize_sku(body_sku) != sku):
            raise ValidationFailed(_("The SKU in the body differs from the one in the URL."),
                                   details={"sku": [_("The SKU in the body differs from the one in the URL.")]})  # fmt: skip
        serializer = ProductBulkItemSerializer(data={**body, "sku": sku})
        serializer.is_valid(raise_exception=True)
        result = services.upsert_product(item=_product_data(sku, serializer.validated_data))
        product = result.products[0]
        return upserted(
            product_json(product, category=serializer.validated_data["category"]),
            created=bool(result.created),
        )


class ProductBulkApi(ErpApi):
    @extend_schema(
        operation_id="erp_products_bulk",
        summary="Create or update up to 1000 products, all or nothing",
        request=inline_serializer("ErpProductBulk", {"items": ProductBulkItemSerializer(many=True)}),
        responses={
            200: inline_serializer(
                "ErpProductBulkResult",
                {"created": serializers.IntegerField(), "updated": serializers.IntegerField()},
            ),  # fmt: skip
            400: ITEM_ERRORS_RESPONSE,
        },
        examples=[
            OpenApiExample(
                "two products",
                value={
                    "items": [
                        {"sku": "BOLT-00001", **PRODUCT_EXAMPLE},
                        {"sku": "BOLT-00002", **PRODUCT_EXAMPLE},
                    ]
                },
                request_only=True,
            ),  # fmt: skip
            OpenApiExample(
                "written", value={"created": 1, "updated": 1}, response_only=True, status_codes=["200"]
            ),
            ITEM_ERRORS_EXAMPLE,
        ],
        tags=["erp"],
    )
    def post(self, request: Request) -> Response:
        valid = validate_items(batch_items(request.data), ProductBulkItemSerializer)
        result = services.upsert_products(items=[_product_data(d["sku"], d) for d in valid])
        return Response({"created": result.created, "updated": result.updated})


class StockApi(ErpApi):
    @extend_schema(
        operation_id="erp_stock",
        summary="Absolute on-hand counts; stale figures (older as_of) are ignored",
        request=inline_serializer("ErpStock", {"items": StockItemSerializer(many=True)}),
        responses={
            200: inline_serializer(
                "ErpStockResult", {"updated": serializers.IntegerField(), "stale": serializers.IntegerField()}
            ),  # fmt: skip
            400: ITEM_ERRORS_RESPONSE,
        },
        examples=[
            OpenApiExample(
                "figures",
                value={
                    "items": [
                        {"sku": "BOLT-00001", "on_hand": 1200, "as_of": "2026-11-26T09:00:00+09:00"},
                        {"sku": "BOLT-00002", "on_hand": 0},
                    ]
                },
                request_only=True,
            ),  # fmt: skip
            OpenApiExample(
                "applied", value={"updated": 2, "stale": 0}, response_only=True, status_codes=["200"]
            ),
            ITEM_ERRORS_EXAMPLE,
        ],
        tags=["erp"],
    )
    def post(self, request: Request) -> Response:
        with stock_batch_lane():
            valid = validate_items(batch_items(request.data), StockItemSerializer)
            items = [services.StockItem(sku=d["sku"], on_hand=d["on_hand"], as_of=d["as_of"]) for d in valid]
            result = services.apply_erp_stock(items=items, received_at=timezone.now())
        return Response({"updated": result.updated, "stale": result.stale})


class PriceBulkApi(ErpApi):
    @extend_schema(
        operation_id="erp_prices_bulk",
        summary="Upsert up to 1000 price rows, all or nothing",
        description="Key: sku + customer + price_group + min_quantity + valid_from. Neither customer nor "
        "price_group = a list price tier.",
        request=inline_serializer("ErpPriceBulk", {"items": PriceItemSerializer(many=True)}),
        responses={
            200: inline_serializer("ErpPriceBulkResult", {"upserted": serializers.IntegerField()}),
            400: ITEM_ERRORS_RESPONSE,
        },
        examples=[
            OpenApiExample(
                "contract, group and tier prices",
                value={
                    "items": [
                        {
                            "sku": "BOLT-00001",
                            "customer": "C10001",
                            "unit_price": "9.80",
                            "valid_from": "2026-04-01",
                            "valid_to": "2027-03-31",
                        },
                        {"sku": "BOLT-00001", "price_group": "A", "unit_price": "11"},
                        {"sku": "BOLT-00001", "min_quantity": 1000, "unit_price": "10.50"},
                    ]
                },
                request_only=True,
            ),  # fmt: skip
            OpenApiExample("written", value={"upserted": 3}, response_only=True, status_codes=["200"]),
            ITEM_ERRORS_EXAMPLE,
        ],
        tags=["erp"],
    )
    def post(self, request: Request) -> Response:
        valid = validate_items(batch_items(request.data), PriceItemSerializer)
        items = [
            services.PriceData(
                sku=d["sku"],
                customer=d["customer"] or None,
                price_group=d["price_group"] or None,
                min_quantity=d["min_quantity"],
                unit_price=d["unit_price"],
                valid_from=d["valid_from"],
                valid_to=d["valid_to"],
            )  # fmt: skip
            for d in valid
        ]
        return Response({"upserted": services.upsert_prices(items=items)})


# ---------------------------------------------------------------- visibility (表示グループ)
class VisibilityTargetsSerializer(serializers.Serializer):
    categories = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, default=list, max_length=1000
    )
    skus = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=10000
    )


class VisibilitySerializer(serializers.Serializer):
    hide = VisibilityTargetsSerializer(
        required=False, help_text="categories (with sub-categories) and SKUs hidden"
    )
    allow = VisibilityTargetsSerializer(
        required=False, help_text="if any: only these categories and SKUs are visible (hide still applies)"
    )


class VisibilityApi(ErpApi):
    """Which categories and products one customer or price group may see and order (表示グループ).

    PUT replaces every rule of the subject; empty lists = the whole active catalog again.
    A hidden product is 404 for that company's buyers everywhere (pages, API, cart, quick order, reorder).
    """

    subject = "customer"

    def _codes(self, code: str) -> dict[str, str]:
        return {"customer_code": code} if self.subject == "customer" else {"price_group_code": code}

    def _document(self, code: str) -> dict[str, Any]:
        return services.visibility_document(**self._codes(code))

    @extend_schema(responses={200: VisibilitySerializer, 404: ErrorSerializer}, tags=["erp"])
    def get(self, request: Request, code: str) -> Response:
        return Response(self._document(code))

    @extend_schema(
        request=VisibilitySerializer,
        responses={200: VisibilitySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        tags=["erp"],
        examples=[
            OpenApiExample(
                "hide a category, allow only two categories",
                request_only=True,
                value={
                    "hide": {"categories": ["TOBACCO"], "skus": []},
                    "allow": {"categories": ["BOLT", "DRINK"]},
                },
            )
        ],
    )
    def put(self, request: Request, code: str) -> Response:
        serializer = VisibilitySerializer(data=require_json_object(request.data))
        if not serializer.is_valid():
            raise ValidationFailed(_("Invalid visibility rules."), details=serializer.errors)
        data = serializer.validated_data
        targets = {
            effect: services.VisibilityTargets(
                categories=tuple(data.get(effect, {}).get("categories", [])),
                skus=tuple(data.get(effect, {}).get("skus", [])),
            )
            for effect in ("hide", "allow")
        }
        services.replace_visibility(**self._codes(code), hide=targets["hide"], allow=targets["allow"])
        return Response(self._document(code))


class PriceGroupVisibilityApi(VisibilityApi):
    subject = "price_group"
