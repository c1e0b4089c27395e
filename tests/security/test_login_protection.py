"""Login protection: django-axes lockouts (storefront, admin, API tokens), password rules, sessions, staff TOTP."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from customers.services import issue_api_token
from tests import factories

pytestmark = pytest.mark.django_db

LIMIT = 5  # the production default (tests/settings.py raises it for the rest of the suite)


@pytest.fixture(autouse=True)
def production_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _login(client, email, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def _page(response) -> str:
    """The page without its per-request CSRF tokens."""
    return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", response.content.decode())


def _fail(client, email, times, ip="10.0.0.1"):
    return [_login(client, email, "wrong-password-1", ip) for _ in range(times)]


def test_lockout_after_the_failure_limit_in_japanese_even_with_the_right_password(client, buyer):
    responses = _fail(client, buyer.email, LIMIT)
    assert [r.status_code for r in responses[:-1]] == [200] * (LIMIT - 1)
    assert "メールアドレスまたはパスワードが正しくありません" in responses[0].content.decode()
    locked = _login(client, buyer.email, "buyer-pass-123")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "ログインの失敗が続いたため" in body and "15分後" in body
    assert locked["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_unknown_user_gets_the_same_answers_as_a_wrong_password(client, buyer):
    known = _fail(client, buyer.email, LIMIT + 1)
    unknown = _fail(client, "nobody@example.jp", LIMIT + 1)
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert _page(known[0]).replace(buyer.email, "X") == _page(unknown[0]).replace("nobody@example.jp", "X")
    assert known[-1].status_code == 429
    assert _page(known[-1]) == _page(unknown[-1])


def test_lockout_is_per_username_and_address_and_case_insensitive(client, buyer):
    _fail(client, buyer.email.upper(), LIMIT)
    assert _login(client, buyer.email, "buyer-pass-123").status_code == 429
    # the same user from another address, and another user from the same address, still get in
    assert _login(client, buyer.email, "buyer-pass-123", ip="10.0.0.2").status_code == 302
    other = factories.make_buyer()
    client.logout()
    assert _login(client, other.email, "buyer-pass-123").status_code == 302


def test_lockout_ends_after_the_cool_off(client, buyer):
    _fail(client, buyer.email, LIMIT)
    assert _login(client, buyer.email, "buyer-pass-123").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert _login(client, buyer.email, "buyer-pass-123").status_code == 302


def test_admin_login_is_locked_out_too(client, staff):
    for _ in range(LIMIT):
        client.post(
            "/admin/login/", {"username": staff.email, "password": "nope-nope-1"}, REMOTE_ADDR="10.0.0.9"
        )
    locked = client.post(
        "/admin/login/", {"username": staff.email, "password": "staff-pass-123"}, REMOTE_ADDR="10.0.0.9"
    )
    assert locked.status_code == 429
    assert "ログインの失敗が続いたため" in locked.content.decode()


def test_guessing_api_tokens_locks_the_address_out_with_a_json_429(buyer):
    good = issue_api_token(user=buyer).raw
    guesser = APIClient(REMOTE_ADDR="10.0.0.7")
    guesser.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-token")
    answers = [guesser.get("/api/v1/store/products") for _ in range(LIMIT)]
    assert [a.status_code for a in answers[:-1]] == [401] * (LIMIT - 1)
    assert answers[-1].status_code == 429
    guesser.credentials(HTTP_AUTHORIZATION="Bearer " + good)
    locked = guesser.get("/api/v1/store/products")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out" and locked["Retry-After"] == str(15 * 60)
    assert "試しください" in locked.json()["message"]
    elsewhere = APIClient(REMOTE_ADDR="10.0.0.8")
    elsewhere.credentials(HTTP_AUTHORIZATION="Bearer " + good)
    assert elsewhere.get("/api/v1/store/products").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "このパスワードは短すぎます"),
        ("password123", "このパスワードは一般的すぎます"),
        ("83749127364", "数字しか使われていません"),
    ],
)
def test_password_change_applies_the_validators_in_japanese(buyer_client, buyer, password, message):
    response = buyer_client.post(
        "/password/change/",
        {"old_password": "buyer-pass-123", "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200 and message in response.content.decode()
    buyer.refresh_from_db()
    assert buyer.check_password("buyer-pass-123")


def test_a_session_ends_after_the_idle_limit(buyer_client):
    assert buyer_client.get("/orders/history/").status_code == 200
    session = buyer_client.session
    session["_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 1
    session.save()
    response = buyer_client.get("/orders/history/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def _enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_staff_with_an_authenticator_need_a_code_for_the_admin(client, staff):
    device = _enrol(staff)
    without = client.post("/admin/login/", {"username": staff.email, "password": "staff-pass-123"})
    assert without.status_code == 200 and "認証アプリ" in without.content.decode()
    assert client.get("/admin/").status_code == 302
    wrong = client.post(
        "/admin/login/", {"username": staff.email, "password": "staff-pass-123", "otp_token": "000000"}
    )
    assert wrong.status_code == 200 and client.get("/admin/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(
        "/admin/login/",
        {"username": staff.email, "password": "staff-pass-123", "otp_token": _code(device)},
    )
    assert ok.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_session_without_the_code_does_not_enter_the_admin(client, staff):
    _enrol(staff)
    client.force_login(staff)  # e.g. a storefront login: password only
    assert client.get("/admin/").status_code == 302


def test_staff_without_an_authenticator_log_in_with_a_password_unless_required(client, staff, settings):
    assert (
        client.post("/admin/login/", {"username": staff.email, "password": "staff-pass-123"}).status_code
        == 302
    )
    assert client.get("/admin/").status_code == 200
    settings.ADMIN_REQUIRE_OTP = True
    assert client.get("/admin/").status_code == 302


def test_staff_enrol_an_authenticator_with_a_qr_code(client, staff, buyer):
    client.force_login(staff)
    page = client.get("/staff/two-factor/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    pending = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/staff/two-factor/", {"token": "000000"}).status_code == 400
    assert client.post("/staff/two-factor/", {"token": _code(pending)}).status_code == 302
    assert TOTPDevice.objects.get(user=staff).confirmed
    client.force_login(buyer)
    assert client.get("/staff/two-factor/").status_code == 404


def test_a_password_only_staff_session_reaches_no_staff_page_and_cannot_swap_the_authenticator(client, staff):
    _enrol(staff)
    assert _login(client, staff.email, "staff-pass-123").status_code == 302  # storefront login
    for path in ("/orders/staff/proxy/", "/staff/two-factor/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), path
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_enrolling_verifies_the_session_and_the_admin_asks_for_codes_from_then_on(client, staff):
    client.force_login(staff)
    client.get("/staff/two-factor/")
    pending = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert client.post("/staff/two-factor/", {"token": _code(pending)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.force_login(staff)  # a new session without the code
    assert client.get("/admin/").status_code == 302
