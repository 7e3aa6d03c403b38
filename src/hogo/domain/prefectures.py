"""The 47 prefectures (都道府県) and the eight regions (地方), read out of a Japanese address.

An address is personal data; the prefecture alone is what statistics may show. Reading it
is not a substring search: 「東京都」 contains 「京都」, 「京都郡」 is in 福岡県, 「福島区」 is a
ward of 大阪市 and 「石川町」 a town of 福島県. So the prefecture is read only from the start
of the address (after a postal code or 「日本」), in full form first, then without its
suffix when what follows is not a ward, town, village or district name, then from the
twenty designated cities (政令指定都市), whose prefecture is never in doubt.
Addresses written in English (small to large, "…, Chiyoda-ku, Tokyo 100-0001") are read
from the last prefecture name they contain.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Prefecture:
    code: int
    """JIS X 0401 code, 1 (北海道) to 47 (沖縄県)."""
    name: str
    """Full name with its suffix: 東京都, 京都府, 北海道, 青森県…"""
    short: str
    """The name without its suffix: 東京, 京都, 北海道 (kept whole), 青森…"""
    en: str
    region: str


HOKKAIDO, TOHOKU, KANTO, CHUBU, KINKI, CHUGOKU, SHIKOKU, KYUSHU = (
    "北海道",
    "東北",
    "関東",
    "中部",
    "近畿",
    "中国",
    "四国",
    "九州・沖縄",
)

REGIONS_EN: dict[str, str] = {
    HOKKAIDO: "Hokkaido",
    TOHOKU: "Tohoku",
    KANTO: "Kanto",
    CHUBU: "Chubu",
    KINKI: "Kinki",
    CHUGOKU: "Chugoku",
    SHIKOKU: "Shikoku",
    KYUSHU: "Kyushu-Okinawa",
}
"""The eight-region division (八地方区分) used in school atlases and most statistics."""

_TABLE = (
    ("北海道", "Hokkaido", HOKKAIDO),
    ("青森県", "Aomori", TOHOKU),
    ("岩手県", "Iwate", TOHOKU),
    ("宮城県", "Miyagi", TOHOKU),
    ("秋田県", "Akita", TOHOKU),
    ("山形県", "Yamagata", TOHOKU),
    ("福島県", "Fukushima", TOHOKU),
    ("茨城県", "Ibaraki", KANTO),
    ("栃木県", "Tochigi", KANTO),
    ("群馬県", "Gunma", KANTO),
    ("埼玉県", "Saitama", KANTO),
    ("千葉県", "Chiba", KANTO),
    ("東京都", "Tokyo", KANTO),
    ("神奈川県", "Kanagawa", KANTO),
    ("新潟県", "Niigata", CHUBU),
    ("富山県", "Toyama", CHUBU),
    ("石川県", "Ishikawa", CHUBU),
    ("福井県", "Fukui", CHUBU),
    ("山梨県", "Yamanashi", CHUBU),
    ("長野県", "Nagano", CHUBU),
    ("岐阜県", "Gifu", CHUBU),
    ("静岡県", "Shizuoka", CHUBU),
    ("愛知県", "Aichi", CHUBU),
    ("三重県", "Mie", KINKI),
    ("滋賀県", "Shiga", KINKI),
    ("京都府", "Kyoto", KINKI),
    ("大阪府", "Osaka", KINKI),
    ("兵庫県", "Hyogo", KINKI),
    ("奈良県", "Nara", KINKI),
    ("和歌山県", "Wakayama", KINKI),
    ("鳥取県", "Tottori", CHUGOKU),
    ("島根県", "Shimane", CHUGOKU),
    ("岡山県", "Okayama", CHUGOKU),
    ("広島県", "Hiroshima", CHUGOKU),
    ("山口県", "Yamaguchi", CHUGOKU),
    ("徳島県", "Tokushima", SHIKOKU),
    ("香川県", "Kagawa", SHIKOKU),
    ("愛媛県", "Ehime", SHIKOKU),
    ("高知県", "Kochi", SHIKOKU),
    ("福岡県", "Fukuoka", KYUSHU),
    ("佐賀県", "Saga", KYUSHU),
    ("長崎県", "Nagasaki", KYUSHU),
    ("熊本県", "Kumamoto", KYUSHU),
    ("大分県", "Oita", KYUSHU),
    ("宮崎県", "Miyazaki", KYUSHU),
    ("鹿児島県", "Kagoshima", KYUSHU),
    ("沖縄県", "Okinawa", KYUSHU),
)

PREFECTURES: tuple[Prefecture, ...] = tuple(
    Prefecture(code, name, name if name == "北海道" else name[:-1], en, region)
    for code, (name, en, region) in enumerate(_TABLE, start=1)
)
BY_NAME: dict[str, Prefecture] = {p.name: p for p in PREFECTURES}

_DESIGNATED_CITIES = {
    "札幌市": "北海道",
    "仙台市": "宮城県",
    "さいたま市": "埼玉県",
    "千葉市": "千葉県",
    "横浜市": "神奈川県",
    "川崎市": "神奈川県",
    "相模原市": "神奈川県",
    "新潟市": "新潟県",
    "静岡市": "静岡県",
    "浜松市": "静岡県",
    "名古屋市": "愛知県",
    "京都市": "京都府",
    "大阪市": "大阪府",
    "堺市": "大阪府",
    "神戸市": "兵庫県",
    "岡山市": "岡山県",
    "広島市": "広島県",
    "北九州市": "福岡県",
    "福岡市": "福岡県",
    "熊本市": "熊本県",
}
"""政令指定都市 (Local Autonomy Act Art. 252-19): an address may start with one of them."""

_FULL = sorted(PREFECTURES, key=lambda p: -len(p.name))
_SHORT = sorted(PREFECTURES, key=lambda p: -len(p.short))
_NOT_AFTER_SHORT = ("町", "村", "区", "郡")
"""What may follow a bare prefecture-like name when it is in fact a smaller place:
福島区 (大阪市), 石川町 and 石川郡 (福島県), 京都郡 (福岡県), 神奈川区 (横浜市)."""

_LEAD = re.compile(r"^(?:〒?\d{3}-?\d{4})?(?:日本国|日本)?")
_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70]")
_SPACE = re.compile(r"\s+")

_ROMAJI = {p.en.lower(): p for p in PREFECTURES}
_WORD = re.compile(r"[a-z]+")


def _fold_latin(text: str) -> str:
    """Tōkyō → tokyo, Hyōgo → hyogo: the macrons of Hepburn romanisation dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def find_prefecture(address: str) -> Prefecture | None:
    """The prefecture an address is in, or None when the address does not say."""
    text = unicodedata.normalize("NFKC", address)
    text = _SPACE.sub("", _DASHES.sub("-", text))
    text = _LEAD.sub("", text, count=1)
    for pref in _FULL:
        if text.startswith(pref.name):
            return pref
    for pref in _SHORT:
        if text.startswith(pref.short):
            rest = text[len(pref.short) :]
            if not rest.startswith(_NOT_AFTER_SHORT):
                return pref
    for city, name in _DESIGNATED_CITIES.items():
        if text.startswith(city):
            return BY_NAME[name]
    found = None
    for word in _WORD.findall(_fold_latin(address)):
        found = _ROMAJI.get(word, found)
    return found
