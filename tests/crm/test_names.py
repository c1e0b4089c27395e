"""Table tests for the pure company-name normaliser (crm.names)."""

from __future__ import annotations

import pytest

from crm.names import (
    fold_kana,
    is_free_mail_domain,
    normalize_address,
    normalize_company,
    normalize_domain,
    normalize_kana,
    normalize_phone,
    normalize_postal,
    prefecture_of,
    split_business_type,
)


@pytest.mark.parametrize(
    ("raw", "key", "legal_form", "branch"),
    [
        ("株式会社東邦工業", "東邦工業", "株式会社", ""),
        ("東邦工業株式会社", "東邦工業", "株式会社", ""),
        ("(株)東邦工業", "東邦工業", "株式会社", ""),
        ("東邦工業(株)", "東邦工業", "株式会社", ""),
        ("㈱東邦工業", "東邦工業", "株式会社", ""),
        ("東邦工業㈱", "東邦工業", "株式会社", ""),
        ("（株）　東邦工業", "東邦工業", "株式会社", ""),
        ("東邦工業 （株）", "東邦工業", "株式会社", ""),
        (" 東邦工業株式会社　", "東邦工業", "株式会社", ""),
        ("東邦 工業", "東邦工業", "", ""),
        ("東邦・工業", "東邦工業", "", ""),
        ("株式會社 東邦工業", "東邦工業", "株式会社", ""),
        ("有限会社大和鋼材", "大和鋼材", "有限会社", ""),
        ("大和鋼材(有)", "大和鋼材", "有限会社", ""),
        ("㈲大和鋼材", "大和鋼材", "有限会社", ""),
        ("大和鋼材（有）", "大和鋼材", "有限会社", ""),
        ("千代田商事合同会社", "千代田商事", "合同会社", ""),
        ("千代田商事(同)", "千代田商事", "合同会社", ""),
        ("合資会社山田商店", "山田商店", "合資会社", ""),
        ("山田商店(資)", "山田商店", "合資会社", ""),
        ("合名会社山田商店", "山田商店", "合名会社", ""),
        ("山田商店(名)", "山田商店", "合名会社", ""),
        ("一般社団法人日本建設協会", "日本建設協会", "一般社団法人", ""),
        # English legal forms, any spelling, any width.
        ("Toho Kogyo Co., Ltd.", "tohokogyo", "Co., Ltd.", ""),
        ("TOHO KOGYO CO.,LTD.", "tohokogyo", "Co., Ltd.", ""),
        ("Ｔｏｈｏ　Ｋｏｇｙｏ　Ｃｏ．，Ｌｔｄ．", "tohokogyo", "Co., Ltd.", ""),
        ("Toho Kogyo Ltd.", "tohokogyo", "Ltd.", ""),
        ("Toho Kogyo Inc.", "tohokogyo", "Inc.", ""),
        ("Toho Kogyo Corp.", "tohokogyo", "Corp.", ""),
        ("Toho Kogyo Corporation", "tohokogyo", "Corp.", ""),
        ("Toho Kogyo K.K.", "tohokogyo", "K.K.", ""),
        ("Toho Kogyo KK", "tohokogyo", "K.K.", ""),
        ("Toho Kogyo LLC", "tohokogyo", "LLC", ""),
        ("Toho Kogyo G.K.", "tohokogyo", "G.K.", ""),
        ("Sunrise Trading Co.", "sunrisetrading", "Co., Ltd.", ""),
        ("東邦工業 Co., Ltd.", "東邦工業", "Co., Ltd.", ""),
        ("東邦工業KK", "東邦工業", "K.K.", ""),
        # Kana names and kana legal forms, full/half width, hiragana.
        ("カブシキガイシャダイドウショウジ", "ダイドウショウジ", "株式会社", ""),
        ("ダイドウショウジカブシキカイシャ", "ダイドウショウジ", "株式会社", ""),
        ("ｶﾌﾞｼｷｶﾞｲｼｬﾀﾞｲﾄﾞｳｼｮｳｼﾞ", "ダイドウショウジ", "株式会社", ""),
        ("ﾀﾞｲﾄﾞｳｼｮｳｼﾞ", "ダイドウショウジ", "", ""),
        ("だいどうしょうじ", "ダイドウショウジ", "", ""),
        ("ユウゲンガイシャヤマトコウザイ", "ヤマトコウザイ", "有限会社", ""),
        ("ｱﾙﾌｧ･ﾃｸﾉ(同)", "アルファテクノ", "合同会社", ""),
        # Branch / office suffixes become the branch.
        ("株式会社東邦工業　名古屋営業所", "東邦工業", "株式会社", "名古屋営業所"),
        ("株式会社東邦工業 名古屋営業所", "東邦工業", "株式会社", "名古屋営業所"),
        ("株式会社東邦工業名古屋営業所", "東邦工業", "株式会社", "名古屋営業所"),
        ("有限会社東京硝子 大阪支店", "東京硝子", "有限会社", "大阪支店"),
        ("株式会社桜建設（東京本社）", "桜建設", "株式会社", "東京本社"),
        ("株式会社桜化学 本社", "桜化学", "株式会社", "本社"),
        ("桜化学本社", "桜化学", "", "本社"),
        ("三協製作所有限会社 大阪支店", "三協製作所", "有限会社", "大阪支店"),
        ("東邦工業 横須賀出張所", "東邦工業", "", "横須賀出張所"),
        ("東邦工業 仙台工場", "東邦工業", "", "仙台工場"),
        ("東邦工業 物流センター", "東邦工業", "", "物流センター"),
        ("東邦工業 事業所", "東邦工業", "", "事業所"),
        ("東邦工業 営業部", "東邦工業", "", "営業部"),
        ("Toho Kogyo Co., Ltd. Osaka Branch", "tohokogyo", "Co., Ltd.", "osaka branch"),
        ("Toho Kogyo Inc. Head Office", "tohokogyo", "Inc.", "head office"),
        # Business words that look like branch words stay in the name.
        ("山田 商店", "山田商店", "", ""),
        ("山田工務店", "山田工務店", "", ""),
        ("中央研究所", "中央研究所", "", ""),
        # Old and variant kanji.
        ("髙橋商事", "高橋商事", "", ""),
        ("山﨑工業", "山崎工業", "", ""),
        ("渡邊鋼材", "渡辺鋼材", "", ""),
        ("渡邉鋼材", "渡辺鋼材", "", ""),
        ("齋藤商店", "斎藤商店", "", ""),
        ("齊藤商店", "斎藤商店", "", ""),
        ("櫻精工", "桜精工", "", ""),
        ("廣島建設", "広島建設", "", ""),
        ("濱田鐵工所", "浜田鉄工所", "", ""),
        ("國際物産", "国際物産", "", ""),
        ("瀧澤電機", "滝沢電機", "", ""),
        ("寶石商會", "宝石商会", "", ""),
        ("德島藝術", "徳島芸術", "", ""),
        ("榮光與業", "栄光与業", "", ""),
        ("惠比壽産業", "恵比寿産業", "", ""),
        ("龍王化学", "竜王化学", "", ""),
        # Punctuation and case.
        ("A&B Trading", "abtrading", "", ""),
        ("ＡＢＣ商事", "abc商事", "", ""),
        ("ABC-Systems", "abcsystems", "", ""),
        ("ニュー・テック", "ニューテック", "", ""),
        ("ニュ－テック", "ニューテック", "", ""),
        # Honorifics from envelopes, cards and exhibition lists; 御殿場 and a bare 様 stay names.
        ("株式会社山田商事 御中", "山田商事", "株式会社", ""),
        ("山田商事様", "山田商事", "", ""),
        ("山田商事　殿", "山田商事", "", ""),
        ("（株）山田商事 東京支店 ご担当者様", "山田商事", "株式会社", "東京支店"),
        ("ﾔﾏﾀﾞｼｮｳｼﾞ 様", "ヤマダショウジ", "", ""),
        ("やまだしょうじ さま", "ヤマダショウジ", "", ""),
        ("山田商事 各位", "山田商事", "", ""),
        ("御殿場運送", "御殿場運送", "", ""),
        ("株式会社御殿", "御殿", "株式会社", ""),
        ("様", "様", "", ""),
    ],
)
def test_normalize_company_table(raw: str, key: str, legal_form: str, branch: str) -> None:
    result = normalize_company(raw)
    assert (result.key, result.legal_form, result.branch) == (key, legal_form, branch)


