"""Sales reps and staff appear by their display name, not their e-mail address."""

from __future__ import annotations

import pytest

from customers.selectors import display_name
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_named_user_reads_as_their_name_and_an_unnamed_one_as_their_email():
    rep = factories.make_staff(email="yamada@example.jp", superuser=False)
    rep.full_name = "山田 太郎"
    rep.save()
    unnamed = factories.make_staff(email="nobody@example.jp", superuser=False)
    assert (str(rep), str(unnamed)) == ("山田 太郎", "nobody@example.jp")
    assert display_name(None) == "-"


def test_coverage_names_the_sales_rep(admin_client):
    rep = factories.make_staff(email="sato@example.jp", superuser=False)
    rep.full_name = "佐藤 営業"
    rep.save()
    customer = factories.make_customer(name="株式会社キー商事")
    customer.owner = rep
    customer.is_key_account = True
    customer.save()
    page = admin_client.get("/admin/crm/contact/coverage/").content.decode()
    assert "株式会社キー商事" in page
    assert "佐藤 営業" in page and "sato@example.jp" not in page
