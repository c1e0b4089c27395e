"""What the profile tools share: a throw-away test database with the bench world and a signed-in
buyer, a profiled loop, and the top entries printed the same way (tools/profile_*.py)."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


@contextmanager
def bench_buyer() -> Iterator[tuple[Any, Any]]:
    """(bench world, a test client signed in as its buyer) on a test database dropped afterwards."""
    import django

    django.setup()
    from django.db import connection
    from django.template import Template
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench import scenarios

    production_render = Template._render
    setup_test_environment()
    # The test environment's render sends a signal that copies the context for every template and
    # include; production has no such cost, and per-row includes would be overcharged.
    Template._render = production_render  # type: ignore[attr-defined]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        world = scenarios.build_world()
        client = Client()
        client.force_login(world.buyer)
        yield world, client
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def add_bench_categories(count: int) -> None:
    """About ``count`` more categories, top-level ones with 5 children each, as the bench's catalog has."""
    from catalog.models import Category

    tops = Category.objects.bulk_create([Category(code=f"XT{i}", name=f"追加{i}") for i in range(count // 6)])
    Category.objects.bulk_create(
        [Category(code=f"XT{t.pk}-{k}", name=f"追加{t.pk}-{k}", parent=t) for t in tops for k in range(5)]
    )


def statements_of(call: Callable[[], None]) -> list[str]:
    """The SQL statements one call sends (bench.scenarios' notion of a statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import scenarios

    with CaptureQueriesContext(connection) as queries:
        call()
    return scenarios.statements(queries.captured_queries)


def profiled(step: Callable[[int], None], count: int) -> tuple[cProfile.Profile, float, float]:
    """Run ``step(0..count-1)`` under cProfile: (profile, CPU seconds, wall seconds)."""
    profile = cProfile.Profile(time.process_time)  # CPU, not wall: waits on PostgreSQL are not ours
    cpu0, wall0 = time.process_time(), time.perf_counter()
    profile.enable()
    for i in range(count):
        step(i)
    profile.disable()
    return profile, time.process_time() - cpu0, time.perf_counter() - wall0


def print_top(profile: cProfile.Profile, top: int, dump: str | None = None) -> None:
    """The top entries by own and by cumulative time; the raw profile too when ``dump`` is a path."""
    if dump:
        profile.dump_stats(dump)
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).strip_dirs().sort_stats(sort).print_stats(top)
        print(f"--- top {top} by {sort}")
        print(
            "\n".join(
                line for line in out.getvalue().splitlines() if line.strip()[:1].isdigit() or "ncalls" in line
            )
        )
