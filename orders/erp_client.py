"""HTTP transport to the ERP, and nothing else (contract section 4).

No ORM, no retry policy: `orders.outbox` decides what a status code means. The body is sent
byte-for-byte as given, so the signature covers exactly what the ERP receives.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import requests

SIGNATURE_HEADER = "X-B2BShop-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# One pooled session per process: keep-alive to the ERP saves a TCP handshake per order.
_session = requests.Session()


class ErpTransportError(Exception):
    """No HTTP answer: timeout, refused or reset connection, DNS failure. Always retryable."""


@dataclass(frozen=True, slots=True)
class ErpResponse:
    status_code: int
    text: str
    retry_after: float | None = None  # seconds, from a Retry-After header with a number


def sign(*, body: bytes, secret: str) -> str:
    """The X-B2BShop-Signature value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_is_valid(*, body: bytes, secret: str, header: str | None) -> bool:
    """Constant-time check of a received signature header (used by the ERP simulator)."""
    return bool(header) and hmac.compare_digest(sign(body=body, secret=secret), header or "")


def post_order(*, url: str, body: bytes, idempotency_key: str, secret: str, timeout: float) -> ErpResponse:
    """POST one order body to the ERP. Raises ErpTransportError when no HTTP answer arrives."""
    headers = {
        "Content-Type": "application/json",
        IDEMPOTENCY_HEADER: idempotency_key,
        SIGNATURE_HEADER: sign(body=body, secret=secret),
        "User-Agent": "b2bshop-erp-push/1",
    }
    try:
        response = _session.post(
            url, data=body, headers=headers, timeout=(timeout, timeout), allow_redirects=False
        )
    except requests.Timeout as exc:
        raise ErpTransportError(f"timeout after {timeout:g}s: {exc.__class__.__name__}") from exc
    except requests.RequestException as exc:
        raise ErpTransportError(f"{exc.__class__.__name__}: {exc}") from exc
    retry_after: float | None = None
    raw_retry = response.headers.get("Retry-After", "")
    if raw_retry.strip().isdigit():
        retry_after = float(raw_retry)
    return ErpResponse(status_code=response.status_code, text=response.text[:2000], retry_after=retry_after)
