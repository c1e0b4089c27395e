"""Timestamps in ERP query parameters: odd but valid offsets and out-of-range dates never cause a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (
            "updated_since=0002-06-24T01%3A53%3A05.747%2B21%3A08",
            200,
        ),  # found by schemathesis: PG limit ±15:59
        ("updated_since=2026-11-26T09%3A00%3A00%2B09%3A00", 200),
        ("updated_since=2026-11-26T09:00:00", 200),  # naive = Asia/Tokyo
        ("updated_since=0001-01-01T00%3A00%3A00%2B14%3A00", 400),  # before year 1 in UTC
        ("updated_since=yesterday", 400),
    ],
)
def test_updated_since_is_validated_not_crashed(erp_api, query, status):
    response = erp_api.get(f"/api/v1/erp/orders?{query}")
    assert response.status_code == status, response.content
