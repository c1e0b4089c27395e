"""HTTP transport to the ERP, and nothing else (contract section 4).

No ORM, no retry policy: `orders.outbox` decides what a status code means. The body is sent
byte-for-byte as given, so the signature covers exactly what the ERP receives.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from email.message import Message

import requests.utils
import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

SIGNATURE_HEADER = "X-B2BShop-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# One connection pool per process and ERP URL: keep-alive to the ERP saves a TCP handshake per
# order. urllib3 directly costs about a third of the CPU of a requests.Session call (~0.4 against
# ~1.2 ms per POST); what requests would decide from the environment per call (HTTP(S)_PROXY /
# NO_PROXY, REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, else certifi's CA bundle) is decided once here.
_pools: dict[tuple[int, str], urllib3.PoolManager] = {}
_pools_lock = threading.Lock()
POOL_SIZE = 10  # what a requests.Session keeps per host


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


def _pool_for(url: str) -> urllib3.PoolManager:
    """This process's pool for ``url`` (a forked worker builds its own), with the proxy and CA requests would use."""
    key = (os.getpid(), url)
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                ca_bundle = (
                    os.environ.get("REQUESTS_CA_BUNDLE")
                    or os.environ.get("CURL_CA_BUNDLE")
                    or requests.utils.DEFAULT_CA_BUNDLE_PATH
                )
                proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
                pool = (
                    urllib3.ProxyManager(
                        proxy, maxsize=POOL_SIZE, cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle
                    )
                    if proxy
                    else urllib3.PoolManager(maxsize=POOL_SIZE, cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle)
                )
                _pools[key] = pool
    return pool


def _text(data: bytes, content_type: str) -> str:
    """The body as text, decoded as requests' ``Response.text`` would for the usual ERP answers."""
    message = Message()
    message["Content-Type"] = content_type
    charset = message.get_content_charset()
    if not charset:
        charset = "ISO-8859-1" if content_type.startswith("text/") else "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def post_order(*, url: str, body: bytes, idempotency_key: str, secret: str, timeout: float) -> ErpResponse:
    """POST one order body to the ERP. Raises ErpTransportError when no HTTP answer arrives."""
    headers = {
        "Content-Type": "application/json",
        IDEMPOTENCY_HEADER: idempotency_key,
        SIGNATURE_HEADER: sign(body=body, secret=secret),
        "User-Agent": "b2bshop-erp-push/1",
    }
    try:
        response = _pool_for(url).request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=False,
        )
    except Urllib3Timeout as exc:
        if isinstance(exc, NewConnectionError):  # refused or unreachable: a timeout only by ancestry
            raise ErpTransportError(f"ConnectionError: {exc.__class__.__name__}: {exc}") from exc
        kind = "ConnectTimeout" if isinstance(exc, urllib3.exceptions.ConnectTimeoutError) else "ReadTimeout"
        raise ErpTransportError(f"timeout after {timeout:g}s: {kind}") from exc
    except (Urllib3Error, OSError) as exc:
        raise ErpTransportError(f"ConnectionError: {exc.__class__.__name__}: {exc}") from exc
    retry_after: float | None = None
    raw_retry = response.headers.get("Retry-After", "")
    if raw_retry.strip().isdigit():
        retry_after = float(raw_retry)
    text = (
        ""
        if 200 <= response.status < 300
        else _text(response.data[:8000], response.headers.get("Content-Type", ""))
    )
    return ErpResponse(status_code=response.status, text=text[:2000], retry_after=retry_after)
