"""Sample contexts for every e-mail template, so staff can preview each one in admin (ja and en).

Plain data only (this app imports no business app): each sample carries the attributes its
template reads, with a fictitious company. A test renders every entry in both languages, so a
template that starts reading something new fails there before a customer sees a broken e-mail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace as Obj
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mail.services import Rendered, render_email


@dataclass(frozen=True, slots=True)
class Preview:
    key: str
    template: str
    label: Any  # lazy translation
    sample: Callable[[], Mapping[str, Any]]


def _customer() -> Obj:
    return Obj(name="株式会社サンプル商事", code="C10001")


def _user() -> Obj:
    return Obj(full_name="見本 太郎", email="buyer@example.jp")


def _product(sku: str, name: str, unit: str = "個") -> Obj:
    return Obj(sku=sku, name=name, unit=unit)


def _order(**extra: Any) -> Obj:
    fields: dict[str, Any] = {
        "number": "ORD-2026-000123",
        "customer": _customer(),
        "status": "confirmed",
        "subtotal": Decimal(8400),
        "total": Decimal(9790),
        "ship_to": {"name": "本社倉庫", "prefecture": "東京都", "address": "千代田区1-1-1"},
        "requested_delivery_date": date(2026, 12, 10),
        "po_number": "PO-4711",
        "tracking_number": "1234-5678-9012",
    }
    fields.update(extra)
    return Obj(**fields)


def _site(path: str) -> str:
    return settings.SITE_URL + path


def _confirmation() -> Mapping[str, Any]:
    lines = [
        Obj(
            line_no=1,
            sku="TEA-500",
            name="緑茶 500ml",
            quantity=24,
            unit="本",
            unit_price=Decimal(150),
            amount=Decimal(3600),
        ),
        Obj(
            line_no=2,
            sku="CUP-100",
            name="紙コップ 100個入",
            quantity=12,
            unit="袋",
            unit_price=Decimal(400),
            amount=Decimal(4800),
        ),
    ]
    view = Obj(
        lines=lines,
        fees=[Obj(label=_("Small-order fee"), fee=Obj(amount=Decimal(500)))],
        tax=[(10, Decimal(890))],
    )
    return {"order": _order(), "view": view, "user": _user(), "site_url": settings.SITE_URL}


def _reminder() -> Mapping[str, Any]:
    return {
        "customer": _customer(),
        "user": _user(),
        "lines": [
            {
                "product": _product("TEA-500", "緑茶 500ml", "本"),
                "quantity": 24,
                "unit_price": Decimal(150),
                "last_date": date(2026, 11, 2),
                "median_gap_days": Decimal("28.0"),
            }
        ],
        "also_buy": [Obj(product=_product("CUP-100", "紙コップ 100個入", "袋"), unit_price=Decimal(400))],
        "cart_url": _site("/reminders/1/"),
        "unsubscribe_url": _site("/unsubscribe/sample/"),
        "site_url": settings.SITE_URL,
    }


PREVIEWS: tuple[Preview, ...] = (
    Preview("order_confirmation", "orders/email/confirmation", _("Order confirmation"), _confirmation),
    Preview(
        "order_shipped",
        "orders/email/shipped",
        _("Shipping notice"),
        lambda: {"order": _order(), "user": _user(), "site_url": settings.SITE_URL},
    ),
    Preview("reorder_reminder", "engagement/email/reminder", _("Reorder reminder"), _reminder),
    Preview(
        "reactivation",
        "engagement/email/reactivation",
        _("We miss you (dormant customer)"),
        lambda: {
            "customer": _customer(),
            "user": _user(),
            "products": ["緑茶 500ml", "紙コップ 100個入"],
            "shop_url": _site("/favourites/"),
            "unsubscribe_url": _site("/unsubscribe/sample/"),
        },
    ),
    Preview(
        "web_invitation",
        "engagement/email/invitation",
        _("Web ordering opened (rollout)"),
        lambda: {"customer": _customer(), "user": _user(), "login_url": _site("/login/")},
    ),
    Preview(
        "invitation",
        "customers/email/invitation",
        _("Colleague invitation"),
        lambda: {
            "customer": _customer(),
            "user": _user(),
            "inviter": Obj(full_name="管理 花子", email="admin@example.jp"),
            "link": _site("/invitation/sample-token/"),
            "days": settings.INVITATION_EXPIRY_DAYS,
        },
    ),
    Preview(
        "password_reset",
        "customers/email/password_reset",
        _("Password reset"),
        lambda: {"user": _user(), "link": _site("/password/reset/sample/sample-token/")},
    ),
    Preview(
        "message",
        "mail/email/message",
        _("Service message (approval and others)"),
        lambda: {
            "subject": "ORD-2026-000123",
            "body": "株式会社サンプル商事\nご注文 ORD-2026-000123 が承認されました。\n"
            + _site("/orders/ORD-2026-000123/"),
        },
    ),
)


def get_preview(key: str) -> Preview | None:
    return next((p for p in PREVIEWS if p.key == key), None)


def render_preview(preview: Preview, *, language: str) -> Rendered:
    """The template rendered with its sample in `language`, exactly as `enqueue_email` would."""
    return render_email(template=preview.template, context=preview.sample(), language=language)
