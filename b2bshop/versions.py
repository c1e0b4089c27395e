"""Per-process caches of what rarely changes (trading rules, the category tree, visibility subjects,
holidays).

Each cached value is stored with the version of its table (``CacheVersion``, one row per table).
A PostgreSQL trigger bumps that row in the same transaction as every INSERT, UPDATE, DELETE or
TRUNCATE of the table, whoever writes it (admin, services, the ERP API, ``load_rules``, raw SQL),
so a cache can only be as stale as the version a request read. The versions of every table are
read in one statement, at most once per request (``VersionScopeMiddleware``); outside a request
(Celery tasks, commands, tests calling services) they are read at every lookup.

Why not Redis: a counter bumped outside the writing transaction could be seen before the rows it
announces, or be lost; the row is transactional, and reading it costs less than the statements it
spares (the rules and the category tree on every cart and checkout).

Price groups are versioned too (the trigger is there) but nothing caches them yet: checkout gets
the buyer's group joined with the user. On SQLite (the ``make run`` demo) there are no triggers:
every lookup loads fresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connection
from django.http import HttpRequest, HttpResponse

from b2bshop.hot_sql import fetch_rows

T = TypeVar("T")

_values: dict[str, tuple[int, Any]] = {}
"""table -> (version, value) of this process."""

_scope: ContextVar[dict[str, int] | None] = ContextVar("b2bshop_versions", default=None)
"""The versions read by the current request (empty until the first lookup), or None outside one."""

_READ_ALL = 'SELECT "key", "version" FROM "b2bshop_cacheversion"'


def _read_versions() -> dict[str, int]:
    # Hand-written: one tiny statement on every request that uses a cache, where compiling the ORM
    # query would cost more than running it.
    return dict(fetch_rows(_READ_ALL, []))


def current_versions() -> dict[str, int]:
    """The version of every versioned table: read once per request, at every call outside one."""
    scope = _scope.get()
    if scope is None:
        return _read_versions()
    if not scope:
        scope.update(_read_versions())
        scope.setdefault("", 0)  # marks "read" even when no table has a version row
    return scope


def cached(table: str, load: Callable[[], T]) -> T:
    """``load()``'s answer for ``table``, reused while the table's version does not change.

    ``load`` must return a value nobody mutates (tuples, frozen dataclasses, dicts treated as
    read-only): it is shared by every later request of this process.
    """
    if connection.vendor != "postgresql":
        return load()
    # No row: the table has not changed since the version rows were created or truncated. Every
    # change writes a row with a fresh number from the sequence (never 0), so 0 is a safe key.
    version = current_versions().get(table, 0)
    hit = _values.get(table)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = load()
    _values[table] = (version, value)
    return value


@contextmanager
def version_scope() -> Iterator[None]:
    """Read the versions at most once inside this block (one request, or one task)."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


class VersionScopeMiddleware:
    """One version read per request, however many cached lookups the request makes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with version_scope():
            return self.get_response(request)
