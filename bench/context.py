"""What every entry gets: the running stack, logged-in buyers, tokens and measuring helpers."""

from __future__ import annotations

import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from bench import config, load
from bench.server import Stack


@dataclass
class Context:
    stack: Stack
    cookies: list[str]
    buyer_tokens: list[str]
    erp_token: str
    log: Callable[[str], None] = print
    notes: list[str] = field(default_factory=list)
    baselines: dict[str, float] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.stack.base_url

    # ------------------------------------------------------------ HTTP helpers
    def status(
        self,
        path: str,
        *,
        method: str = "GET",
        body: bytes | None = None,
        token: str | None = None,
        cookie: bool = True,
        headers: dict | None = None,
    ) -> int:
        """Status code of one request (used to tell "not available yet" from a real failure)."""
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if cookie and self.cookies:
            req.add_header("Cookie", self.cookies[0])
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def get_load(
        self,
        paths: list[str],
        *,
        connections: int = config.CONCURRENCY,
        seconds: float | None = None,
        background: bool = False,
        cookies: bool = True,
    ):
        return load.wrk(
            self.base,
            script="get.lua",
            paths=paths,
            connections=connections,
            seconds=seconds or config.ROUND_SECONDS,
            cookies=self.cookies if cookies else None,
            background=background,
        )

    # ------------------------------------------------------------ baseline paths
    @staticmethod
    def rows50_paths() -> list[str]:
        rng = random.Random(50)
        return [f"/bench/rows50?from=B{rng.randrange(1, config.PRODUCTS - 50):06d}" for _ in range(200)]

    @staticmethod
    def select_paths() -> list[str]:
        rng = random.Random(1)
        return [f"/bench/select/{rng.randrange(1, config.PRODUCTS + 1)}" for _ in range(500)]

    @staticmethod
    def catalog_paths() -> list[str]:
        cats = [
            f"C{(leaf - 1) // 5 + 1:02d}-{(leaf - 1) % 5 + 1}"
            for leaf in range(1, config.LEAF_CATEGORIES + 1)
        ]
        return [config.PAGES["catalog_list"].format(category=c, query="ボルト") for c in cats]

    @staticmethod
    def product_paths() -> list[str]:
        rng = random.Random(2)
        return [
            config.PAGES["product"].format(sku=f"B{rng.randrange(1, config.PRODUCTS + 1):06d}")
            for _ in range(500)
        ]

    def pause(self, seconds: float = 0.5) -> None:
        time.sleep(seconds)
