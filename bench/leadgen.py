"""Seeded generator of customer masters and labelled lead lists for the matching benchmark.

Pure and deterministic for a given seed. Leads are written the ways real lead lists write a
company (legal form abbreviated, moved, dropped or in English; full/half width; kana only;
branch suffixes; stray spaces; old kanji) and carry the right customer code, while look-alike
non-customers (other business type, one other kanji in the core, same name in another
prefecture, a group company on the same domain, unrelated names) carry an empty truth. The
matcher is judged on these, so the variants go beyond the shared sample.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

import jaconv

from crm.matching import CustomerRecord, Lead
from crm.names import KAISHA_FORMS, OLD_TO_NEW_KANJI, fold_kana, normalize_company

__all__ = ["LabelledLead", "generate_card_leads", "generate_customers", "generate_leads"]


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated table → tuple (keeps long word tables readable)."""
    return tuple(text.split())


# (kanji, reading) — place names, surnames and auspicious words used in company names.
_STEMS: tuple[tuple[str, str], ...] = tuple(
    tuple(p.split(":"))  # type: ignore[misc]  # every word list entry is 'kanji:reading'
    for p in _words(
        "大同:ダイドウ 大和:ヤマト 東邦:トウホウ 協和:キョウワ 三和:サンワ 共栄:キョウエイ 昭和:ショウワ "
        "平和:ヘイワ 光:ヒカリ 旭:アサヒ 桜:サクラ 若葉:ワカバ 新光:シンコウ 富士:フジ 日本:ニホン "
        "東洋:トウヨウ 太平洋:タイヘイヨウ 中央:チュウオウ 丸:マル 千代田:チヨダ 信越:シンエツ "
        "北海:ホッカイ 九州:キュウシュウ 関東:カントウ 関西:カンサイ 中部:チュウブ 名古屋:ナゴヤ "
        "横浜:ヨコハマ 大阪:オオサカ 東京:トウキョウ 浪速:ナニワ 明治:メイジ 大正:タイショウ 山田:ヤマダ "
        "田中:タナカ 鈴木:スズキ 高橋:タカハシ 佐藤:サトウ 伊藤:イトウ 渡辺:ワタナベ 中村:ナカムラ "
        "小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山本:ヤマモト 松本:マツモト 井上:イノウエ 木村:キムラ "
        "林:ハヤシ 斎藤:サイトウ 清水:シミズ 山口:ヤマグチ 森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ "
        "石川:イシカワ 山崎:ヤマザキ 中島:ナカジマ 前田:マエダ 藤田:フジタ 小川:オガワ 後藤:ゴトウ "
        "岡田:オカダ 長谷川:ハセガワ 村上:ムラカミ 近藤:コンドウ 石井:イシイ 坂本:サカモト 遠藤:エンドウ "
        "青木:アオキ 藤井:フジイ 西村:ニシムラ 福田:フクダ 太田:オオタ 三浦:ミウラ 藤原:フジワラ "
        "岡本:オカモト 松田:マツダ 中川:ナカガワ 中野:ナカノ 原田:ハラダ 小野:オノ 田村:タムラ "
        "竹内:タケウチ 金子:カネコ 和田:ワダ 中山:ナカヤマ 石田:イシダ 上田:ウエダ 森田:モリタ "
        "柴田:シバタ 酒井:サカイ 工藤:クドウ 横山:ヨコヤマ 宮崎:ミヤザキ 宮本:ミヤモト 内田:ウチダ "
        "高木:タカギ 安藤:アンドウ 谷口:タニグチ 大野:オオノ 丸山:マルヤマ 今井:イマイ 高田:タカダ "
        "藤本:フジモト 武田:タケダ 村田:ムラタ 上野:ウエノ 杉山:スギヤマ 増田:マスダ 平野:ヒラノ "
        "大塚:オオツカ 千葉:チバ 久保:クボ 松井:マツイ 小島:コジマ 岩崎:イワサキ 桜井:サクライ "
        "野口:ノグチ 松尾:マツオ 野村:ノムラ 木下:キノシタ 菊地:キクチ 佐野:サノ 大西:オオニシ "
        "杉本:スギモト 新井:アライ 浜田:ハマダ 菅原:スガワラ 市川:イチカワ 水野:ミズノ 小松:コマツ "
        "島田:シマダ 古川:フルカワ 小山:コヤマ 高野:タカノ 西田:ニシダ 菊池:キクチ 山内:ヤマウチ "
        "西川:ニシカワ 五十嵐:イガラシ 北村:キタムラ 安田:ヤスダ 中田:ナカタ 川口:カワグチ 平田:ヒラタ "
        "川崎:カワサキ 飯田:イイダ 吉川:ヨシカワ 本田:ホンダ 久保田:クボタ 沢田:サワダ 辻:ツジ 関:セキ "
        "吉村:ヨシムラ 岩田:イワタ 中西:ナカニシ 服部:ハットリ 樋口:ヒグチ 福島:フクシマ 川上:カワカミ "
        "永井:ナガイ 松岡:マツオカ 田口:タグチ 山中:ヤマナカ 森本:モリモト 土屋:ツチヤ 矢野:ヤノ "
        "広瀬:ヒロセ 秋山:アキヤマ 石原:イシハラ 松下:マツシタ 大橋:オオハシ 浅野:アサノ 荒木:アラキ "
        "大久保:オオクボ 野田:ノダ 小沢:オザワ 田辺:タナベ 星野:ホシノ 黒田:クロダ 堀:ホリ 尾崎:オザキ "
        "望月:モチヅキ 永田:ナガタ 熊谷:クマガイ 内藤:ナイトウ 西山:ニシヤマ 大谷:オオタニ 平井:ヒライ "
        "大島:オオシマ 岩本:イワモト 片山:カタヤマ 早川:ハヤカワ 広島:ヒロシマ 滝沢:タキザワ 栄:サカエ "
        "恵比寿:エビス 宝:タカラ 徳島:トクシマ 国際:コクサイ 会津:アイヅ 竜王:リュウオウ 長沢:ナガサワ "
        "高崎:タカサキ 芸備:ゲイビ 黒沢:クロサワ 北斗:ホクト 白鳥:シラトリ 朝日:アサヒ 日東:ニットウ "
        "日立:ヒタチ 東亜:トウア 大東:ダイトウ 三協:サンキョウ 三共:サンキョウ 第一:ダイイチ "
        "東海:トウカイ 北陸:ホクリク 山陽:サンヨウ アルファ:アルファ サンライズ:サンライズ エース:エース "
        "ミツワ:ミツワ"
    )
)
# (kanji, reading) — business-type suffixes; changing one makes a different company.
_TYPES: tuple[tuple[str, str], ...] = tuple(
    tuple(p.split(":"))  # type: ignore[misc]  # every word list entry is 'kanji:reading'
    for p in _words(
        "商事:ショウジ 商店:ショウテン 商会:ショウカイ 産業:サンギョウ 工業:コウギョウ 鋼材:コウザイ "
        "鋼業:コウギョウ 物産:ブッサン 製作所:セイサクショ 電機:デンキ 電気:デンキ 建設:ケンセツ "
        "工務店:コウムテン 精工:セイコウ 精機:セイキ 機械:キカイ 化学:カガク 化成:カセイ 薬品:ヤクヒン "
        "食品:ショクヒン 紙業:シギョウ 硝子:ガラス 塗料:トリョウ 資材:シザイ 運輸:ウンユ 運送:ウンソウ "
        "物流:ブツリュウ 倉庫:ソウコ 印刷:インサツ 繊維:センイ 金属:キンゾク 鉄工所:テッコウショ "
        "興業:コウギョウ 通商:ツウショウ 開発:カイハツ 設備:セツビ 電子:デンシ 技研:ギケン 水産:スイサン "
        "不動産:フドウサン"
    )
)
_MIDDLES: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("", ""),
    ("", ""),
    ("精密", "セイミツ"),
    ("総合", "ソウゴウ"),
    ("テクノ", "テクノ"),
    ("産機", "サンキ"),
    ("機材", "キザイ"),
    ("重機", "ジュウキ"),
    ("特殊", "トクシュ"),
    ("製鋼", "セイコウ"),
    ("ハウス", "ハウス"),
    ("メディカル", "メディカル"),
    ("ケミカル", "ケミカル"),
    ("電設", "デンセツ"),
    ("住設", "ジュウセツ"),
    ("環境", "カンキョウ"),
    ("空調", "クウチョウ"),
    ("冷機", "レイキ"),
    ("医科", "イカ"),
)
# (prefecture, phone area code, first postal digits, cities)
_PREFS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("北海道", "011", "0", ("札幌市中央区", "札幌市北区", "旭川市", "函館市")),
    ("宮城県", "022", "98", ("仙台市青葉区", "仙台市宮城野区", "石巻市")),
    ("福島県", "024", "96", ("郡山市", "福島市", "いわき市")),
    ("埼玉県", "048", "33", ("さいたま市大宮区", "川口市", "川越市", "所沢市")),
    ("千葉県", "043", "26", ("千葉市中央区", "船橋市", "柏市", "市川市")),
    ("東京都", "03", "1", ("千代田区", "中央区", "港区", "大田区", "品川区", "江東区", "足立区")),
    ("神奈川県", "045", "2", ("横浜市西区", "横浜市港北区", "川崎市川崎区", "相模原市中央区")),
    ("新潟県", "025", "95", ("新潟市中央区", "長岡市", "三条市")),
    ("石川県", "076", "92", ("金沢市", "小松市", "白山市")),
    ("長野県", "026", "38", ("長野市", "松本市", "上田市")),
    ("静岡県", "054", "42", ("静岡市葵区", "浜松市中区", "沼津市", "富士市")),
    ("愛知県", "052", "4", ("名古屋市中区", "名古屋市熱田区", "豊田市", "岡崎市", "一宮市")),
    ("京都府", "075", "60", ("京都市下京区", "京都市南区", "宇治市")),
    ("大阪府", "06", "5", ("大阪市北区", "大阪市西区", "東大阪市", "堺市堺区", "吹田市")),
    ("兵庫県", "078", "65", ("神戸市中央区", "姫路市", "尼崎市", "西宮市")),
    ("岡山県", "086", "70", ("岡山市北区", "倉敷市", "津山市")),
    ("広島県", "082", "73", ("広島市中区", "福山市", "呉市")),
    ("香川県", "087", "76", ("高松市", "丸亀市")),
    ("福岡県", "092", "81", ("福岡市博多区", "北九州市小倉北区", "久留米市")),
    ("熊本県", "096", "86", ("熊本市中央区", "八代市")),
)
# How often each form appears (percent), in the order of names.KAISHA_FORMS.
_LEGAL_FORMS = tuple(zip(KAISHA_FORMS, (70, 18, 8, 2, 2), strict=True))
_ABBREV = {
    "株式会社": ("(株)", "㈱", "（株）", "(株) ", "㈱ ", "（株） "),
    "有限会社": ("(有)", "㈲", "（有）", "(有) "),
    "合同会社": ("(同)", "（同）"),
    "合資会社": ("(資)", "（資）"),
    "合名会社": ("(名)", "（名）"),
}
_ENGLISH = {
    "株式会社": (" Co., Ltd.", " Co.,Ltd.", " CO., LTD.", " Inc.", " K.K.", " KK", " Corp.", " Corporation"),
    "有限会社": (" Co., Ltd.", " Ltd.", " Co.,Ltd."),
    "合同会社": (" LLC", " G.K.", " L.L.C."),
    "合資会社": (" Co., Ltd.",),
    "合名会社": (" Co., Ltd.",),
}
_KANA_FORMS = {
    "株式会社": ("カブシキガイシャ", "カブシキカイシャ"),
    "有限会社": ("ユウゲンガイシャ",),
    "合同会社": ("ゴウドウガイシャ",),
    "合資会社": ("ゴウシガイシャ",),
    "合名会社": ("ゴウメイガイシャ",),
}
_BRANCHES = (
    " 名古屋営業所",
    "　名古屋営業所",
    " 大阪支店",
    "　大阪支店",
    "（東京本社）",
    " 本社",
    " 本店",
    "名古屋支店",
    "大阪営業所",
    " 横須賀出張所",
    " 仙台工場",
    " 九州支社",
    " 物流センター",
    " 技術センター",
    "(福岡営業所)",
    " 営業部",
    " 東日本事業所",
)
_FREE_MAIL = ("gmail.com", "yahoo.co.jp", "outlook.jp", "hotmail.com", "icloud.com", "docomo.ne.jp")
_PEOPLE = ("佐藤 健", "鈴木 一郎", "高橋 美咲", "田中 大輔", "伊藤 真理", "山本 花子", "渡辺 翔", "中村 彩")
_EVENTS = ("展示会2026春", "セミナー10月", "Webフォーム", "名刺交換", "資料請求")
_NEW_TO_OLD = {}
for _old, _new in OLD_TO_NEW_KANJI.items():
    _NEW_TO_OLD.setdefault(_new, _old)
