"""Country names for ISO 3166-1 codes, as a Japanese and an English reader expect them.

Art. 28 requires the *name* of the foreign country, so a code alone ("US") is not enough
in a published policy. The list covers the countries where Japanese companies commonly
store data or have recipients; an unlisted code is printed as the code so that the
renderer never invents a name.
"""

from __future__ import annotations

from hogo.policy.schema import Lang

_NAMES: dict[str, tuple[str, str]] = {
    "JP": ("日本", "Japan"),
    "US": ("米国", "United States"),
    "GB": ("英国", "United Kingdom"),
    "IE": ("アイルランド", "Ireland"),
    "DE": ("ドイツ", "Germany"),
    "FR": ("フランス", "France"),
    "NL": ("オランダ", "Netherlands"),
    "BE": ("ベルギー", "Belgium"),
    "LU": ("ルクセンブルク", "Luxembourg"),
    "IT": ("イタリア", "Italy"),
    "ES": ("スペイン", "Spain"),
    "PT": ("ポルトガル", "Portugal"),
    "SE": ("スウェーデン", "Sweden"),
    "FI": ("フィンランド", "Finland"),
    "DK": ("デンマーク", "Denmark"),
    "NO": ("ノルウェー", "Norway"),
    "PL": ("ポーランド", "Poland"),
    "CH": ("スイス", "Switzerland"),
    "AT": ("オーストリア", "Austria"),
    "CA": ("カナダ", "Canada"),
    "MX": ("メキシコ", "Mexico"),
    "BR": ("ブラジル", "Brazil"),
    "AU": ("オーストラリア", "Australia"),
    "NZ": ("ニュージーランド", "New Zealand"),
    "CN": ("中華人民共和国", "People's Republic of China"),
    "HK": ("香港", "Hong Kong"),
    "TW": ("台湾", "Taiwan"),
    "KR": ("大韓民国", "Republic of Korea"),
    "SG": ("シンガポール", "Singapore"),
    "MY": ("マレーシア", "Malaysia"),
    "TH": ("タイ", "Thailand"),
    "VN": ("ベトナム", "Viet Nam"),
    "PH": ("フィリピン", "Philippines"),
    "ID": ("インドネシア", "Indonesia"),
    "IN": ("インド", "India"),
    "IL": ("イスラエル", "Israel"),
    "AE": ("アラブ首長国連邦", "United Arab Emirates"),
    "ZA": ("南アフリカ", "South Africa"),
}


def country_name(code: str, lang: Lang) -> str:
    names = _NAMES.get(code)
    if names is None:
        return code
    return names[0] if lang == "ja" else names[1]