@pytest.mark.parametrize("raw", ["", "   ", "株式会社", "(株)", "㈱", " （有） ", "Co., Ltd.", "・・"])
def test_empty_after_normalisation(raw: str) -> None:
    assert normalize_company(raw).key == ""


def test_kana_flag() -> None:
    assert normalize_company("ﾀﾞｲﾄﾞｳｼｮｳｼﾞ").is_kana
    assert normalize_company("カブシキガイシャダイドウ").is_kana
    assert not normalize_company("大同商事").is_kana
    assert not normalize_company("アサヒ精工").is_kana


def test_variants_of_one_company_share_a_key() -> None:
    variants = [
        "株式会社大同商事",
        "大同商事株式会社",
        "(株)大同商事",
        "㈱ 大同商事",
        "大同商事（株）",
        "大同 商事",
        "大同商事 Co., Ltd.",
        "ＤＡＩＤＯ",  # sanity: a different spelling is a different key
    ]
    keys = {normalize_company(v).key for v in variants[:-1]}
    assert keys == {"大同商事"}
    assert normalize_company(variants[-1]).key == "daido"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("山田商事", "山田商店"),
        ("東京鋼材", "東京鋼業"),
        ("大同商事", "大道商事"),
        ("東京電機", "東京電気"),
        ("日本工業", "日本鋼業"),
    ],
)
def test_look_alikes_keep_different_keys(a: str, b: str) -> None:
    assert normalize_company(a).key != normalize_company(b).key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("山田商事", ("山田", "商事")),
        ("山田商店", ("山田", "商店")),
        ("東京鋼材", ("東京", "鋼材")),
        ("三協製作所", ("三協", "製作所")),
        ("山田工務店", ("山田", "工務店")),
        ("東京ガラス", ("東京", "硝子")),
        ("東京硝子", ("東京", "硝子")),
        ("ダイドウショウジ", ("ダイドウ", "ショウジ")),
        ("ダイドウセイサクショ", ("ダイドウ", "セイサクショ")),
        ("ソニー", ("ソニー", "")),
        ("商事", ("商事", "")),
    ],
)
def test_split_business_type(key: str, expected: tuple[str, str]) -> None:
    assert split_business_type(key) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﾀﾞｲﾄﾞｳ ｼｮｳｼﾞ", "ダイドウショウジ"),
        ("だいどう・しょうじ", "ダイドウショウジ"),
        ("ダイドウ　ショウジ", "ダイドウショウジ"),
        ("ｺｰﾎﾟﾚｰｼｮﾝ", "コーポレーション"),
        ("", ""),
    ],
)
def test_normalize_kana(raw: str, expected: str) -> None:
    assert normalize_kana(raw) == expected