_KANJI_POOL = tuple(
    sorted({ch for stem, _ in _STEMS for ch in stem if "\u4e00" <= ch <= "\u9fff"} - set(_NEW_TO_OLD))
)
_ROMAJI: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class LabelledLead:
    """A generated lead, its truth (customer code or "") and the variant that produced it."""

    lead: Lead
    truth: str
    kind: str


@dataclass(frozen=True, slots=True)
class _Parts:
    stem: str
    stem_kana: str
    middle: str
    middle_kana: str
    btype: str
    btype_kana: str
    legal_form: str
    prefix: bool

    @property
    def core(self) -> str:
        return self.stem + self.middle + self.btype

    @property
    def kana(self) -> str:
        return self.stem_kana + self.middle_kana + self.btype_kana

    def name(self) -> str:
        return self.legal_form + self.core if self.prefix else self.core + self.legal_form


def _romaji(kana: str) -> str:
    if kana not in _ROMAJI:
        _ROMAJI[kana] = "".join(ch for ch in jaconv.kata2alphabet(kana) if ch.isalnum()) or "co"
    return _ROMAJI[kana]


def _pick_legal_form(rng: random.Random) -> str:
    return rng.choices([f for f, _ in _LEGAL_FORMS], weights=[w for _, w in _LEGAL_FORMS])[0]


