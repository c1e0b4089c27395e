"""Foundation: settings, health, admin access, commands, compose file, demo data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from customers.models import ApiToken, Customer, User
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def test_locale_and_time_zone_are_japanese_first():
    assert settings.LANGUAGE_CODE == "ja"
    assert [code for code, _ in settings.LANGUAGES] == ["ja", "en"]
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True
    assert settings.AUTH_USER_MODEL == "customers.User"
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_is_off_by_default_and_check_deploy_is_clean():
    result = _run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "SECRET_KEY": "a-long-random-production-secret-" + "z" * 40,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "DJANGO_SETTINGS_MODULE": "b2bshop.settings",
            # The qualified-invoice issuer (billing.W001-W003 warn without it).
            "SHOP_INVOICE_ISSUER_NAME": "株式会社テスト卸",
            "SHOP_INVOICE_ISSUER_ADDRESS": "東京都千代田区丸の内1-1-1",
            "SHOP_INVOICE_REGISTRATION_NUMBER": "T7000012050002",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    probe = _run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env={"DJANGO_SETTINGS_MODULE": "b2bshop.settings"},
    )
    assert probe.stdout.strip().endswith("False"), probe.stderr


def test_health_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_is_503_when_the_database_is_down():
    code = "from django.test import Client; r = Client().get('/healthz'); print(r.status_code, r.json()['database'])"
    result = _run_manage(
        "shell",
        "-c",
        code,
        env={
            "DJANGO_SETTINGS_MODULE": "b2bshop.settings",
            "ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
            "SECURE_SSL_REDIRECT": "0",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.stdout.strip().splitlines()[-1] == "503 down", result.stderr[-2000:]


def _admin_urls() -> list[str]:
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    return urls


@pytest.mark.django_db
def test_every_admin_changelist_loads_for_staff_in_japanese(staff_client):
    customer = factories.make_customer()
    factories.make_buyer(customer=customer)
    factories.make_product()
    assert len(_admin_urls()) >= 10
    for url in _admin_urls():
        response = staff_client.get(url)
        assert response.status_code == 200, url
    index = staff_client.get("/admin/")
    assert "サイト管理" in index.content.decode() or "管理" in index.content.decode()


@pytest.mark.django_db
def test_every_model_is_registered_in_admin():
    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"catalog", "orders", "pricing_rules", "customers"}
    ]
    inline_models = {
        inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    # Order lines, fees and events are part of the order page (tables rendered from the order, issue 17).
    shown_on_order_page = {"OrderLine", "OrderFee", "OrderEvent"}
    missing = [
        m.__name__
        for m in ours
        if m not in admin.site._registry and m not in inline_models and m.__name__ not in shown_on_order_page
    ]
    assert missing == []


@pytest.mark.django_db
def test_a_buyer_cannot_open_admin(buyer_client):
    response = buyer_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_anonymous_visitors_see_the_login_page(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith("/login/")
    assert "ログイン" in response.content.decode()


@pytest.mark.django_db
def test_create_buyer_and_tokens_commands(capsys):
    customer = factories.make_customer(code="C77777")
    call_command(
        "create_buyer",
        "--customer",
        "C77777",
        "--email",
        "Taro@Example.jp",
        "--password",
        "s3cret-pass",
        "--role",
        "approver",
    )
    user = User.objects.get(email="taro@example.jp")
    assert user.customer == customer and user.role == "approver" and user.check_password("s3cret-pass")
    # Running it again updates, never duplicates.
    call_command(
        "create_buyer", "--customer", "C77777", "--email", "taro@example.jp", "--password", "other-pass-1"
    )
    assert User.objects.filter(email="taro@example.jp").count() == 1
    capsys.readouterr()
    call_command("create_api_token", "--user", "taro@example.jp")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("b2b_") and ApiToken.objects.filter(user=user).count() == 1
    call_command("create_integration_user", "--name", "Main ERP")
    erp_token = capsys.readouterr().out.strip().splitlines()[-1]
    assert erp_token.startswith("b2b_") and erp_token != token
    assert User.objects.get(email="main-erp@integration.invalid").is_integration


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["create_buyer", "--customer", "NOPE", "--email", "a@b.jp", "--password", "longenough"],
            "no customer",
        ),
        (["create_api_token", "--user", "nobody@example.jp"], "no active user"),
        (["create_integration_user", "--name", "  "], "must not be empty"),
    ],
)
@pytest.mark.django_db
def test_commands_fail_with_one_clear_line(args, message):
    from django.db import connection

    test_db = connection.settings_dict["NAME"]
    result = _run_manage(
        *args,
        env={
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{test_db}",
        },
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_compose_file_is_valid_and_points_at_real_things():
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            "docker-compose.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert all("healthcheck" in s for s in services.values())
    web_cmd = " ".join(services["web"]["command"])
    assert "b2bshop.wsgi:application" in web_cmd
    assert (ROOT / "b2bshop" / "wsgi.py").exists() and (ROOT / "manage.py").exists()
    for name in ("worker", "beat"):
        cmd = services[name]["command"]
        assert cmd[:3] == ["celery", "-A", "b2bshop"]
    assert (ROOT / "b2bshop" / "celery.py").exists()
    env = services["web"]["environment"]
    for var in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "ERP_ORDERS_URL",
        "ERP_SIGNING_SECRET",
        "ERP_TIMEOUT_SECONDS",
        "DEFAULT_FROM_EMAIL",
    ):
        assert var in env
    assert (ROOT / services["web"]["build"] / "Dockerfile").exists()


def test_makefile_has_the_contract_targets_and_help():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("install", "run", "test", "lint", "fmt", "worker", "beat"):
        assert re.search(rf"^{target}:.*## ", makefile, re.M), target
    result = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert "install" in result.stdout and "test" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_seed_demo_is_idempotent_and_has_a_long_tail():
    call_command("seed_demo")
    from catalog.models import Category, Product
    from orders.models import Order

    counts = (Product.objects.count(), Customer.objects.count(), Order.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (
        Product.objects.count(),
        Customer.objects.count(),
        Order.objects.count(),
        User.objects.count(),
    ) == counts
    assert counts[0] >= 2000 and counts[1] >= 300
    assert Category.objects.filter(parent__isnull=False).count() >= 20
    assert set(Product.objects.values_list("tax_rate", flat=True)) == {8, 10}
    assert {"個", "箱", "ケース"} <= set(Product.objects.values_list("unit", flat=True))
    assert Customer.objects.values("prefecture").distinct().count() >= 20
    assert User.objects.filter(is_staff=True).count() >= 2
    from django.db.models import Count

    buyers = Customer.objects.annotate(n=Count("buyers")).values_list("n", flat=True)
    assert min(buyers) >= 1 and max(buyers) <= 3
    revenue = sorted(
        (row["s"] for row in Order.objects.values("customer").annotate(s=Sum("subtotal"))), reverse=True
    )
    top = revenue[: round(len(revenue) * 0.2)]
    share = sum(top) / sum(revenue)
    assert Decimal("0.75") <= share <= Decimal("0.85"), share
    # Some customers stopped ordering: their last order is months old.
    from django.db.models import Max
    from django.utils import timezone

    last = Order.objects.values("customer").annotate(last=Max("placed_at"))
    dormant = [row for row in last if (timezone.now() - row["last"]).days > 90]
    assert len(dormant) >= 10

    # The approval flow can be tried at once: a limited buyer and an approver in the first company.
    from io import StringIO

    from django.contrib.auth import authenticate
    from django.http import HttpRequest

    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "approver@c10001.example.jp / demo-buyer-2026" in out.getvalue()
    assert "buyer2@c10001.example.jp / demo-buyer-2026" in out.getvalue()
    limited = authenticate(HttpRequest(), email="buyer2@c10001.example.jp", password="demo-buyer-2026")
    assert (limited.role, limited.spending_limit) == ("buyer", Decimal(30000))
    approver = authenticate(HttpRequest(), email="approver@c10001.example.jp", password="demo-buyer-2026")
    assert approver.can_approve and approver.customer == limited.customer
