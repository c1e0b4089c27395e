"""Pure normalisation of Japanese company names and contact fields (名寄せ), shared by customers and crm.

No Django here: the matcher, the generator and the benchmark use this module directly, and its
behaviour is pinned by table tests. Every function is deterministic and side-effect free.

The normalised *key* is the comparable core of a company name: legal form (株式会社, (株), K.K. …)
and branch/office suffix (名古屋営業所, 本社 …) removed, width/case/spaces/punctuation folded, old
kanji mapped to their modern forms and hiragana turned into katakana.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "BUSINESS_TYPES",
    "FREE_MAIL_DOMAINS",
    "KAISHA_FORMS",
    "NormalizedName",
    "OLD_TO_NEW_KANJI",
    "fold_kana",
    "full_address",
    "is_free_mail_domain",
    "is_kana_text",
    "is_mobile_phone",
    "normalize_address",
    "normalize_company",
    "normalize_domain",
    "normalize_kana",
    "normalize_phone",
    "normalize_postal",
    "prefecture_of",
    "split_business_type",
]


def _words(text: str) -> tuple[str, ...]:
    """Whitespace-separated table → tuple (keeps long word tables readable)."""
    return tuple(text.split())


# --------------------------------------------------------------------------------------------
# Old (旧字体) and variant (異体字) kanji → modern form. An explicit table rather than the
# ja-itaiji package: that package gives non-transitive "families" that also join unrelated
# characters (e.g. 靄/謁) and simplified Chinese forms, which would merge different companies.
# Mapping is applied to both sides of a comparison, so over-merging is the only risk; pairs
# that are distinct characters in company names (斉/斎, 沢/澤 are fine; 斉 is left alone) are
# deliberately absent.
# --------------------------------------------------------------------------------------------
_OLD_NEW_PAIRS = (
    "國国 圀国 澤沢 齋斎 齊斎 髙高 﨑崎 嵜崎 𥔎崎 邊辺 邉辺 櫻桜 廣広 濱浜 濵浜 藝芸 鐵鉄 銕鉄 會会 與与 "
    "榮栄 惠恵 龍竜 瀧滝 寶宝 莊荘 硏研 德徳 壽寿 眞真 實実 顯顕 讀読 圓円 條条 學学 舊旧 萬万 黑黒 "
    "澁渋 淺浅 淸清 靑青 冨富 峯峰 嶋島 嶌島 埜野 邨村 檜桧 舘館 驛駅 關関 縣県 廳庁 營営 產産 藥薬 "
    "醫医 發発 團団 處処 戰戦 總総 增増 從従 爭争 鑛鉱 礦鉱 鑄鋳 觀観 經経 勞労 勵励 歐欧 氣気 瀨瀬 "
    "灣湾 爲為 狹狭 獨独 當当 盡尽 禮礼 稻稲 穗穂 竝並 粹粋 絲糸 綠緑 繩縄 聲声 肅粛 臺台 舍舎 藏蔵 "
    "號号 螢蛍 衞衛 裝装 變変 豐豊 賣売 輕軽 辨弁 辯弁 瓣弁 遞逓 鄕郷 醉酔 釀醸 錢銭 鎭鎮 陷陥 隨随 "
    "險険 雙双 靜静 齒歯 龜亀 樂楽 將将 晝昼 曉暁 棧桟 檢検 權権 歸帰 殘残 滿満 濕湿 燈灯 爐炉 犧犠 "
    "狀状 畫画 畵画 盜盜 祕秘 稅税 纖繊 缺欠 蟲虫 證証 譯訳 讓譲 豫予 貳弐 轉転 辭辞 錄録 鷄鶏 雞鶏 "
    "黨党 齡齢 圍囲 圖図 壓圧 壹壱 壯壮 奧奥 孃嬢 寫写 寬寛 專専 對対 尙尚 屬属 峽峡 巖巌 巢巣 帶帯 "
    "廢廃 彈弾 徑径 恆恒 惡悪 應応 戀恋 戲戯 拜拝 拂払 擇択 擔担 據拠 擴拡 攝摂 收収 效効 敍叙 數数 "
    "斷断 晉晋 曾曽 槪概 樣様 橫横 步歩 歷歴 每毎 沒没 淨浄 淚涙 溪渓 溫温 滯滞 潛潜 濟済 燒焼 獵猟 "
    "甁瓶 疊畳 碎砕 禪禅 禱祷 穩穏 絕絶 緖緒 縱縦 繪絵 繼継 續続 聽聴 脫脱 腦脳 臟臓 虛虚 蠶蚕 覺覚 "
    "覽覧 觸触 譽誉 賴頼 贊賛 踐践 遲遅 遙遥 釋釈 隱隠 雜雑 靈霊 頰頬 驗験 髮髪 鬪闘 鷗鴎 麥麦 黃黄 "
    "點点 栁柳 槗橋 𠮷吉 槇槙 渕淵 嶽岳 舩船 邨村 兒児 乘乗 亞亜 佛仏 僞偽 傳伝 價価 儉倹 兩両 冰氷 "
    "劍剣 勳勲 勸勧 區区 卷巻 卽即 參参 雙双 嚴厳 囑嘱 壞壊 壤壌 奬奨 寢寝 寶宝 廣広 彌弥 徵徴 恒恒"
)
OLD_TO_NEW_KANJI: dict[str, str] = {
    pair[0]: pair[1] for pair in _OLD_NEW_PAIRS.split() if len(pair) == 2 and pair[0] != pair[1]
}

# Hiragana → katakana (ぁ..ゖ → ァ..ヶ), plus the two iteration marks.
_HIRA_TO_KATA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)} | {0x309D: 0x30FD, 0x309E: 0x30FE}
# Small kana → large, and ヂ/ヅ → ジ/ズ: ERP kana fields are often written without small kana.
_KANA_FOLD = str.maketrans(
    "ァィゥェォッャュョヮヵヶヂヅ",
    "アイウエオツヤユヨワカケジズ",
)
_KANJI_TABLE = str.maketrans(OLD_TO_NEW_KANJI)
_TRANSLATE: dict[int, int | str] = {**_HIRA_TO_KATA, **{ord(k): v for k, v in OLD_TO_NEW_KANJI.items()}}

_DASHES = "-‐‑‒–—―−﹣－ｰ"
_KATA_DASH_RE = re.compile(rf"(?<=[ァ-ヶ])[{re.escape(_DASHES)}]")
_SPACE_RE = re.compile(r"\s+")
# Honorifics after a company name on envelopes, business cards and exhibition lists (御中, 様, 殿,
# ご担当者様, 各位): they address the reader and are no part of the name. Matched on folded text
# (ご→ゴ, さま→サマ); 殿 not after 御 (御殿場), サマ only as a word of its own.
_HONORIFIC_RE = re.compile(r"(?:\s*(?:(?:ゴ|御)?担当者?(?:様|サマ)|御中|各位|(?<!御)殿|様|\sサマ))+\s*$")
# Everything that is not a letter or digit (ー, 々 and 〆 count as letters: str.isalnum()).
_NON_KEY_RE = re.compile(r"[\W_]+")

# --------------------------------------------------------------------------------------------
# Legal forms. Each alternative maps to a canonical label; English labels stay English because
# "Co., Ltd." may stand for 株式会社 or 有限会社 (see LEGAL_FORM_JA).
# --------------------------------------------------------------------------------------------
_JA_FORMS: tuple[tuple[str, str], ...] = (
    (r"特定非営利活動法人|npo法人", "特定非営利活動法人"),
    (r"一般社団法人|\(一社\)", "一般社団法人"),
    (r"一般財団法人|\(一財\)", "一般財団法人"),
    (r"公益社団法人|\(公社\)", "公益社団法人"),
    (r"公益財団法人|\(公財\)", "公益財団法人"),
    (r"社会福祉法人|\(福\)", "社会福祉法人"),
    (r"医療法人社団|医療法人財団|医療法人|\(医\)", "医療法人"),
    (r"学校法人|\(学\)", "学校法人"),
    (r"協同組合", "協同組合"),
    (r"株式会社|\(株\)|カブシキガイシャ|カブシキカイシャ|\(カ\)|^カ\)|\(カ$", "株式会社"),
    (r"有限会社|\(有\)|ユウゲンガイシャ|ユウゲンカイシャ|\(ユ\)|^ユ\)|\(ユ$", "有限会社"),
    (r"合同会社|\(同\)|ゴウドウガイシャ|ゴウドウカイシャ|\(ド\)|^ド\)|\(ド$", "合同会社"),
    (r"合資会社|\(資\)|ゴウシガイシャ|ゴウシカイシャ|\(シ\)|^シ\)", "合資会社"),
    (r"合名会社|\(名\)|ゴウメイガイシャ|ゴウメイカイシャ|\(メ\)|^メ\)", "合名会社"),
)
_EN_FORMS: tuple[tuple[str, str], ...] = (
    (r"co\s*\.?\s*,?\s*ltd\.?|company\s+limited", "Co., Ltd."),
    (r"kabushiki\s+kaisha|k\s*\.\s*k\s*\.?|kk", "K.K."),
    (r"godo\s+kaisha|g\s*\.\s*k\s*\.?|gk", "G.K."),
    (r"l\s*\.?\s*l\s*\.?\s*c\s*\.?", "LLC"),
    (r"incorporated|inc\s*\.?", "Inc."),
    (r"corporation|corp\s*\.?", "Corp."),
    (r"limited|ltd\s*\.?", "Ltd."),
)
# The Japanese company forms (会社法), most common first: the one list the demo data and the bench
# lead generator draw from.
KAISHA_FORMS: tuple[str, ...] = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社")
# Japanese equivalent of each canonical label, used to decide whether two forms conflict.
LEGAL_FORM_JA: dict[str, str | None] = {
    "K.K.": "株式会社",
    "G.K.": "合同会社",
    "LLC": "合同会社",
    "Co., Ltd.": None,
    "Inc.": None,
    "Corp.": None,
    "Ltd.": None,
}
_JA_FORM_RE = re.compile("|".join(f"(?P<j{i}>{pat})" for i, (pat, _) in enumerate(_JA_FORMS)))
_EN_FORM_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(f"(?P<e{i}>{pat})" for i, (pat, _) in enumerate(_EN_FORMS))
    + r")(?![a-z0-9])"
)
# A trailing lone "co." / "co" ("Sunrise Trading Co.") is a legal form only at the very end.
_EN_TRAILING_CO_RE = re.compile(r"(?<![a-z0-9])co\s*\.?\s*$")

# --------------------------------------------------------------------------------------------
# Branch / office suffixes. With a separator (space or brackets) any token ending in one of these
# is a branch; glued to the name it needs a known place name in front, so that a company really
# named "…センター" keeps its name.
# --------------------------------------------------------------------------------------------
_BRANCH_SUFFIXES = (
    "営業本部|営業所|出張所|事業所|事業部|支店|支社|本社|本店|工場|センター|営業部|オフィス|"
    "研究所|物流センター|配送センター|店"
)
_DEPT_SUFFIXES = r"部|課|室"
_PLACES = (
    "北海道|青森|岩手|宮城|秋田|山形|福島|茨城|栃木|群馬|埼玉|千葉|東京|神奈川|新潟|富山|石川|福井|山梨|"
    "長野|岐阜|静岡|愛知|三重|滋賀|京都|大阪|兵庫|奈良|和歌山|鳥取|島根|岡山|広島|山口|徳島|香川|愛媛|"
    "高知|福岡|佐賀|長崎|熊本|大分|宮崎|鹿児島|沖縄|札幌|仙台|盛岡|郡山|いわき|水戸|宇都宮|前橋|高崎|"
    "大宮|浦和|さいたま|川口|所沢|柏|船橋|横浜|川崎|相模原|厚木|藤沢|甲府|松本|金沢|浜松|沼津|名古屋|"
    "豊田|豊橋|岡崎|四日市|津|大津|堺|東大阪|神戸|姫路|尼崎|北九州|小倉|博多|那覇|松山|高松|岐阜|"
    "東日本|西日本|東北|北関東|関東|首都圏|北陸|甲信越|信越|東海|中部|関西|近畿|中国|四国|九州|"
    "城南|城北|城東|城西|湾岸|新宿|渋谷|品川|池袋|上野|銀座|日本橋|丸の内|梅田|難波|天神|栄|"
    "東|西|南|北|中央"
).translate(_HIRA_TO_KATA)
_BRANCH_TOKEN_RE = re.compile(rf"^.{{0,12}}(?:{_BRANCH_SUFFIXES}|{_DEPT_SUFFIXES})$")
_BRANCH_GLUED_RE = re.compile(rf"^(?P<name>.{{2,}}?)(?P<branch>(?:{_PLACES})(?:{_BRANCH_SUFFIXES}))$")
_HEAD_OFFICE_GLUED_RE = re.compile(r"^(?P<name>.{2,}?)(?P<branch>本社|本店)$")
_EN_BRANCH_WORDS = {"branch", "office", "factory", "plant", "headquarters", "hq"}
_PAREN_RE = re.compile(r"\(([^()]*)\)")
_KANA_ONLY_RE = re.compile(r"^[ァ-ヶー]+$")

# --------------------------------------------------------------------------------------------
# Business-type suffixes (業種). Two names with the same core but a different suffix are
# different companies (山田商事 ≠ 山田商店); longest suffix wins. Groups are spellings of the
# same word that are not variants of each other as characters.
# --------------------------------------------------------------------------------------------
BUSINESS_TYPES: tuple[str, ...] = tuple(
    sorted(
        set(
            _words(
                "商事 商店 商会 商社 商工 商業 通商 貿易 交易 物産 産業 工業 興業 鋼材 鋼業 鋼管 製鋼 "
                "製作所 製作 鉄工所 鉄工 工業所 工作所 工務店 工務 建設 建工 建築 土木 設備 設計 住宅 "
                "不動産 開発 電機 電気 電工 電設 電業 電子 電装 精工 精機 精密 機械 機工 工機 器械 機器 "
                "化学 化成 化工 薬品 製薬 食品 製菓 製パン 製麺 水産 農産 酒造 醸造 紙業 製紙 紙工 硝子 "
                "ガラス 塗料 塗装 資材 運輸 運送 物流 倉庫 海運 汽船 交通 観光 印刷 繊維 被服 衣料 石油 "
                "燃料 瓦斯 ガス 自動車 車体 金属 合金 樹脂 ゴム 窯業 製陶 鉱業 技研 技術 研究所 情報 通信 "
                "システム システムズ ソフト サービス エンジニアリング テクノ ホールディングス 販売 総業 "
                "組 屋 堂 trading industries industry industrial manufacturing electric electronics "
                "engineering construction chemical chemicals pharmaceutical foods logistics systems shoji "
                "shoten shokai sangyo kogyo bussan seisakusho denki kensetsu"
            )
        ),
        key=len,
        reverse=True,
    )
)
_KANA_BUSINESS_TYPES: tuple[str, ...] = tuple(
    sorted(
        set(
            _words(
                "ショウジ ショウテン ショウカイ ショウシャ ショウコウ ツウショウ ボウエキ ブッサン "
                "サンギョウ コウギョウ コウザイ コウカン セイサクショ テッコウショ テッコウ コウムテン "
                "ケンセツ ケンチク セツビ ジュウタク フドウサン カイハツ デンキ デンコウ デンシ セイコウ "
                "セイキ セイミツ キカイ キコウ カガク カセイ ヤクヒン セイヤク ショクヒン セイカ スイサン "
                "シュゾウ シギョウ セイシ ガラス トリョウ トソウ シザイ ウンユ ウンソウ ブツリュウ ソウコ "
                "カイウン コウツウ カンコウ インサツ センイ セキユ ネンリョウ ガス ジドウシャ キンゾク "
                "ジュシ ゴム コウギョウショ ギケン ギジュツ ケンキュウショ ジョウホウ ツウシン システム "
                "システムズ ソフト サービス テクノ ホールディングス ハンバイ ソウギョウ"
            )
        ),
        key=len,
        reverse=True,
    )
)
# Spellings of one business word: 東京硝子 and 東京ガラス are the same company name.
_BUSINESS_TYPE_CANON = {"ガラス": "硝子", "瓦斯": "ガス", "システムズ": "システム"}


def _by_length(words: tuple[str, ...]) -> tuple[tuple[int, frozenset[str]], ...]:
    lengths = sorted({len(w) for w in words}, reverse=True)
    return tuple((n, frozenset(w for w in words if len(w) == n)) for n in lengths)


_TYPES_BY_LEN = _by_length(BUSINESS_TYPES)
_KANA_TYPES_BY_LEN = _by_length(_KANA_BUSINESS_TYPES)

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    _words(
        "gmail.com googlemail.com yahoo.co.jp yahoo.com ymail.ne.jp ybb.ne.jp outlook.jp outlook.com "
        "hotmail.com hotmail.co.jp live.jp live.com msn.com icloud.com me.com mac.com aol.com "
        "docomo.ne.jp ezweb.ne.jp au.com softbank.ne.jp i.softbank.jp disney.ne.jp ocn.ne.jp "
        "biglobe.ne.jp nifty.com so-net.ne.jp plala.or.jp dion.ne.jp auone-net.jp excite.co.jp "
        "infoseek.jp mail.com gmx.com gmx.net proton.me protonmail.com zoho.com"
    )
)

_PREFECTURES = _words(
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
)
_PREFECTURE_RE = re.compile("^(" + "|".join(_PREFECTURES) + ")")


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A company name split into what identifies the company and what does not.

    `key` is compared between leads and customers; `legal_form` and `branch` are kept because
    they are information (the branch becomes the lead's department), not identity.
    """

    key: str
    legal_form: str = ""
    branch: str = ""
    is_kana: bool = False

    @property
    def legal_form_ja(self) -> str | None:
        """Japanese legal form this one stands for, or None when unknown (e.g. "Co., Ltd.")."""
        if not self.legal_form:
            return None
        return LEGAL_FORM_JA.get(self.legal_form, self.legal_form)


