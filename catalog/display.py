"""The HTML of a product offer (picture, price, badge, add-to-cart stepper), for list rows and the product page.

Why in Python and not in templates: the category list renders 30 rows of about 60 values and
conditions each (limits, stepper, disabled states, a11y labels). Through Django's template engine
(per-row includes, ``{% url %}``, ``{% blocktranslate %}``) a row cost about 1 ms of CPU, and the
list page ran at 0.29x the 50-row baseline page; one format string per fragment costs a few
percent of that (tools/profile_product_page.py --page list --baseline, docs/performance.md).
The markup is written once, here, and both pages use it, so a row and the product page cannot drift.

Escaping follows the tags this replaces: every value is escaped, and the sentences
``{% blocktranslate %}`` built (translation as written, placeholders escaped) stay that way.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TypedDict
from urllib.parse import quote

from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from b2bshop.money import format_yen
from catalog.selectors import ProductOffer

# What reverse() leaves unquoted in a path (django.urls.resolvers), so a SKU reads as reverse() writes it.
_URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


def _e(value: object) -> str:
    """``conditional_escape`` without the lazy-string wrapper (it runs ~40 times per row)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def _blocktranslate(translated: str, **values: object) -> str:
    """``{% blocktranslate with … %}``: the translation as written, its values escaped.

    Callers pass ``gettext("literal")`` themselves, so ``make messages`` finds the msgid.
    """
    return translated % {k: _e(v) for k, v in values.items()}


class OfferHtml(TypedDict):
    """The product page's fragments (each ends with a newline, as the include it replaced did)."""

    picture: SafeString
    price: SafeString
    badge: SafeString
    add_form: SafeString


class _Page:
    """What does not depend on the product, computed once per page: texts, URLs, the CSRF field."""

    def __init__(self, *, csrf_token: str) -> None:
        self.sku = _e(gettext("SKU"))
        self.your_price = _e(gettext("Your price"))
        self.list_price = _e(gettext("List price"))
        self.add_to_cart = _e(gettext("Add to cart"))
        self.not_orderable = _e(gettext("This product cannot be ordered at the moment."))
        # gettext() outside the f-strings: xgettext (``make messages``) does not look inside them.
        badges = [
            ("in_stock", "in-stock", gettext("In stock")),
            ("low_stock", "low-stock", gettext("Low stock")),
            ("below_minimum", "out-of-stock", gettext("Below the minimum order")),
            ("out_of_stock", "out-of-stock", gettext("Out of stock")),
        ]
        self.badges = {key: f'<span class="badge {css}">{_e(text)}</span>\n' for key, css, text in badges}
        self.placeholder = _e(static("img/placeholder.svg"))
        self.cart_add = _e(reverse("orders:cart_add"))
        # The product URL with the SKU cut out: one reverse() per page, not one per row.
        marker = "SKU-MARKER"
        self.url_head, self.url_tail = reverse("catalog:product_detail", args=[marker]).split(marker)
        self.csrf_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf_token)}">'
        self._steps: dict[int, tuple[str, str]] = {}

    def step_labels(self, step: int) -> tuple[str, str]:
        if step not in self._steps:
            self._steps[step] = (
                _blocktranslate(gettext("Decrease by %(m)s"), m=step),
                _blocktranslate(gettext("Increase by %(m)s"), m=step),
            )
        return self._steps[step]

    def url(self, sku: str) -> str:
        return _e(self.url_head + quote(sku, safe=_URL_SAFE) + self.url_tail)


def _picture(offer: ProductOffer, page: _Page, size: int) -> str:
    url = offer.product.picture_url
    if url:
        return (
            f'<img class="product-picture" src="{_e(url)}" alt="" width="{size}" height="{size}"'
            ' loading="lazy" decoding="async">\n'
        )
    return f'<img class="product-picture placeholder" src="{page.placeholder}" alt="" width="{size}" height="{size}">\n'


def _price(offer: ProductOffer, page: _Page, unit: str) -> str:
    unit_price = offer.unit_price
    price = (
        f'<span class="price" data-testid="unit-price">{_e(format_yen(unit_price))}</span>'
        f'<span class="muted"> / {_e(unit)}</span>'
    )
    if offer.has_own_price:
        return (
            f'<span class="price-box"><span class="your-price-label">{page.your_price}</span> {price}'
            f' <span class="list-price muted">{page.list_price} <s>{_e(format_yen(offer.list_price))}</s></span></span>\n'
        )
    return f'<span class="price-box">{price}</span>\n'


def _badge(offer: ProductOffer, page: _Page) -> str:
    availability = offer.availability
    if availability not in ("in_stock", "low_stock"):
        availability = "below_minimum" if offer.available else "out_of_stock"
    return page.badges[availability]


