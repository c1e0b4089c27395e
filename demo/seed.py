"""Deterministic demo data: an industrial and office supplies wholesaler (産業・事務用品卸).

Generated with bulk inserts so it loads in well under a minute on SQLite or PostgreSQL. The
revenue per customer follows a long tail (Zipf-like weights), customers reorder on their own
cycles, and some stopped ordering months ago (dormant customers for the reactivation work).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, Price, Product, Stock
from catalog.text import jan_check_digit, product_search_text
from crm.names import KAISHA_FORMS
from customers.models import PREFECTURES, Customer, PriceGroup, ShipTo, User
from orders.models import Order, OrderEvent, OrderLine

if TYPE_CHECKING:
    from collections.abc import Callable

DEMO_MARKER_CODE = "C10001"
DEMO_BUYER_PASSWORD = "demo-buyer-2026"  # noqa: S105 - public demo login, printed by `make run`
DEMO_STAFF_PASSWORD = "demo-staff-2026"  # noqa: S105 - public demo login, printed by `make run`
DEMO_STAFF_EMAIL = "admin@demo.b2bshop.jp"
# The first demo company's logins (buyer1 is the company admin everywhere); buyer2 has a spending
# limit per order, so a larger cart waits for approver's decision.
DEMO_SPENDING_LIMIT = Decimal(30000)
DEMO_APPROVAL_CAST = [
    ("buyer1", "山田 管理", "admin", None),
    ("buyer2", "佐藤 発注", "buyer", DEMO_SPENDING_LIMIT),
    ("approver", "鈴木 承認", "approver", None),
]

# (code, name, name_en, [(sub code, sub name, sub name_en, unit, case_qty range, price range, tax)])
# (code, name, name_en, unit, quantity range, price range, tax rate) of one sub-category.
SubCategorySpec = tuple[str, str, str, str, tuple[int, int], tuple[float, float], int]
CATEGORY_TREE: list[tuple[str, str, str, list[SubCategorySpec]]] = [
    ("OFFICE", "文具・事務用品", "Office supplies", [
        ("PEN", "筆記具", "Writing instruments", "本", (10, 50), (80, 600), 10),
        ("PAPER", "コピー用紙・紙製品", "Paper", "箱", (1, 5), (1800, 5200), 10),
        ("FILE", "ファイル・バインダー", "Files and binders", "冊", (10, 20), (120, 900), 10),
        ("DESK", "デスク用品", "Desk supplies", "個", (5, 20), (150, 2500), 10),
    ]),
    ("PACK", "梱包資材", "Packaging", [
        ("BOX", "段ボール箱", "Cardboard boxes", "枚", (10, 50), (60, 420), 10),
        ("TAPE", "テープ", "Tape", "巻", (10, 50), (90, 700), 10),
        ("CUSH", "緩衝材", "Cushioning", "袋", (1, 10), (600, 4800), 10),
    ]),
    ("WORK", "作業用品", "Work supplies", [
        ("GLOVE", "作業手袋", "Work gloves", "双", (10, 100), (60, 1500), 10),
        ("WEAR", "作業服", "Workwear", "着", (1, 10), (1200, 8800), 10),
    ]),
    ("TOOL", "工具", "Tools", [
        ("HAND", "作業工具", "Hand tools", "個", (1, 10), (400, 12000), 10),
        ("POWER", "電動工具", "Power tools", "台", (1, 1), (8000, 68000), 10),
        ("MEAS", "測定工具", "Measuring tools", "個", (1, 5), (500, 25000), 10),
    ]),
    ("FAST", "ネジ・ボルト・締結部品", "Fasteners", [
        ("BOLT", "ボルト", "Bolts", "個", (50, 200), (3, 120), 10),
        ("NUT", "ナット", "Nuts", "個", (100, 500), (2, 60), 10),
        ("SCREW", "ビス・小ネジ", "Screws", "個", (100, 1000), (0.85, 25), 10),
    ]),
    ("CLEAN", "清掃・衛生用品", "Cleaning and hygiene", [
        ("DETER", "洗剤", "Detergents", "本", (6, 24), (200, 3500), 10),
        ("TISSUE", "ペーパータオル・ティッシュ", "Paper towels", "ケース", (1, 1), (1800, 6800), 10),
        ("TRASH", "ゴミ袋", "Trash bags", "袋", (10, 40), (150, 1200), 10),
    ]),
    ("FOOD", "飲料・食品", "Drinks and food", [
        ("DRINK", "飲料", "Drinks", "本", (24, 24), (60, 220), 8),
        ("COFFEE", "コーヒー・お茶", "Coffee and tea", "袋", (6, 12), (300, 2400), 8),
        ("SNACK", "菓子・備蓄食品", "Snacks and emergency food", "個", (12, 48), (80, 900), 8),
    ]),
    ("ELEC", "電材・照明", "Electrical", [
        ("LIGHT", "照明器具・LED", "Lighting", "個", (1, 10), (600, 18000), 10),
        ("CABLE", "電線・ケーブル", "Cables", "巻", (1, 5), (800, 22000), 10),
        ("BATT", "電池", "Batteries", "パック", (10, 40), (200, 1600), 10),
    ]),
    ("SAFE", "安全・保護具", "Safety", [
        ("HELM", "ヘルメット", "Helmets", "個", (1, 10), (1500, 6000), 10),
        ("MASK", "マスク・保護メガネ", "Masks and goggles", "箱", (10, 40), (300, 3500), 10),
    ]),
]  # fmt: skip

ITEM_WORDS = {
    "PEN": ["ボールペン", "油性マーカー", "蛍光ペン", "シャープペンシル", "水性ペン"],
    "PAPER": ["コピー用紙 A4", "コピー用紙 A3", "再生紙 A4", "上質紙 B5", "ロール紙"],
    "FILE": ["クリアファイル", "リングファイル", "フラットファイル", "チューブファイル", "ドッチファイル"],
    "DESK": ["ステープラー", "テープカッター", "はさみ", "穴あけパンチ", "デスクトレー"],
    "BOX": ["段ボール箱 60サイズ", "段ボール箱 80サイズ", "段ボール箱 100サイズ", "宅配箱", "ネコポス箱"],
    "TAPE": ["OPPテープ", "布テープ", "クラフトテープ", "養生テープ", "両面テープ"],
    "CUSH": ["エアキャップ", "ミラーマット", "エアピロー", "紙緩衝材", "発泡シート"],
    "GLOVE": ["軍手", "ニトリル手袋", "耐切創手袋", "革手袋", "防寒手袋"],
    "WEAR": ["作業ジャンパー", "作業ズボン", "つなぎ", "防寒ジャケット", "ポロシャツ"],
    "HAND": ["モンキーレンチ", "ドライバーセット", "ペンチ", "六角レンチセット", "ハンマー"],
    "POWER": ["インパクトドライバー", "ディスクグラインダー", "振動ドリル", "丸のこ", "充電式クリーナー"],
    "MEAS": ["コンベックス", "ノギス", "水平器", "マイクロメーター", "レーザー距離計"],
    "BOLT": ["六角ボルト", "キャップボルト", "アンカーボルト", "寸切ボルト", "トラス頭ボルト"],
    "NUT": ["六角ナット", "フランジナット", "袋ナット", "蝶ナット", "Uナット"],
    "SCREW": ["なべ小ネジ", "皿小ネジ", "タッピンねじ", "コーススレッド", "ドリルビス"],
    "DETER": ["中性洗剤", "アルコール除菌剤", "ハンドソープ", "床用洗剤", "漂白剤"],
    "TISSUE": ["ペーパータオル", "ボックスティッシュ", "トイレットペーパー", "ウエス", "キッチンタオル"],
    "TRASH": ["ゴミ袋 45L", "ゴミ袋 70L", "ゴミ袋 90L", "レジ袋", "ポリ袋"],
    "DRINK": [
        "ミネラルウォーター 500ml",
        "緑茶 500ml",
        "缶コーヒー 185g",
        "スポーツドリンク 500ml",
        "炭酸水 500ml",
    ],
    "COFFEE": [
        "ドリップコーヒー",
        "インスタントコーヒー",
        "緑茶ティーバッグ",
        "麦茶パック",
        "紅茶ティーバッグ",
    ],
    "SNACK": ["クラッカー", "保存水", "非常食 アルファ米", "飴", "チョコレート"],
    "LIGHT": ["LED電球", "LEDベースライト", "投光器", "ヘッドライト", "懐中電灯"],
    "CABLE": ["VVFケーブル", "延長コード", "LANケーブル", "キャブタイヤケーブル", "電源タップ"],
    "BATT": ["アルカリ乾電池 単3", "アルカリ乾電池 単4", "リチウム電池", "充電池", "ボタン電池"],
    "HELM": ["ヘルメット 白", "ヘルメット 黄", "通気孔付ヘルメット", "折りたたみヘルメット", "保護帽"],
    "MASK": ["不織布マスク", "防じんマスク", "保護メガネ", "フェイスシールド", "耳栓"],
}
VARIANTS = [
    "S",
    "M",
    "L",
    "黒",
    "赤",
    "青",
    "白",
    "業務用",
    "徳用",
    "小",
    "中",
    "大",
    "10入",
    "50入",
    "100入",
    "II",
]
# English product names for English sessions (issue 16): the item word and the variant, translated.
ITEM_WORDS_EN = {
    "PEN": ["Ballpoint pen", "Oil-based marker", "Highlighter", "Mechanical pencil", "Water-based pen"],
    "PAPER": ["Copy paper A4", "Copy paper A3", "Recycled paper A4", "Fine paper B5", "Roll paper"],
    "FILE": ["Clear folder", "Ring binder", "Flat file", "Tube file", "Box file"],
    "DESK": ["Stapler", "Tape dispenser", "Scissors", "Hole punch", "Desk tray"],
    "BOX": ["Cardboard box size 60", "Cardboard box size 80", "Cardboard box size 100", "Shipping box",
            "Mail box"],
    "TAPE": ["OPP tape", "Cloth tape", "Kraft tape", "Masking tape", "Double-sided tape"],
    "CUSH": ["Bubble wrap", "Foam wrap", "Air pillow", "Paper cushioning", "Foam sheet"],
    "GLOVE": ["Cotton work gloves", "Nitrile gloves", "Cut-resistant gloves", "Leather gloves", "Winter gloves"],
    "WEAR": ["Work jacket", "Work trousers", "Coveralls", "Winter jacket", "Polo shirt"],
    "HAND": ["Adjustable wrench", "Screwdriver set", "Pliers", "Hex key set", "Hammer"],
    "POWER": ["Impact driver", "Disc grinder", "Hammer drill", "Circular saw", "Cordless vacuum"],
    "MEAS": ["Tape measure", "Caliper", "Spirit level", "Micrometer", "Laser distance meter"],
    "BOLT": ["Hex bolt", "Cap bolt", "Anchor bolt", "Threaded rod", "Truss head bolt"],
    "NUT": ["Hex nut", "Flange nut", "Cap nut", "Wing nut", "U-nut"],
    "SCREW": ["Pan head screw", "Flat head screw", "Tapping screw", "Coarse thread screw", "Drill screw"],
    "DETER": ["Neutral detergent", "Alcohol sanitiser", "Hand soap", "Floor cleaner", "Bleach"],
    "TISSUE": ["Paper towels", "Box tissues", "Toilet paper", "Wiping cloth", "Kitchen towels"],
    "TRASH": ["Trash bags 45L", "Trash bags 70L", "Trash bags 90L", "Carrier bags", "Plastic bags"],
    "DRINK": ["Mineral water 500ml", "Green tea 500ml", "Canned coffee 185g", "Sports drink 500ml",
              "Sparkling water 500ml"],
    "COFFEE": ["Drip coffee", "Instant coffee", "Green tea bags", "Barley tea bags", "Black tea bags"],
    "SNACK": ["Crackers", "Emergency water", "Emergency rice", "Candy", "Chocolate"],
    "LIGHT": ["LED bulb", "LED base light", "Floodlight", "Headlamp", "Flashlight"],
    "CABLE": ["VVF cable", "Extension cord", "LAN cable", "Cabtyre cable", "Power strip"],
    "BATT": ["Alkaline batteries AA", "Alkaline batteries AAA", "Lithium battery", "Rechargeable battery",
             "Button battery"],
    "HELM": ["Helmet white", "Helmet yellow", "Vented helmet", "Folding helmet", "Safety cap"],
    "MASK": ["Non-woven mask", "Dust mask", "Safety glasses", "Face shield", "Earplugs"],
}  # fmt: skip
VARIANTS_EN = {
    "黒": "black", "赤": "red", "青": "blue", "白": "white", "業務用": "bulk", "徳用": "value pack",
    "小": "small", "中": "medium", "大": "large", "10入": "pack of 10", "50入": "pack of 50",
    "100入": "pack of 100",
}  # fmt: skip
KANA = {"ボールペン": "ボールペン"}

PLACES = [
    ("東京", "トウキョウ"), ("大阪", "オオサカ"), ("名古屋", "ナゴヤ"), ("横浜", "ヨコハマ"), ("札幌", "サッポロ"),
    ("福岡", "フクオカ"), ("仙台", "センダイ"), ("広島", "ヒロシマ"), ("京都", "キョウト"), ("神戸", "コウベ"),
    ("北陸", "ホクリク"), ("東海", "トウカイ"), ("関西", "カンサイ"), ("九州", "キュウシュウ"), ("中央", "チュウオウ"),
    ("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("日本", "ニホン"), ("大和", "ヤマト"), ("富士", "フジ"), ("朝日", "アサヒ"), ("旭", "アサヒ"),
    ("三和", "サンワ"), ("新光", "シンコウ"), ("丸一", "マルイチ"), ("協和", "キョウワ"), ("平和", "ヘイワ"),
]  # fmt: skip
TRADES = [
    ("工業", "コウギョウ"), ("商事", "ショウジ"), ("製作所", "セイサクショ"), ("産業", "サンギョウ"),
    ("建設", "ケンセツ"), ("電機", "デンキ"), ("物産", "ブッサン"), ("商店", "ショウテン"),
    ("運輸", "ウンユ"), ("精機", "セイキ"), ("化成", "カセイ"), ("食品", "ショクヒン"),
]  # fmt: skip
# 株式会社 three times as often as 有限会社 or 合同会社.
LEGAL_FORMS = [form for form, weight in zip(KAISHA_FORMS, (3, 1, 1), strict=False) for _ in range(weight)]
SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田"]
GIVEN = ["一郎", "健", "真理", "陽子", "大輔", "美咲", "翔", "直子", "誠", "由美"]
# Prefecture weights: big metro areas get more customers.
PREF_WEIGHTS = {
    "東京都": 18,
    "大阪府": 10,
    "愛知県": 9,
    "神奈川県": 8,
    "埼玉県": 5,
    "千葉県": 5,
    "福岡県": 5,
    "北海道": 4,
    "兵庫県": 4,
}


@dataclass(frozen=True)
class SeedResult:
    created: bool
    products: int
    customers: int
    orders: int


def _jan(rng: random.Random) -> str:
    body = "45" + "".join(str(rng.randint(0, 9)) for _ in range(10))
    return body + str(jan_check_digit(body))


def _money(value: float) -> Decimal:
    """Demo prices: whole yen above ¥10, two decimals below (a screw costs ¥0.85)."""
    if value >= 10:
        return Decimal(int(value))
    return Decimal(str(round(value, 2)))


def seed_demo(
    *, now: datetime, log: Callable[[str], None] = lambda _m: None, seed: int = 20261126
) -> SeedResult:
    """Create the demo shop once; a second call changes nothing."""
    if Customer.objects.filter(code=DEMO_MARKER_CODE).exists():
        return SeedResult(False, Product.objects.count(), Customer.objects.count(), Order.objects.count())
    rng = random.Random(seed)
    with transaction.atomic():
        log("categories and products")
        products = _seed_catalog(rng, now=now)
        log("price groups, customers, buyers, staff")
        customers = _seed_customers(rng)
        log("prices and trading rules")
        _seed_prices(rng, products, customers)
        _seed_rules()
        log("two years of order history")
        orders = _seed_history(rng, products, customers, now=now)
    return SeedResult(True, len(products), len(customers), orders)


def _seed_catalog(rng: random.Random, *, now: datetime) -> list[Product]:
    categories: dict[str, Category] = {}
    sub_specs = []
    for order, (code, name, name_en, subs) in enumerate(CATEGORY_TREE):
        categories[code] = Category.objects.create(code=code, name=name, name_en=name_en, sort_order=order)
        for sub_order, spec in enumerate(subs):
            sub = Category.objects.create(
                code=spec[0], name=spec[1], name_en=spec[2], parent=categories[code], sort_order=sub_order
            )
            sub_specs.append((sub, spec))
    products: list[Product] = []
    n = 0
    for sub, (_code, _name, _name_en, unit, case_range, price_range, tax) in sub_specs:
        words = ITEM_WORDS[sub.code]
        for word_index, word in enumerate(words):
            for variant in rng.sample(VARIANTS, 16):
                n += 1
                case_qty = rng.randint(*case_range)
                lo, hi = price_range
                price = _money(rng.uniform(lo, hi))
                name = f"{word} {variant}"
                sku = f"{sub.code[:3]}-{n:05d}"
                jan = _jan(rng)
                # Some products are sold by the case itself: their unit is ケース and one unit is one
                # case, so no "1ケース 58ケース入り" (rng call order kept: the demo stays the same).
                as_case = case_qty > 1 and rng.random() < 0.1
                english_name = f"{ITEM_WORDS_EN[sub.code][word_index]} {VARIANTS_EN.get(variant, variant)}"
                p = Product(
                    sku=sku,
                    name=name,
                    name_en=english_name,
                    name_kana="",
                    category=sub,
                    unit="ケース" if as_case else unit,
                    case_quantity=1 if as_case else case_qty,
                    jan_code=jan,
                    tax_rate=tax,
                    base_price=price,
                    moq=rng.choice([None, None, None, 2, 5, 10]) if price < 1000 else None,
                    order_multiple=case_qty if sub.code in {"DRINK", "BOLT", "NUT"} and not as_case else None,
                    max_quantity=rng.choice([None, None, None, 50]) if price > 20000 else None,
                    active=rng.random() > 0.02,
                    search_text=product_search_text(
                        sku=sku, name=name, name_en=english_name, name_kana="", jan_code=jan
                    ),
                )
                products.append(p)
    Product.objects.bulk_create(products, batch_size=1000)
    products = list(Product.objects.select_related("category").order_by("id"))
    stocks = []
    for p in products:
        roll = rng.random()
        on_hand = 0 if roll < 0.05 else rng.randint(1, 9) if roll < 0.15 else rng.randint(10, 5000)
        stocks.append(Stock(product=p, on_hand=on_hand, held=0, as_of=now))  # fresh, as the ERP sends them
    Stock.objects.bulk_create(stocks, batch_size=1000)
    return products


def _seed_customers(rng: random.Random) -> list[Customer]:
    groups = [
        PriceGroup.objects.create(code="STD", name="標準", rate=None),
        PriceGroup.objects.create(code="A", name="Aランク (95)", rate=Decimal("0.95")),
        PriceGroup.objects.create(code="B", name="Bランク (90)", rate=Decimal("0.90")),
        PriceGroup.objects.create(code="C", name="Cランク (85)", rate=Decimal("0.85")),
    ]
    staff_hash = make_password(DEMO_STAFF_PASSWORD)
    User.objects.create(
        email=DEMO_STAFF_EMAIL, full_name="管理者", is_staff=True, is_superuser=True, password=staff_hash
    )
    reps = [
        User.objects.create(
            email=f"sales{i}@demo.b2bshop.jp",
            full_name=f"{SURNAMES[i]} 営業",
            is_staff=True,
            password=staff_hash,
        )
        for i in range(1, 4)
    ]
    User.objects.create(
        email="orderdesk@demo.b2bshop.jp", full_name="受注センター", is_staff=True, password=staff_hash
    )
    prefs = list(PREFECTURES)
    weights = [PREF_WEIGHTS.get(p, 1) for p in prefs]
    customers = []
    used_names: set[str] = set()
    for i in range(320):
        while True:
            place, place_kana = rng.choice(PLACES)
            trade, trade_kana = rng.choice(TRADES)
            core = place + trade
            if core not in used_names:
                break
            place2, place2_kana = rng.choice(PLACES)
            core = place + place2 + trade
            if core not in used_names:
                place_kana = place_kana + place2_kana
                break
        used_names.add(core)
        legal = rng.choice(LEGAL_FORMS)
        name = f"{legal}{core}" if rng.random() < 0.6 else f"{core}{legal}"
        pref = rng.choices(prefs, weights)[0]
        code = f"C{10001 + i}"
        customers.append(
            Customer(
                code=code,
                name=name,
                name_kana=place_kana + trade_kana,
                legal_form=legal,
                price_group=rng.choices(groups, [5, 3, 2, 1])[0],
                prefecture=pref,
                postal_code=f"{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}",
                address=f"{pref}中央区{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
                phone=f"0{rng.randint(3, 99)}-{rng.randint(100, 9999)}-{rng.randint(1000, 9999)}",
                domain=f"c{10001 + i}.example.jp",
                owner=rng.choice(reps),
                closing_day=rng.choice([31, 31, 31, 20, 25, 15, 10]),
                payment_terms_days=rng.choice([30, 30, 60]),
                credit_limit=Decimal(rng.choice([500000, 1000000, 3000000, 10000000])),
                invoice_registration_number=f"T{rng.randint(10**12, 10**13 - 1)}",
                ec_enabled=rng.random() > 0.05,
                name_key=core,
            )
        )
    Customer.objects.bulk_create(customers, batch_size=500)
    customers = list(Customer.objects.select_related("price_group").order_by("code"))
    buyer_hash = make_password(DEMO_BUYER_PASSWORD)
    buyers = []
    ship_tos = []
    for c in customers:
        for j in range(rng.choice([1, 1, 2, 3])):
            role = "admin" if j == 0 else rng.choice(["buyer", "approver"])
            buyers.append(
                User(
                    email=f"buyer{j + 1}@{c.domain}",
                    full_name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                    customer=c,
                    role=role,
                    password=buyer_hash,
                )
            )
        if rng.random() < 0.3:
            ship_tos.append(
                ShipTo(
                    customer=c,
                    name=f"{c.name} 第二倉庫",
                    postal_code=c.postal_code,
                    prefecture=c.prefecture,
                    address=c.address.replace("中央区", "港区"),
                    phone=c.phone,
                )
            )
    _demo_approval_logins(buyers=buyers, customer=customers[0], password=buyer_hash)
    User.objects.bulk_create(buyers, batch_size=500)
    ShipTo.objects.bulk_create(ship_tos, batch_size=500)
    return customers


def _demo_approval_logins(*, buyers: list[User], customer: Customer, password: str) -> None:
    """Give the first demo company the approval flow's cast: its admin, a buyer whose orders above
    ¥30,000 wait for approval, and an approver (replacing whatever the random draw gave it)."""
    buyers[:] = [b for b in buyers if b.customer is not customer]
    for email, name, role, limit in DEMO_APPROVAL_CAST:
        buyers.append(
            User(
                email=f"{email}@{customer.domain}",
                full_name=name,
                customer=customer,
                role=role,
                spending_limit=limit,
                password=password,
            )
        )


def _seed_prices(rng: random.Random, products: list[Product], customers: list[Customer]) -> None:
    groups = {g.code: g for g in PriceGroup.objects.all()}
    rows = []
    for p in rng.sample(products, 300):  # volume tiers on list prices
        rows.append(
            Price(
                product=p,
                min_quantity=p.case_quantity * 5 or 10,
                unit_price=(p.base_price * Decimal("0.93")).quantize(Decimal("0.01"), ROUND_DOWN),
            )
        )
    for p in rng.sample(products, 200):  # fixed group prices
        rows.append(
            Price(
                product=p,
                price_group=groups["A"],
                unit_price=(p.base_price * Decimal("0.92")).quantize(Decimal("0.01"), ROUND_DOWN),
            )
        )
    for c in customers[:40]:  # contract prices for larger accounts
        for p in rng.sample(products, 15):
            rows.append(
                Price(
                    product=p,
                    customer=c,
                    unit_price=(p.base_price * Decimal("0.80")).quantize(Decimal("0.01"), ROUND_DOWN),
                    valid_from=date(2026, 4, 1),
                    valid_to=date(2027, 3, 31),
                )
            )
    Price.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


DEMO_RULES = [
    {"code": "small-order-fee", "kind": "small_order_fee", "below": "10000", "fee": "500", "tax_rate": 10},
    {"code": "min-amount", "kind": "minimum_order_amount", "amount": "3000"},
    {"code": "moq-bolts", "kind": "minimum_quantity", "quantity": 50, "scope": {"categories": ["BOLT"]}},
    {
        "code": "case-units",
        "kind": "order_multiple",
        "use_case_quantity": True,
        "scope": {"categories": ["DRINK"]},
    },
    {"code": "ship-standard", "kind": "shipping_fee", "fee": "800", "free_from": "20000", "tax_rate": 10},
    {
        "code": "ship-hokkaido",
        "kind": "shipping_fee",
        "fee": "1500",
        "free_from": "30000",
        "tax_rate": 10,
        "priority": 10,
        "scope": {"prefectures": ["北海道", "沖縄県"]},
    },
]


def _seed_rules() -> None:
    # Through the same validation and history as load_rules and the admin.
    from pricing_rules import rules_file, services

    services.replace_rules(
        rules=rules_file.rules_from_dict({"rules": DEMO_RULES}), actor=None, source="seed_demo"
    )


def _seed_history(
    rng: random.Random, products: list[Product], customers: list[Customer], *, now: datetime
) -> int:
    """Orders over two years: Zipf-like customer sizes, own reorder cycles, ~15% churned."""
    today = timezone.localdate(now)
    start = today - timedelta(days=730)
    order_rows: list[Order] = []
    line_rows: list[tuple[int, list[OrderLine]]] = []
    shuffled = customers[:]
    rng.shuffle(shuffled)
    active_products = [p for p in products if p.active]
    seq = 0
    for rank, customer in enumerate(shuffled, start=1):
        weight = 1.0 / rank**1.1
        cycle = rng.choice([7, 14, 14, 21, 30, 30, 45, 60, 90])
        # Larger customers order more often; small ones order rarely.
        if rank <= 30:
            cycle = min(cycle, 14)
        churn_day = None
        if rng.random() < 0.15:
            churn_day = today - timedelta(days=rng.randint(90, 400))
        favourites = rng.sample(active_products, 12)
        day = start + timedelta(days=rng.randint(0, cycle))
        while day < today and (churn_day is None or day < churn_day):
            seq += 1
            placed = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 18), rng.randint(0, 59))))
            lines = []
            subtotal = Decimal(0)
            # Revenue target per order: the customer's yearly size spread over its cycle.
            target = max(Decimal(2500), Decimal(int(60_000_000 * weight * cycle / 365)))
            n_lines = rng.randint(1, 5)
            share = target / n_lines
            affordable = [p for p in favourites if p.base_price * p.case_quantity <= share]
            affordable = affordable or sorted(favourites, key=lambda p: p.base_price * p.case_quantity)[:2]
            picked = rng.sample(affordable, min(n_lines, len(affordable)))
            for line_no, p in enumerate(picked, start=1):
                cases = max(1, int(share / (p.base_price * p.case_quantity)) if p.base_price else 1)
                qty = max(p.case_quantity * cases, p.moq or 1)
                if p.max_quantity:
                    qty = min(qty, p.max_quantity)
                amount = (p.base_price * qty).quantize(Decimal(1), ROUND_DOWN)
                subtotal += amount
                lines.append(
                    OrderLine(
                        line_no=line_no,
                        product=p,
                        sku=p.sku,
                        name=p.name,
                        unit=p.unit,
                        quantity=qty,
                        unit_price=p.base_price,
                        amount=amount,
                        tax_rate=p.tax_rate,
                    )
                )
            tax10 = sum((ln.amount for ln in lines if ln.tax_rate == 10), Decimal(0)) * Decimal("0.10")
            tax8 = sum((ln.amount for ln in lines if ln.tax_rate == 8), Decimal(0)) * Decimal("0.08")
            tax10, tax8 = tax10.quantize(Decimal(1), ROUND_DOWN), tax8.quantize(Decimal(1), ROUND_DOWN)
            age = (today - day).days
            status = "invoiced" if age > 40 else "shipped" if age > 5 else "accepted"
            order_rows.append(
                Order(
                    number=f"H{day:%y%m%d}-{seq:06d}",
                    customer=customer,
                    channel=rng.choice(["web", "phone", "fax", "web"]),
                    status=status,
                    ship_to={
                        "name": customer.name,
                        "postal_code": customer.postal_code,
                        "prefecture": customer.prefecture,
                        "address": customer.address,
                        "phone": customer.phone,
                    },
                    subtotal=subtotal,
                    tax_10=tax10,
                    tax_8=tax8,
                    total=subtotal + tax10 + tax8,
                    snapshot={"source": "demo history"},
                    placed_at=placed,
                )
            )
            line_rows.append((len(order_rows) - 1, lines))
            day += timedelta(days=max(3, int(rng.gauss(cycle, cycle * 0.2))))
    Order.objects.bulk_create(order_rows, batch_size=1000)
    all_lines = []
    events = []
    for index, lines in line_rows:
        order = order_rows[index]
        for ln in lines:
            ln.order = order
            all_lines.append(ln)
        events.append(OrderEvent(order=order, type="placed", occurred_at=order.placed_at))
        if order.status in {"accepted", "shipped", "invoiced"}:
            events.append(
                OrderEvent(order=order, type="accepted", occurred_at=order.placed_at + timedelta(hours=1))
            )
    OrderLine.objects.bulk_create(all_lines, batch_size=2000)
    OrderEvent.objects.bulk_create(events, batch_size=2000)
    return len(order_rows)
