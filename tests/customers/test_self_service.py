"""Company self-service: the company admin invites, deactivates, sets roles and limits; passwords by e-mail."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.http import HttpRequest
from django.utils import timezone

from b2bshop.errors import ValidationFailed
from customers import services
from customers.models import Invitation, User
from tests import factories
from tests.mail.helpers import deliver_queued_emails
from tests.orders.builders import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    admin = factories.make_buyer(email="admin@acme.example.jp", role="admin")
    admin.full_name = "管理 花子"
    admin.save()
    return admin


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _invite(admin_client, django_capture_on_commit_callbacks, **fields):
    data = {"email": "new@acme.example.jp", "full_name": "新人 一郎", "role": "buyer", "spending_limit": ""}
    data.update(fields)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/company/users/invite/", data)
    deliver_queued_emails()  # the outbox row, as the e-mail worker sends it
    return response


def _link(message) -> str:
    return re.search(r"https?://\S+/invitation/(\S+)/", message.body).group(0)


def test_invite_sends_a_single_use_link_that_sets_the_password(
    admin_client, client, django_capture_on_commit_callbacks
):
    response = _invite(
        admin_client, django_capture_on_commit_callbacks, role="approver", spending_limit="30,000"
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@acme.example.jp")
    assert (user.is_active, user.role, user.spending_limit) == (False, "approver", Decimal(30000))
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["new@acme.example.jp"]
    assert "招待" in message.subject and "管理 花子" in message.body
    path = "/" + _link(message).split("/", 3)[3]
    assert client.get("/company/users/").content.decode().count("招待中") == 1

    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and "パスワードを設定" in page.content.decode()
    weak = client.post(path, {"new_password1": "a", "new_password2": "b"})
    assert weak.status_code == 400
    done = client.post(path, {"new_password1": "tokyo-osaka-2026", "new_password2": "tokyo-osaka-2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.check_password("tokyo-osaka-2026")
    assert client.login(request=HttpRequest(), username="new@acme.example.jp", password="tokyo-osaka-2026")
    # single use: the same link again is refused and changes nothing
    client.logout()
    again = client.post(path, {"new_password1": "other-pass-2026", "new_password2": "other-pass-2026"})
    assert again.status_code == 404
    user.refresh_from_db()
    assert user.check_password("tokyo-osaka-2026")


def test_an_expired_or_replaced_invitation_link_is_refused(admin, client):
    now = timezone.now()
    first = services.invite_member(admin=admin, email="late@acme.example.jp", now=now)
    second = services.invite_member(admin=admin, email="late@acme.example.jp", now=now)
    assert client.get(f"/invitation/{first.token}/").status_code == 404  # replaced by the second
    assert client.get(f"/invitation/{second.token}/").status_code == 200
    Invitation.objects.filter(pk=second.invitation.pk).update(expires_at=now - timedelta(seconds=1))
    response = client.post(
        f"/invitation/{second.token}/",
        {"new_password1": "tokyo-osaka-2026", "new_password2": "tokyo-osaka-2026"},
    )
    assert response.status_code == 404
    assert "管理者" in response.content.decode()
    assert not User.objects.get(email="late@acme.example.jp").is_active


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "not-an-address"}, "有効なメールアドレス"),
        ({"spending_limit": "-5"}, "円単位の整数"),
        ({"spending_limit": "12.5"}, "円単位の整数"),
        ({"role": "owner"}, "正しく選択"),
    ],
)
def test_bad_invitations_say_why_and_change_nothing(
    admin_client, django_capture_on_commit_callbacks, fields, message
):
    response = _invite(admin_client, django_capture_on_commit_callbacks, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_an_address_of_another_company_or_an_active_colleague_cannot_be_invited(admin):
    outsider = factories.make_buyer(email="taken@other.example.jp")
    colleague = factories.make_buyer(customer=admin.customer, email="colleague@acme.example.jp")
    for email in (outsider.email, colleague.email):
        with pytest.raises(ValidationFailed):
            services.invite_member(admin=admin, email=email, now=timezone.now())
    outsider.refresh_from_db()
    assert outsider.customer_id != admin.customer_id


def test_the_admin_sets_role_and_limit(admin_client, admin):
    colleague = factories.make_buyer(customer=admin.customer)
    response = admin_client.post(
        f"/company/users/{colleague.pk}/", {"role": "buyer", "spending_limit": "¥50,000"}
    )
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.spending_limit == Decimal(50000)
    admin_client.post(f"/company/users/{colleague.pk}/", {"role": "approver", "spending_limit": ""})
    colleague.refresh_from_db()
    assert (colleague.role, colleague.spending_limit) == ("approver", None)


def test_the_company_keeps_one_active_admin(admin_client, admin):
    response = admin_client.post(f"/company/users/{admin.pk}/", {"role": "buyer", "spending_limit": ""})
    assert response.status_code == 400
    assert "管理者が1人以上必要" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin"
    response = admin_client.post(f"/company/users/{admin.pk}/deactivate/", follow=True)
    assert "ご自身を無効にすることはできません" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_colleague_cannot_log_in_or_use_a_token(admin_client, admin, client):
    colleague = factories.make_buyer(customer=admin.customer, email="leaver@acme.example.jp")
    api = api_client_for(colleague)
    assert api.get("/api/v1/store/cart").status_code == 200
    response = admin_client.post(f"/company/users/{colleague.pk}/deactivate/")
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert api.get("/api/v1/store/cart").status_code == 401
    assert not client.login(
        request=HttpRequest(), username="leaver@acme.example.jp", password="buyer-pass-123"
    )
    assert "無効" in admin_client.get("/company/users/").content.decode()
    admin_client.post(f"/company/users/{colleague.pk}/reactivate/")
    colleague.refresh_from_db()
    assert colleague.is_active


def test_another_companys_user_is_404_and_nothing_changes(admin_client):
    outsider = factories.make_buyer(email="outsider@other.example.jp")
    assert admin_client.get(f"/company/users/{outsider.pk}/").status_code == 404
    assert admin_client.post(f"/company/users/{outsider.pk}/", {"role": "admin"}).status_code == 404
    assert admin_client.post(f"/company/users/{outsider.pk}/deactivate/").status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.role == "buyer"
    assert outsider.email not in admin_client.get("/company/users/").content.decode()


@pytest.mark.parametrize("role", ["buyer", "approver"])
def test_only_the_company_admin_sees_the_user_pages(client, admin, role):
    user = factories.make_buyer(customer=admin.customer, role=role)
    client.force_login(user)
    assert client.get("/company/users/").status_code == 404
    assert (
        client.post("/company/users/invite/", {"email": "x@acme.example.jp", "role": "admin"}).status_code
        == 404
    )
    assert client.post(f"/company/users/{admin.pk}/deactivate/").status_code == 404
    assert not User.objects.filter(email="x@acme.example.jp").exists()
    client.force_login(factories.make_staff())
    assert client.get("/company/users/").status_code == 404


def test_password_reset_by_email_in_japanese(client, django_capture_on_commit_callbacks):
    buyer = factories.make_buyer(email="forgot@acme.example.jp")
    page = client.get("/login/").content.decode()
    assert "/password/reset/" in page
    response = client.post("/password/reset/", {"email": "forgot@acme.example.jp"})
    assert response.status_code == 302
    deliver_queued_emails()
    (message,) = mail.outbox
    assert "パスワード" in message.subject
    path = re.search(r"https?://[^/]+(/password/reset/\S+/)", message.body).group(1)
    form = client.get(path, follow=True)
    assert "新しいパスワード" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "kyoto-nara-2026", "new_password2": "kyoto-nara-2026"}
    )
    assert done.status_code == 302
    buyer.refresh_from_db()
    assert buyer.check_password("kyoto-nara-2026")
    # an unknown address gets the same answer and no e-mail
    mail.outbox.clear()
    assert client.post("/password/reset/", {"email": "nobody@acme.example.jp"}).status_code == 302
    assert deliver_queued_emails() == [] and mail.outbox == []


def test_a_buyer_changes_their_own_password(client):
    buyer = factories.make_buyer(password="old-pass-12345")
    client.force_login(buyer)
    assert "パスワードの変更" in client.get("/password/change/").content.decode()
    wrong = client.post(
        "/password/change/",
        {"old_password": "nope", "new_password1": "new-pass-67890", "new_password2": "new-pass-67890"},
    )
    assert wrong.status_code == 200
    buyer.refresh_from_db()
    assert buyer.check_password("old-pass-12345")
    ok = client.post(
        "/password/change/",
        {
            "old_password": "old-pass-12345",
            "new_password1": "new-pass-67890",
            "new_password2": "new-pass-67890",
        },
    )
    assert ok.status_code == 302
    buyer.refresh_from_db()
    assert buyer.check_password("new-pass-67890")
