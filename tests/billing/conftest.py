import pytest

ISSUER_NUMBER = "T7000012050002"  # 国税庁's 法人番号 with T: a number whose check digit is valid


@pytest.fixture(autouse=True)
def _issuer(settings):
    settings.SHOP_INVOICE_ISSUER_NAME = "株式会社テスト卸"
    settings.SHOP_INVOICE_ISSUER_ADDRESS = "東京都千代田区丸の内1-1-1"
    settings.SHOP_INVOICE_REGISTRATION_NUMBER = ISSUER_NUMBER
    settings.INVOICE_BASIS = "shipped"
    settings.INVOICE_HOLIDAY_CLOSING = "before"


@pytest.fixture
def erp_token(db):
    from customers.services import create_integration_user

    return create_integration_user(name="Billing ERP").raw


@pytest.fixture
def erp_api(client, erp_token):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {erp_token}"
    return client