def test_fold_kana_small_kana() -> None:
    assert fold_kana("キャノン") == fold_kana("キヤノン")
    assert fold_kana("ショウジ") == "シヨウジ"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03-1234-5678", "0312345678"),
        ("（０３）１２３４－５６７８", "0312345678"),
        ("+81 3-1234-5678", "0312345678"),
        ("+81 (0)3 1234 5678", "0312345678"),
        ("0081-3-1234-5678", "0312345678"),
        ("+81-90-1234-5678", "09012345678"),
        ("03-1234-5678 内線 123", "0312345678"),
        ("03-1234-5678 ext. 9", "0312345678"),
        ("", ""),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("taro@toho.co.jp", "toho.co.jp"),
        ("Taro.Yamada@WWW.TOHO.CO.JP", "toho.co.jp"),
        ("https://www.toho.co.jp/company/", "toho.co.jp"),
        ("http://toho.co.jp:8080", "toho.co.jp"),
        ("www.toho.co.jp", "toho.co.jp"),
        ("ｔａｒｏ＠ｔｏｈｏ．ｃｏ．ｊｐ", "toho.co.jp"),
        ("someone@gmail.com", ""),
        ("someone@yahoo.co.jp", ""),
        ("someone@outlook.jp", ""),
        ("someone@hotmail.com", ""),
        ("someone@icloud.com", ""),
        ("someone@docomo.ne.jp", ""),
        ("someone@ezweb.ne.jp", ""),
        ("someone@softbank.ne.jp", ""),
        ("someone@abc.biglobe.ne.jp", ""),
        ("not an address", ""),
        ("", ""),
    ],
)
def test_normalize_domain(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


def test_free_mail_is_suffix_based() -> None:
    assert is_free_mail_domain("gmail.com")
    assert is_free_mail_domain("x.plala.or.jp")
    assert not is_free_mail_domain("gmail-consulting.co.jp")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123-4567", "1234567"),
        ("〒１２３－４５６７", "1234567"),
        ("1234567", "1234567"),
        ("123-456", ""),
        ("", ""),
    ],
)
def test_normalize_postal(raw: str, expected: str) -> None:
    assert normalize_postal(raw) == expected


def test_normalize_address_and_prefecture() -> None:
    assert normalize_address("東京都港区芝５丁目７番１号") == normalize_address("東京都 港区芝5-7-1")
    assert prefecture_of("大阪府大阪市北区1-2-3") == "大阪府"
    assert prefecture_of("港区芝5-7-1") == ""