def _base_fold(text: str) -> str:
    """NFKC, lower case, hiragana→katakana, old→new kanji, dashes after katakana → ー."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_TRANSLATE)
    return _KATA_DASH_RE.sub("ー", text)


def _clean_key(text: str) -> str:
    """Keep letters and digits (and ー, 々, 〆) only: spaces and punctuation carry no identity."""
    return _NON_KEY_RE.sub("", text)


def _strip_legal_forms(text: str) -> tuple[str, str]:
    """Remove every legal form (any position/spelling); return the text and the first form found."""
    found: list[tuple[int, str]] = []

    def _ja(m: re.Match[str]) -> str:
        found.append((m.start(), _JA_FORMS[int(m.lastgroup[1:])][1]))  # type: ignore[index]  # lastgroup is set: every alternative is a named group
        return " "

    def _en(m: re.Match[str]) -> str:
        found.append((m.start(), _EN_FORMS[int(m.lastgroup[1:])][1]))  # type: ignore[index]  # lastgroup is set: every alternative is a named group
        return " "

    text = _JA_FORM_RE.sub(_ja, text)
    text = _EN_FORM_RE.sub(_en, text)
    if _EN_TRAILING_CO_RE.search(text) and _clean_key(_EN_TRAILING_CO_RE.sub("", text)):
        found.append((len(text), "Co., Ltd."))
        text = _EN_TRAILING_CO_RE.sub(" ", text)
    # Japanese forms win over English ones when both are written (株式会社ABC / ABC Co., Ltd.).
    found.sort(key=lambda f: (f[1] in LEGAL_FORM_JA, f[0]))
    return text, (found[0][1] if found else "")


def _is_branch_token(token: str) -> bool:
    return bool(_BRANCH_TOKEN_RE.match(token)) and not _is_business_type_only(token)


def _is_business_type_only(token: str) -> bool:
    return any(token == t or token.endswith(t) for t in ("商店", "工務店", "研究所")) and not token.endswith(
        ("支店", "本店")
    )


def _split_branch(text: str) -> tuple[str, str]:
    """Split off branch/office/department parts; return (name text, branch)."""
    branches: list[str] = []

    def _paren(m: re.Match[str]) -> str:
        inner = _clean_key(m.group(1))
        if inner and (_is_branch_token(inner) or _BRANCH_GLUED_RE.match("xx" + inner)):
            branches.append(inner)
        # Anything else in brackets (a reading, 旧社名 …) is not part of the name.
        return " "

    if _clean_key(_PAREN_RE.sub("", text)):
        text = _PAREN_RE.sub(_paren, text)
    tokens = [_clean_key(t) for t in _SPACE_RE.split(text)]
    tokens = [t for t in tokens if t]
    tail: list[str] = []
    while len(tokens) >= 2:
        last = tokens[-1]
        if last in _EN_BRANCH_WORDS:
            tail.insert(0, last)
            tokens.pop()
            if tokens and tokens[-1] == "head" or len(tokens) >= 2:
                tail.insert(0, tokens.pop())
        elif _is_branch_token(last):
            tail.insert(0, tokens.pop())
        else:
            break
    name = "".join(tokens)
    if not tail:
        m = _BRANCH_GLUED_RE.match(name) or _HEAD_OFFICE_GLUED_RE.match(name)
        if m and not _is_business_type_only(m.group("branch")):
            name, tail = m.group("name"), [m.group("branch")]
    if tail:
        branches.append((" " if tail[0].isascii() else "").join(tail))
    return name, " ".join(branches)


def normalize_company(name: str) -> NormalizedName:
    """Normalise a company name so that spellings of one company compare equal.

    >>> normalize_company("㈱ 東邦工業　名古屋営業所")
    NormalizedName(key='東邦工業', legal_form='株式会社', branch='名古屋営業所', is_kana=False)
    """
    if not name:
        return NormalizedName("")
    text = _base_fold(name)
    if _clean_key(stripped := _HONORIFIC_RE.sub("", text)):
        text = stripped
    text, legal_form = _strip_legal_forms(text)
    key, branch = _split_branch(text)
    return NormalizedName(
        key=key,
        legal_form=legal_form,
        branch=branch,
        is_kana=bool(_KANA_ONLY_RE.match(key)),
    )


def split_business_type(key: str) -> tuple[str, str]:
    """Split a normalised key into (core, business type), e.g. 山田商事 → (山田, 商事).

    The type is canonicalised (ガラス → 硝子) so spellings of one word compare equal; the core
    keeps at least one character. The longest matching suffix wins.
    """
    tables = (_KANA_TYPES_BY_LEN,) if _KANA_ONLY_RE.match(key) else (_TYPES_BY_LEN, _KANA_TYPES_BY_LEN)
    for table in tables:  # a katakana type word may follow a kanji core (東京ガラス)
        for length, words in table:
            if len(key) > length and key[-length:] in words:
                t = key[-length:]
                return key[:-length], _BUSINESS_TYPE_CANON.get(t, t)
    return key, ""


def is_kana_text(text: str) -> bool:
    """True when the text is only kana (a reading), after normalisation."""
    return bool(_KANA_ONLY_RE.match(normalize_kana(text)))


def normalize_kana(text: str) -> str:
    """Full-width katakana reading: NFKC, hiragana→katakana, no spaces or middle dots."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_HIRA_TO_KATA)
    text = _KATA_DASH_RE.sub("ー", text)
    return "".join(ch for ch in text if ch == "ー" or unicodedata.category(ch)[0] in "LN")