def _contact(rng: random.Random, pref_i: int) -> tuple[str, str, str, str]:
    pref, area, postal_head, cities = _PREFS[pref_i]
    postal = postal_head + "".join(rng.choice("0123456789") for _ in range(7 - len(postal_head)))
    phone = f"{area}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    address = f"{pref}{rng.choice(cities)}{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    return pref, f"{postal[:3]}-{postal[3:]}", phone, address


def generate_customers(n: int, seed: int = 0) -> list[CustomerRecord]:
    """`n` realistic customer-master records; names are unique where the name space allows."""
    rng = random.Random(seed)
    records: list[CustomerRecord] = []
    seen: set[str] = set()
    domains: set[str] = set()
    for i in range(n):
        for _attempt in range(30):
            stem, stem_kana = rng.choice(_STEMS)
            middle, middle_kana = rng.choice(_MIDDLES)
            btype, btype_kana = rng.choice(_TYPES)
            core = stem + middle + btype
            if core not in seen:
                break
        seen.add(core)
        form = _pick_legal_form(rng)
        name = form + core if rng.random() < 0.6 else core + form
        pref_i = rng.randrange(len(_PREFS))
        pref, postal, phone, address = _contact(rng, pref_i)
        domain = f"{_romaji(stem_kana)}{rng.randint(1, 9999)}.example.jp"
        while domain in domains:
            domain = f"{_romaji(stem_kana)}{rng.randint(1, 99999)}.example.jp"
        domains.add(domain)
        records.append(
            CustomerRecord(
                code=f"G{seed % 100:02d}{i:07d}",
                name=name,
                name_kana=stem_kana + middle_kana + btype_kana,
                prefecture=pref,
                postal_code=postal,
                address=address,
                phone=phone,
                domain=domain,
            )
        )
    return records


def _parts_of(c: CustomerRecord) -> _Parts | None:
    """Recover the generator's parts from a record (works for the shared sample too)."""
    norm = normalize_company(c.name)
    core = c.name
    form = ""
    for f in _ABBREV:
        if f in c.name:
            form = f
            core = c.name.replace(f, "")
    if not core or norm.is_kana:
        return None
    for t, tk in sorted(_TYPES, key=lambda p: -len(p[0])):
        if core.endswith(t) and len(core) > len(t) and c.name_kana.endswith(tk):
            head, head_kana = core[: -len(t)], c.name_kana[: -len(tk)]
            for m, mk in _MIDDLES:
                if m and head.endswith(m) and head_kana.endswith(mk) and len(head) > len(m):
                    return _Parts(
                        head[: -len(m)], head_kana[: -len(mk)], m, mk, t, tk, form, c.name.startswith(form)
                    )
            return _Parts(head, head_kana, "", "", t, tk, form, bool(form) and c.name.startswith(form))
    return _Parts(core, c.name_kana, "", "", "", "", form, bool(form) and c.name.startswith(form))


def _to_old_kanji(text: str) -> str:
    return "".join(_NEW_TO_OLD.get(ch, ch) for ch in text)


def _stray_spaces(rng: random.Random, name: str) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return " " + name + "　"
    if choice == 1:
        return "　" + name
    if choice == 2:
        return name + " "
    return name.replace("会社", "会社 ", 1) if "会社" in name else " " + name


def _positive_name(rng: random.Random, p: _Parts, original: str) -> tuple[str, str]:
    """A spelling of the customer's name and the label of the variant."""
    form = p.legal_form
    roll = rng.random()
    core = p.core
    if rng.random() < 0.12 and any(ch in _NEW_TO_OLD for ch in core):
        core = _to_old_kanji(core)
        tag = "old-kanji+"
    else:
        tag = ""
    if roll < 0.10:
        name, kind = (original if not tag else (form + core if p.prefix else core + form)), "as-is"
    elif roll < 0.25:
        name, kind = core, "no-legal-form"
    elif roll < 0.42 and form:
        abbrev = rng.choice(_ABBREV[form])
        name, kind = (abbrev + core if rng.random() < 0.5 else core + abbrev.strip()), "abbreviated"
    elif roll < 0.52 and form:
        name, kind = (core + form if p.prefix else form + core), "moved"
    elif roll < 0.62 and form:
        name, kind = core + rng.choice(_ENGLISH[form]), "english"
    elif roll < 0.70:
        name, kind = (
            jaconv.h2z(core + (rng.choice(_ENGLISH[form]) if form else ""), ascii=True, digit=True),
            ("full-width"),
        )
    elif roll < 0.82 and p.kana:
        kana = p.kana
        if form and rng.random() < 0.3:
            kana = rng.choice(_KANA_FORMS[form]) + kana
        style = rng.randrange(3)
        if style == 0:
            kana = jaconv.z2h(kana, kana=True, ascii=False, digit=False)
        elif style == 1:
            kana = jaconv.kata2hira(kana)
        name, kind, tag = kana, "kana", ""
    else:
        name, kind = (form + core if p.prefix else core + form), "spaced"
        name = _stray_spaces(rng, name)
    if kind != "kana" and rng.random() < 0.25:
        branch = rng.choice(_BRANCHES)
        name, kind = name.rstrip() + branch, kind + "+branch"
    if kind in ("as-is", "abbreviated", "moved") and rng.random() < 0.3:
        name = _stray_spaces(rng, name)
    return name, tag + kind


def _evidence(rng: random.Random, c: CustomerRecord, kind: str) -> dict[str, str]:
    """Contact fields that corroborate the customer (or nothing, like a bare business card)."""
    out: dict[str, str] = {}
    roll = rng.random()
    none_share = 0.10 if kind.endswith("kana") else 0.25
    if roll < none_share:
        if rng.random() < 0.5:
            out["email"] = f"user{rng.randint(1, 999)}@{rng.choice(_FREE_MAIL)}"
        return out
    if rng.random() < 0.6:
        out["email"] = f"user{rng.randint(1, 999)}@{c.domain}"
    elif rng.random() < 0.3:
        out["email"] = f"user{rng.randint(1, 999)}@{rng.choice(_FREE_MAIL)}"
    if rng.random() < 0.45:
        out["phone"] = c.phone
    elif rng.random() < 0.2:
        out["phone"] = f"090-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    if rng.random() < 0.4:
        out["postal_code"] = c.postal_code
        if rng.random() < 0.6:
            out["address"] = c.address
    corroborated = (
        out.get("phone") == c.phone or "postal_code" in out or out.get("email", "").endswith("@" + c.domain)
    )
    if not corroborated:
        out["email"] = f"info@{c.domain}"
    return out


def _other_contact(rng: random.Random, avoid_pref: str) -> dict[str, str]:
    pref_i = rng.randrange(len(_PREFS))
    if _PREFS[pref_i][0] == avoid_pref:
        pref_i = (pref_i + 1) % len(_PREFS)
    _pref, postal, phone, address = _contact(rng, pref_i)
    out = {"email": f"info@n{rng.randint(1, 10**6)}.example.net"}
    if rng.random() < 0.6:
        out["phone"] = phone
    if rng.random() < 0.6:
        out["postal_code"] = postal
        out["address"] = address
    return out


def _lookalike(
    rng: random.Random, c: CustomerRecord, p: _Parts, keys: set[str]
) -> tuple[str, dict[str, str], str] | None:
    """A non-customer whose name resembles customer `c`, with its own contact data."""
    roll = rng.random()
    form = p.legal_form or "株式会社"
    if roll < 0.40 and p.btype:
        for _ in range(6):
            t, tk = rng.choice(_TYPES)
            core = p.stem + p.middle + t
            if t == p.btype or normalize_company(core).key in keys:
                continue
            name = form + core if rng.random() < 0.5 else core
            kana = p.stem_kana + p.middle_kana + tk
            if tk != p.btype_kana and rng.random() < 0.15 and kana not in keys:
                name = kana
            return name, _other_contact(rng, ""), "other-type"
        return None
    if roll < 0.70:
        kanji_pos = [i for i, ch in enumerate(p.stem) if "\u4e00" <= ch <= "\u9fff"]
        if not kanji_pos:
            return None
        for _ in range(6):
            i = rng.choice(kanji_pos)
            stem = p.stem[:i] + rng.choice(_KANJI_POOL) + p.stem[i + 1 :]
            core = stem + p.middle + p.btype
            if normalize_company(core).key not in keys and stem != p.stem:
                return (form + core if rng.random() < 0.5 else core), _other_contact(rng, ""), "other-kanji"
        return None
    if roll < 0.85:
        # Same name, other prefecture, none of the customer's contact data.
        contact = _other_contact(rng, c.prefecture)
        contact.setdefault("address", "")
        if not contact["address"]:
            pref, postal, phone, address = _contact(
                rng, next(i for i, pr in enumerate(_PREFS) if pr[0] != c.prefecture)
            )
            contact.update(postal_code=postal, address=address)
        name = form + p.core if rng.random() < 0.5 else p.core
        return name, contact, "same-name-other-prefecture"
    # A group company on the customer's domain: same core, another business type.
    for _ in range(6):
        t, tk = rng.choice(_TYPES)
        core = p.stem + p.middle + t
        if t != p.btype and tk != p.btype_kana and normalize_company(core).key not in keys:
            return form + core, {"email": f"user{rng.randint(1, 999)}@{c.domain}"}, "group-company-domain"
    return None


def _unrelated(rng: random.Random, keys: set[str]) -> tuple[str, dict[str, str], str] | None:
    for _ in range(10):
        stem, _sk = rng.choice(_STEMS)
        middle, _mk = rng.choice(_MIDDLES)
        t, _tk = rng.choice(_TYPES)
        core = stem + middle + t
        if normalize_company(core).key not in keys:
            return (
                rng.choice(("株式会社", "(株)", "", "有限会社")) + core,
                _other_contact(rng, ""),
                "unrelated",
            )
    return None


def generate_leads(
    customers: Sequence[CustomerRecord], n: int, seed: int = 0, positive_share: float = 0.7
) -> list[LabelledLead]:
    """`n` labelled leads: name variants of `customers` (truth = code) and look-alikes (truth "")."""
    rng = random.Random(seed)
    # Names (and readings) that belong to some customer: a look-alike must use none of them.
    keys = {normalize_company(c.name).key for c in customers}
    keys |= {fold_kana(normalize_company(c.name_kana).key) for c in customers if c.name_kana}
    parts_cache: dict[str, _Parts | None] = {}
    out: list[LabelledLead] = []
    while len(out) < n:
        c = customers[rng.randrange(len(customers))]
        if c.code not in parts_cache:
            parts_cache[c.code] = _parts_of(c)
        p = parts_cache[c.code]
        if p is None:
            continue
        person = rng.choice(_PEOPLE)
        event = rng.choice(_EVENTS)
        if rng.random() < positive_share:
            name, kind = _positive_name(rng, p, c.name)
            fields = _evidence(rng, c, kind)
            out.append(
                LabelledLead(Lead(company_name=name, person_name=person, event=event, **fields), c.code, kind)
            )
            continue
        made = _lookalike(rng, c, p, keys) if rng.random() < 0.8 else _unrelated(rng, keys)
        if made is None:
            continue
        name, fields, kind = made
        out.append(LabelledLead(Lead(company_name=name, person_name=person, event=event, **fields), "", kind))
    return out


# How envelopes, business cards and exhibition lists address a company.
_HONORIFICS = _words("御中 様 殿 ご担当者様 御担当者様 各位")


def _card_kana(rng: random.Random, kana: str) -> str:
    """A reading as a visitor writes it: half-width, hiragana or katakana, sometimes spaced."""
    if len(kana) > 3 and rng.random() < 0.3:
        cut = rng.randrange(2, len(kana) - 1)
        kana = kana[:cut] + rng.choice((" ", "　")) + kana[cut:]
    style = rng.randrange(3)
    if style == 0:
        kana = jaconv.z2h(kana, kana=True, ascii=False, digit=False)
    elif style == 1:
        kana = jaconv.kata2hira(kana)
    return kana


def generate_card_leads(
    customers: Sequence[CustomerRecord], n: int, seed: int = 0, kana_share: float = 0.2
) -> list[LabelledLead]:
    """`n` labelled leads written the way business-card and exhibition lists write them.

    On top of `generate_leads` (same truths and look-alikes): half of all names, look-alikes
    included, carry an honorific (御中, 様, 殿, ご担当者様 …, with or without a space), and
    `kana_share` of the positives become the bare reading (half-width, hiragana or katakana,
    sometimes spaced) with no contact data but, at most, a free-mail address.
    """
    rng = random.Random(seed * 7919 + 1)
    by_code = {c.code: c for c in customers}
    out: list[LabelledLead] = []
    for item in generate_leads(customers, n, seed):
        lead, kind = item.lead, item.kind
        if item.truth and by_code[item.truth].name_kana and rng.random() < kana_share:
            fields = (
                {"email": f"user{rng.randint(1, 999)}@{rng.choice(_FREE_MAIL)}"} if rng.random() < 0.3 else {}
            )
            lead = Lead(
                company_name=_card_kana(rng, by_code[item.truth].name_kana),
                person_name=lead.person_name,
                event=lead.event,
                **fields,
            )
            kind = "card-kana"
        if rng.random() < 0.5:
            space = rng.choice(("", " ", "　"))
            lead = replace(lead, company_name=lead.company_name.rstrip() + space + rng.choice(_HONORIFICS))
            kind += "+honorific"
        out.append(LabelledLead(lead, item.truth, kind))
    return out
