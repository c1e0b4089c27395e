"""A small ERP for development, demos and benchmarks: the receiving side of contract section 4.

POST /orders   verifies X-B2BShop-Signature (401 if wrong), needs Idempotency-Key (400 if missing),
               answers 409 for a key it has already accepted, else 201; `fail` first answers 503,
               `delay` sleeps before answering. Optionally reports "accepted" back to the shop.
GET  /orders   what it received (JSON), GET /healthz.
Standard library only, one thread per connection, state behind a lock.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from orders.erp_client import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signature_is_valid

logger = logging.getLogger(__name__)
MAX_BODY = 2 * 1024 * 1024


@dataclass
class SimulatorState:
    secret: str
    fail: int = 0  # answer 503 to this many requests first
    delay: float = 0.0
    record_path: str = ""
    accept_url: str = ""  # e.g. http://127.0.0.1:8000 — report "accepted" there with accept_token
    accept_token: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0
    rejected_signatures: int = 0
    duplicates: int = 0

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "received": len(self.orders),
                "requests": self.requests,
                "duplicates": self.duplicates,
                "rejected_signatures": self.rejected_signatures,
                "orders": list(self.orders.values())[-100:],
            }


class _Handler(BaseHTTPRequestHandler):
    server: ErpSimulatorServer
    protocol_version = "HTTP/1.1"  # keep-alive, as a real ERP front end would
    # Headers and body go out in separate writes; without TCP_NODELAY every keep-alive answer
    # waits ~40 ms for the client's delayed ACK (Nagle), which capped the simulator at ~80 req/s.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/healthz":
            self._answer(200, {"status": "ok"})
        elif self.path.rstrip("/") == "/orders":
            self._answer(200, self.server.state.summary())
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        state = self.server.state
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._answer(413 if length.isdigit() else 411, {"error": "body missing or larger than 2 MB"})
            return
        body = self.rfile.read(int(length))
        if self.path.rstrip("/") != "/orders":
            self._answer(404, {"error": "not found"})
            return
        if state.delay:
            time.sleep(state.delay)
        with state.lock:
            state.requests += 1
            if state.fail > 0:
                state.fail -= 1
                failing = True
            else:
                failing = False
        if failing:
            self._answer(503, {"error": "simulated outage"})
            return
        if not signature_is_valid(body=body, secret=state.secret, header=self.headers.get(SIGNATURE_HEADER)):
            with state.lock:
                state.rejected_signatures += 1
            self._answer(401, {"error": "bad signature"})
            return
        key = self.headers.get(IDEMPOTENCY_HEADER, "")
        try:
            order = json.loads(body)
        except ValueError:
            self._answer(400, {"error": "body is not JSON"})
            return
        if not key or not isinstance(order, dict) or order.get("number") != key:
            self._answer(400, {"error": "Idempotency-Key missing or not the order number"})
            return
        with state.lock:
            if key in state.orders:
                state.duplicates += 1
                duplicate = True
            else:
                state.orders[key] = {
                    "number": key,
                    "customer": order.get("customer"),
                    "total": order.get("total"),
                    "received_at": time.time(),
                }
                duplicate = False
                if state.record_path:
                    with open(state.record_path, "a", encoding="utf-8") as fh:
                        fh.write(json.dumps(order, ensure_ascii=False) + "\n")
        if duplicate:
            self._answer(409, {"error": "already received", "number": key})
            return
        self._answer(201, {"number": key, "erp_order_id": f"ERP-{len(state.orders):06d}"})
        if state.accept_url and state.accept_token:
            threading.Thread(target=_report_accepted, args=(state, key), daemon=True).start()


def _report_accepted(state: SimulatorState, number: str) -> None:
    """Close the loop for demos: tell the shop the order was accepted."""
    time.sleep(1)
    url = f"{state.accept_url.rstrip('/')}/api/v1/erp/orders/{number}/events"
    request = urllib.request.Request(  # noqa: S310  (a URL given by the operator)
        url,
        data=json.dumps({"type": "accepted"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {state.accept_token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            logger.info("reported %s accepted: HTTP %s", number, response.status)
    except Exception as exc:  # a demo helper: report and carry on
        logger.warning("could not report %s accepted: %s", number, exc)


class ErpSimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: SimulatorState) -> None:
        super().__init__(address, _Handler)
        self.state = state