def fold_kana(text: str) -> str:
    """Comparison form of a katakana reading: small kana → large, ヂ/ヅ → ジ/ズ."""
    return text.translate(_KANA_FOLD)


def normalize_phone(text: str) -> str:
    """Digits only, country code +81/0081 turned into a leading 0, extensions dropped."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.split(r"内線|ext\.?|#|x(?=\s*\d)", text, maxsplit=1, flags=re.IGNORECASE)[0]
    text = text.replace("(0)", "")
    international = text.startswith("+81") or text.startswith("0081")
    digits = re.sub(r"\D", "", text)
    if international:
        digits = digits[2:] if digits.startswith("81") else digits[4:]
        digits = digits if digits.startswith("0") else "0" + digits
    return digits


def is_mobile_phone(digits: str) -> bool:
    """Mobile numbers belong to a person, so a differing one says nothing about the company."""
    return digits.startswith(("070", "080", "090"))


def is_free_mail_domain(domain: str) -> bool:
    """Free-mail, carrier and ISP domains are shared by unrelated people: never evidence."""
    labels = domain.split(".")
    return any(".".join(labels[i:]) in FREE_MAIL_DOMAINS for i in range(len(labels) - 1))


def normalize_domain(email_or_url: str) -> str:
    """Company domain from an e-mail address or URL; "" for free-mail/carrier/ISP domains."""
    if not email_or_url:
        return ""
    text = unicodedata.normalize("NFKC", email_or_url).strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    else:
        text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
        text = re.split(r"[/?#]", text, maxsplit=1)[0]
        text = text.rsplit("@", 1)[-1]
    text = text.split(":", 1)[0].strip(" .>")
    text = text.removeprefix("www.")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", text) or is_free_mail_domain(text):
        return ""
    return text


def normalize_postal(text: str) -> str:
    """Seven-digit postal code (〒123-4567 → 1234567), or "" when it is not one."""
    if not text:
        return ""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    return digits if len(digits) == 7 else ""


def normalize_address(text: str) -> str:
    """Comparable address: NFKC, no spaces, 丁目/番地/番/号 and dash variants → "-"."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_KANJI_TABLE)
    text = re.sub(r"\s+", "", text)
    text = re.sub(rf"[{re.escape(_DASHES)}]", "-", text)
    text = re.sub(r"(?<=\d)(丁目|番地の?|番|の)(?=\d)", "-", text)
    text = re.sub(r"(?<=\d)(番地|番|号)$", "", text)
    return text.strip("-")


def prefecture_of(address: str) -> str:
    """Prefecture at the start of an address (東京都港区… → 東京都), or ""."""
    m = _PREFECTURE_RE.match(normalize_address(address))
    return m.group(1) if m else ""


def full_address(prefecture: str, address: str) -> str:
    """Prefecture and address as one line, the prefecture printed once.

    ERP and buyer addresses often repeat the prefecture (埼玉県 + 埼玉県さいたま市…); printing
    both gave "埼玉県埼玉県…" on checkout, the confirmation and the e-mail.
    """
    prefecture = (prefecture or "").strip()
    address = (address or "").strip()
    if not prefecture or unicodedata.normalize("NFKC", address).startswith(
        unicodedata.normalize("NFKC", prefecture)
    ):
        return address
    return prefecture + address
