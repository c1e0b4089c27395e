"""Shared helpers for the storefront's phone journeys: log in, axe-core, screenshots.

axe-core is vendored from the npm registry into tests/assets/ (never served by the shop); it
is injected into the page under test, so the browser context bypasses the shop's CSP.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page

ASSETS = Path(__file__).parent / "assets"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "img"
PHONE = {"width": 375, "height": 812}

PHONE_CONTEXT = {
    "locale": "ja-JP",
    "viewport": PHONE,
    "has_touch": True,
    "is_mobile": True,
    "bypass_csp": True,  # only so the test can inject axe-core; the shop's own scripts are files
}


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def serious_axe_violations(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2 A/AA rules) on the current page; serious and critical violations only."""
    page.add_script_tag(path=str(ASSETS / "axe.min.js"))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
                resultTypes: ["violations"],
            });
            return result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }"""
    )


def assert_accessible(page: Page) -> None:
    violations = serious_axe_violations(page)
    assert violations == [], violations


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """docs/img/<name>.png with UPDATE_SCREENSHOTS=1 (README links them), else a temporary file."""
    target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
