"""Staff-only pages: who gets in, statement bounds whatever the data size, CSV exports, the what-if form."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.models import Contact, Department
from engagement import rollout
from engagement.models import ReminderDigest, ReorderReminder
from insights import services
from insights.models import ReplayRun, WebEvent
from pricing_rules.models import Rule
from tests import factories
from tests.insights.builders import order_of

pytestmark = pytest.mark.django_db

PAGES = ["insights_pareto", "insights_retention", "insights_economics", "insights_whatif"]


def _data(n_customers: int, orders_each: int = 2):
    product = factories.make_product(base_price="1")
    today = timezone.localdate()
    customers = []
    for i in range(n_customers):
        customer = factories.make_customer(name=f"商事{i}")
        customers.append(customer)
        for k in range(orders_each):
            day = (today.replace(day=1) if k % 2 else today).isoformat()
            order_of(
                customer, product, day, 1000 * (i + 1) + k, channel=["web", "phone", "fax", "api"][k % 4]
            )
    return customers


def _urls(customer_id: int) -> list[str]:
    return [reverse(f"admin:{name}") for name in PAGES] + [
        reverse("admin:insights_customer", args=[customer_id]),
        reverse("admin:insights_insights_changelist"),
    ]


def test_admin_index_links_the_insights(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert reverse("admin:insights_insights_changelist") in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "buyer", "staff_without_permission"])
def test_no_access_without_the_permission(client, who):
    customer = factories.make_customer()
    if who == "buyer":
        client.force_login(factories.make_buyer(customer=customer))
    elif who == "staff_without_permission":
        client.force_login(factories.make_staff(superuser=False))
    for url in _urls(customer.pk):
        response = client.get(url)
        if who == "staff_without_permission":
            assert response.status_code == 403, url
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login"))
        assert client.get(url, {"csv": "ranking"}).status_code in (302, 403)


def test_a_role_with_the_permission_sees_the_pages(client):
    analyst = factories.make_staff(superuser=False)
    group = Group.objects.create(name="analysts")
    group.permissions.add(
        Permission.objects.get(codename="view_insights", content_type__app_label="insights")
    )
    analyst.groups.add(group)
    client.force_login(analyst)
    customer = _data(2)[0]
    for url in _urls(customer.pk):
        assert client.get(url).status_code == 200, url
    assert "insights" in client.get(reverse("admin:index")).content.decode()


def _engagement(customers, product):
    """Every customer invited by the web rollout; the first one reminded once a day for as many days."""
    for customer in customers:
        factories.make_buyer(customer=customer)
    rollout.enable_web_ordering(
        customer_ids=[c.pk for c in customers], now=timezone.now() - timedelta(days=1)
    )
    first = customers[0]
    buyer = first.buyers.first()
    today = timezone.localdate()
    for day in range(len(customers)):
        digest = ReminderDigest.objects.create(
            customer=first, on_date=today - timedelta(days=day), recipient=buyer, created_at=timezone.now()
        )
        ReorderReminder.objects.create(
            digest=digest, customer=first, product=product, cycle_key=today - timedelta(days=100 + day),
            median_gap_days=10, due_date=today, quantity=1,
        )  # fmt: skip


@pytest.mark.parametrize("n_customers", [3, 30])
def test_pages_stay_under_15_statements_whatever_the_data_size(
    staff_client, assert_max_statements, n_customers
):
    customers = _data(n_customers)
    customer = customers[0]
    department = Department.objects.create(customer=customer, name="購買部")
    Contact.objects.create(customer=customer, department=department, name="山田", role="decision_maker")
    WebEvent.objects.create(
        customer_id=customer.pk, user_id=1, kind="search", detail="ボルト", at=timezone.now()
    )
    _engagement(customers, factories.make_product())
    draft = {"rules": [{"code": "min", "kind": "minimum_order_amount", "amount": "1500"}]}
    today = timezone.localdate()
    run = services.start_replay(
        name="min", text=json.dumps(draft), date_from=today - timedelta(days=364), date_to=today, actor=None,
        now=timezone.now(),
    )  # fmt: skip
    services.execute_replay_run(run_id=run.pk, now=timezone.now())
    urls = [*_urls(customer.pk), reverse("admin:insights_whatif_run", args=[run.pk])]
    pages = {}
    for url in urls:
        with assert_max_statements(15):
            response = staff_client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    # The new sections rendered with their rows, inside the bound.
    economics = pages[reverse("admin:insights_economics")]
    assert economics.count("東京都 — 招待後") == 1
    customer_page = pages[reverse("admin:insights_customer", args=[customer.pk])]
    assert f"{n_customers}件のリマインドメール" in customer_page


def test_pareto_page_shows_figures_in_yen(staff_client):
    _data(3, orders_each=1)
    page = staff_client.get(reverse("admin:insights_pareto")).content.decode()
    assert 'id="kpi-total">¥6,000<' in page  # 1,000 + 2,000 + 3,000
    assert "<svg" in page
    assert "累積" in page  # Japanese labels by default


def test_bad_period_shows_a_message_and_the_default(staff_client):
    _data(1)
    response = staff_client.get(
        reverse("admin:insights_pareto"), {"date_from": "2026-12-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "終了日が開始日より前です" in response.content.decode()


def test_csv_exports_neutralise_formulas(staff_client):
    customer = factories.make_customer(name="=cmd|' /C calc'!A0")
    order_of(customer, factories.make_product(), timezone.localdate().isoformat(), 500)
    for name, table in (("insights_pareto", "ranking"), ("insights_economics", "profit")):
        response = staff_client.get(reverse(f"admin:{name}"), {"csv": table})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert "'=cmd|' /C calc'!A0" in rows[1]
    assert staff_client.get(reverse("admin:insights_pareto"), {"csv": "nope"}).status_code == 404


@pytest.mark.parametrize(
    ("page", "tables"),
    [
        ("insights_pareto", ["ranking", "classes", "movements", "risk", "lost"]),
        ("insights_retention", ["summary", "churned", "cohorts"]),
        ("insights_economics", ["bands", "profit", "channels_by_month", "channels_by_class"]),
    ],
)
def test_every_table_exports(staff_client, page, tables):
    _data(2)
    for table in tables:
        response = staff_client.get(reverse(f"admin:{page}"), {"csv": table})
        assert response.status_code == 200, table
        empty_here = table in ("lost", "churned")  # nobody stopped ordering in this data set
        assert len(response.content.decode("utf-8-sig").splitlines()) >= (1 if empty_here else 2), table


def test_whatif_upload_refuses_a_bad_file_and_changes_nothing(staff_client):
    response = staff_client.post(
        reverse("admin:insights_whatif"),
        {
            "name": "x",
            "date_from": "2026-11-01",
            "date_to": "2026-11-30",
            "draft": SimpleUploadedFile("d.json", b'{"rules": [{"code": "a", "kind": "nope"}]}'),
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "nope" in response.content.decode()
    assert not ReplayRun.objects.exists()


def test_whatif_upload_queues_a_run_and_the_result_page_offers_a_pilot(
    staff_client, staff, django_capture_on_commit_callbacks
):
    customer = _data(1)[0]
    draft = {"rules": [{"code": "min", "kind": "minimum_order_amount", "amount": "1500"}]}
    today = timezone.localdate().isoformat()
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            reverse("admin:insights_whatif"),
            {
                "name": "最低1500円",
                "date_from": "2026-01-01",
                "date_to": today,
                "draft": SimpleUploadedFile("d.json", json.dumps(draft).encode()),
            },  # fmt: skip
        )
    run = ReplayRun.objects.get()
    assert response.status_code == 302
    assert len(callbacks) == 1  # the Celery task, after commit
    services.execute_replay_run(run_id=run.pk, now=timezone.now())
    url = reverse("admin:insights_whatif_run", args=[run.pk])
    page = staff_client.get(url).content.decode()
    assert 'id="kpi-blocked">2<' in page  # its orders of 1,000 and 1,001
    assert customer.code in page
    report = staff_client.get(url, {"csv": "report"})
    assert (
        report.content.decode("utf-8-sig").splitlines()[0]
        == "number,customer,blocked,violations,fees_before,fees_after"
    )

    response = staff_client.post(url, {"prefecture": "東京都"})

    assert response.status_code == 302
    assert Rule.objects.get(code=f"pilot{run.pk}-min").scope == {"prefectures": ["東京都"]}


def test_customer_page_of_an_unknown_customer_is_404(staff_client):
    assert staff_client.get(reverse("admin:insights_customer", args=[999999])).status_code == 404
    response = staff_client.get(reverse("admin:insights_customer_lookup"), {"code": "NOPE"})
    assert response.status_code == 302