def _add_form(offer: ProductOffer, page: _Page, *, unit: str, field_id: str, limits_text: str) -> str:
    """The quantity stepper that only lands on valid quantities, and why it is off when it is.

    ``unit`` is the unit label as text; ``field_id`` is already escaped.
    """
    limits = offer.limits
    low, step, high = offer.min_quantity, offer.step, offer.max_quantity
    if offer.can_add:
        off = off_described = ""
        help_class, help_text = "muted", _e(limits_text)
    else:
        off = " disabled"
        off_described = f' disabled aria-describedby="{field_id}-help"'
        help_class = "disabled-reason"
        help_text = (
            _blocktranslate(
                gettext("Only %(n)s %(unit)s in stock, less than the minimum order of %(m)s %(unit)s."),
                n=offer.available,
                m=low,
                unit=unit,
            )
            if limits.orderable
            else page.not_orderable
        )
    data_max, max_attr = (f' data-max="{high}"', f' max="{high}"') if high else ("", "")
    decrease, increase = page.step_labels(step)
    label = _blocktranslate(gettext("Quantity (%(unit)s)"), unit=unit)
    return (
        f'<form hx-post="{page.cart_add}" hx-target="#added-{field_id}" hx-swap="innerHTML" method="post"'
        f' action="{page.cart_add}" class="add-to-cart">{page.csrf_input}\n'
        f'  <input type="hidden" name="sku" value="{_e(offer.product.sku)}">\n'
        f'  <label for="{field_id}">{label}</label>\n'
        '  <div class="add-row">\n'
        f'    <div class="qty-stepper" data-stepper data-min="{low}" data-step="{step}"{data_max}>\n'
        f'      <button type="button" data-delta="down" aria-label="{decrease}"{off}>−</button>\n'
        f'      <input type="number" id="{field_id}" name="quantity" inputmode="numeric" value="{low}" min="{low}"'
        f' step="{step}"{max_attr} required aria-describedby="{field_id}-help"{off}>\n'
        f'      <button type="button" data-delta="up" aria-label="{increase}"{off}>+</button>\n'
        "    </div>\n"
        f'    <button type="submit" class="primary"{off_described}>{page.add_to_cart}</button>\n'
        "  </div>\n"
        f'  <p id="{field_id}-help" class="{help_class}" data-testid="limits-help">{help_text}</p>\n'
        f'  <div id="added-{field_id}" class="added" aria-live="polite"></div>\n'
        "</form>\n"
    )


def _row(offer: ProductOffer, page: _Page, *, can_order: bool) -> str:
    product = offer.product
    sku = _e(product.sku)
    unit = product.unit_label
    limits_text = offer.limits_text
    case = (
        " · " + _blocktranslate(gettext("%(n)s %(unit)s per case"), n=product.case_quantity, unit=unit)
        if product.case_quantity > 1 and product.unit != "ケース"
        else ""
    )
    if can_order:
        ordering = _add_form(offer, page, unit=unit, field_id=f"qty-{sku}", limits_text=limits_text)
    else:
        ordering = f'<p class="muted">{_e(limits_text)}</p>' if limits_text else ""
    return (
        f'\n  <li class="card product-row" id="product-{sku}">\n'
        '    <div class="product-head">\n'
        f"      {_picture(offer, page, 64)}\n"
        '      <div class="product-title">\n'
        f'        <a class="product-name" href="{page.url(product.sku)}">{_e(product.display_name)}</a>\n'
        f'        <div class="muted">{page.sku} {sku}{case}</div>\n'
        "      </div>\n"
        "    </div>\n"
        '    <div class="row-bottom">\n'
        f"      {_price(offer, page, unit)}\n"
        f"      {_badge(offer, page)}\n"
        "    </div>\n"
        f"    {ordering}\n"
        "  </li>\n"
    )


def offer_rows_html(offers: Sequence[ProductOffer], *, can_order: bool, csrf_token: str) -> SafeString:
    """The ``<li>`` rows of a product list; each quantity field is ``qty-<sku>``. Empty for no offers."""
    page = _Page(csrf_token=csrf_token)
    return mark_safe("".join(_row(offer, page, can_order=can_order) for offer in offers))  # noqa: S308


def offer_html(offer: ProductOffer, *, csrf_token: str) -> OfferHtml:
    """The product page's picture, price, badge and add-to-cart form (the same markup as a list row)."""
    page = _Page(csrf_token=csrf_token)
    unit = offer.product.unit_label
    return {
        "picture": mark_safe(_picture(offer, page, 120)),  # noqa: S308
        "price": mark_safe(_price(offer, page, unit)),  # noqa: S308
        "badge": mark_safe(_badge(offer, page)),  # noqa: S308
        "add_form": mark_safe(  # noqa: S308
            _add_form(offer, page, unit=unit, field_id="quantity", limits_text=offer.limits_text)
        ),
    }
