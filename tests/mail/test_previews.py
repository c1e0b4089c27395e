"""Staff preview every e-mail template in admin with sample data, in Japanese and English, text and HTML."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mail import previews
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("preview", previews.PREVIEWS, ids=lambda p: p.key)
def test_every_template_renders_its_sample_in_both_languages(preview):
    ja = previews.render_preview(preview, language="ja")
    en = previews.render_preview(preview, language="en")
    for rendered in (ja, en):
        assert rendered.subject and rendered.text.strip() and "<html" in rendered.html
    if preview.key != "message":  # the service message is written by its caller, not translated here
        assert ja.subject != en.subject


def test_staff_see_a_template_in_japanese_and_english(staff_client):
    page = staff_client.get(
        reverse("admin:mail_template_preview", args=["reorder_reminder"])
    ).content.decode()
    assert 'id="preview-ja"' in page and 'id="preview-en"' in page
    assert "いつもの商品" in page and "you usually buy" in page
    assert "緑茶 500ml" in page and "紙コップ" in page  # the sample items and the cross-sell
    assert "srcdoc=" in page  # the HTML part, in a sandboxed frame
    index = staff_client.get(reverse("admin:mail_templates")).content.decode()
    assert reverse("admin:mail_template_preview", args=["password_reset"]) in index
    assert staff_client.get(reverse("admin:mail_template_preview", args=["nope"])).status_code == 404


def test_buyers_cannot_see_the_previews(client):
    client.force_login(factories.make_buyer())
    response = client.get(reverse("admin:mail_template_preview", args=["reorder_reminder"]))
    assert response.status_code == 302 and "/login/" in response["Location"]
