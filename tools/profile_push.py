"""cProfile over what a Celery worker does per order: the ERP push tasks and the confirmation e-mail.

    DATABASE_URL=postgres://…/b2bshop_x .venv/bin/python tools/profile_push.py [--orders 200] [--lines 5]

Creates a throw-away test database (test_<name>) with the bench world, places ``--orders`` orders
through the buyer API (bulk cart PUT + checkout; their on-commit enqueues are switched off, so
nothing reaches a broker), starts the ERP simulator (a real HTTP server, its own process), then
runs in this process what the worker would run, in queue order: one ``push_order_task`` body per
order (as the bench enqueues them), then one ``send_email_task`` body per e-mail, with the e-mail
backend the bench uses (console, written to /dev/null here). Prints CPU ms per order (all threads
of this process), SQL statements per batch and per task, and the top of the profile.
docs/performance.md keeps the before/after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time

from profiling import ROOT, bench_buyer, print_top, profiled  # sets up sys.path and the settings module

SECRET = "profile-push-secret"  # noqa: S105 - a throw-away signing secret for the local simulator
os.environ.setdefault("LOG_LEVEL", "WARNING")  # as the bench runs the worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def erp_simulator(port: int):
    process = subprocess.Popen(
        [sys.executable, "manage.py", "erp_simulator", "--port", str(port), "--secret", SECRET],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "b2bshop.settings", "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--lines", type=int, default=5)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--dump", help="also write the raw push profile here (pstats format)")
    parser.add_argument("--no-mail", action="store_true", help="profile the push only")
    args = parser.parse_args()

    with bench_buyer() as (world, client):
        from django.conf import settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from bench import config, scenarios
        from mail import services as mail_services
        from mail.models import OutgoingEmail
        from mail.tasks import send_email_task
        from orders import outbox
        from orders.models import OrderPush
        from orders.tasks import push_order_task

        # Nothing goes to a broker: this process plays the worker and runs the task bodies itself.
        outbox._schedule = lambda **kwargs: True  # type: ignore[assignment]
        mail_services._schedule = lambda **kwargs: True  # type: ignore[assignment]

        body = json.dumps({"lines": [{"sku": p.sku, "quantity": 2} for p in world.products[: args.lines]]})
        first_push = OrderPush.objects.order_by("-id").values_list("id", flat=True).first() or 0
        first_mail = OutgoingEmail.objects.order_by("-id").values_list("id", flat=True).first() or 0
        for i in range(args.orders + 10):
            put = client.put(config.API["cart"], data=body, content_type="application/json")
            assert put.status_code == 200, put.content[:300]
            placed = client.post(
                config.API["checkout"],
                data="{}",
                content_type="application/json",
                headers={"Idempotency-Key": f"pp{i}"},
            )
            assert placed.status_code == 201, placed.content[:300]
        push_ids = list(
            OrderPush.objects.filter(id__gt=first_push).order_by("id").values_list("id", flat=True)
        )
        mail_ids = list(
            OutgoingEmail.objects.filter(id__gt=first_mail).order_by("id").values_list("id", flat=True)
        )
        warm_push, push_ids = push_ids[:10], push_ids[10:]
        warm_mail, mail_ids = (
            mail_ids[: len(mail_ids) - len(push_ids)],
            mail_ids[len(mail_ids) - len(push_ids) :],
        )

        port = free_port()
        settings.ERP_ORDERS_URL = f"http://127.0.0.1:{port}/orders"
        settings.ERP_SIGNING_SECRET = SECRET
        settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
        with erp_simulator(port), open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            for push_id in warm_push:  # warm-up: imports, pooled connection
                push_order_task.run(outbox_id=push_id)
            for mail_id in warm_mail:
                send_email_task.run(outbox_id=mail_id)
            with CaptureQueriesContext(connection) as queries:
                profile, cpu, wall = profiled(
                    lambda i: push_order_task.run(outbox_id=push_ids[i]), len(push_ids)
                )
            push_statements = scenarios.statements(queries.captured_queries)
            sent = OrderPush.objects.filter(id__in=push_ids, status="sent").count()
            if not args.no_mail:
                with CaptureQueriesContext(connection) as queries:
                    mail_profile, mail_cpu, mail_wall = profiled(
                        lambda i: send_email_task.run(outbox_id=mail_ids[i]), len(mail_ids)
                    )
                mail_statements = scenarios.statements(queries.captured_queries)
                mailed = OutgoingEmail.objects.filter(id__in=mail_ids, status="sent").count()

    n = len(push_ids)
    print(
        f"push: {n} orders of {args.lines} lines, one task per order, ERP_PUSH_BATCH={settings.ERP_PUSH_BATCH}: "
        f"{cpu / n * 1000:.2f} ms CPU/order (profiler on), {wall / n * 1000:.2f} ms wall/order, "
        f"{len(push_statements)} SQL statements ({len(push_statements) / n:.2f}/order), {sent}/{n} sent"
    )
    print_top(profile, args.top, args.dump)
    if not args.no_mail:
        m = len(mail_ids)
        print(
            f"mail: {m} confirmation e-mails (console backend): {mail_cpu / m * 1000:.2f} ms CPU/e-mail, "
            f"{mail_wall / m * 1000:.2f} ms wall, {len(mail_statements) / m:.2f} SQL statements/e-mail, "
            f"{mailed}/{m} sent"
        )
        print_top(mail_profile, args.top)


if __name__ == "__main__":
    main()
