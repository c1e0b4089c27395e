"""The rules file example of contract section 6, shared by the engine and the load/dump tests."""

from typing import Any

CONTRACT_EXAMPLE: dict[str, Any] = {
    "rules": [
        {
            "code": "small-order-fee",
            "kind": "small_order_fee",
            "below": "10000",
            "fee": "500",
            "tax_rate": "10",
        },
        {"code": "min-amount", "kind": "minimum_order_amount", "amount": "3000"},
        {"code": "moq-bolts", "kind": "minimum_quantity", "quantity": 50, "scope": {"categories": ["BOLT"]}},
        {
            "code": "case-units",
            "kind": "order_multiple",
            "use_case_quantity": True,
            "scope": {"categories": ["DRINK"]},
        },
        {
            "code": "ship-hokkaido",
            "kind": "shipping_fee",
            "fee": "1500",
            "free_from": "30000",
            "tax_rate": "10",
            "scope": {"prefectures": ["北海道", "沖縄県"]},
        },
    ]
}
