"""The fixed words of a rendered policy: section titles, names of enum values, dates, money.

Kept in Python rather than in the templates because several sections share them (a
request channel is named in the requests section and in the marketing opt-out) and
because tests and other callers (the console's table of contents) need the same titles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from hogo.policy.schema import Hours, Lang, Policy, ReceptionDays

TITLES: dict[Lang, dict[str, str]] = {
    "ja": {
        "general": "基本方針",
        "acquisition": "取得する情報と取得方法",
        "purposes": "利用目的",
        "third_party": "第三者への提供",
        "opt_out": "オプトアウトによる第三者提供",
        "entrustment": "取扱いの委託",
        "joint_use": "共同利用",
        "modules": "情報収集モジュール",
        "retention": "保存期間",
        "security": "安全管理措置",
        "requests": "開示等の請求",
        "statistics": "統計情報及び匿名加工情報",
        "leakage": "漏えい等が発生した場合の対応",
        "changes": "本方針の変更",
        "contact": "お問い合わせ窓口",
    },
    "en": {
        "general": "General Provisions",
        "acquisition": "Information We Acquire and How",
        "purposes": "Purposes of Use",
        "third_party": "Provision to Third Parties",
        "opt_out": "Provision to Third Parties by Opt-Out",
        "entrustment": "Entrustment of Handling",
        "joint_use": "Joint Use",
        "modules": "Information Collection Modules",
        "retention": "Retention Periods",
        "security": "Security Control Measures",
        "requests": "Requests for Disclosure and Other Requests",
        "statistics": "Statistics and Anonymously Processed Information",
        "leakage": "Response to Leaks of Personal Data",
        "changes": "Changes to This Policy",
        "contact": "Contact",
    },
}

_STATISTICS_ONLY: dict[Lang, str] = {"ja": "統計情報", "en": "Statistics"}
_ANONYMIZED_ONLY: dict[Lang, str] = {
    "ja": "匿名加工情報",
    "en": "Anonymously Processed Information",
}

DOCUMENT_TITLE: dict[Lang, str] = {"ja": "プライバシーポリシー", "en": "Privacy Policy"}

UI: dict[Lang, dict[str, str]] = {
    "ja": {
        "skip": "本文へ移動",
        "contents": "目次",
        "other_language": "English",
        "other_language_code": "en",
    },
    "en": {
        "skip": "Skip to the policy",
        "contents": "Contents",
        "other_language": "日本語",
        "other_language_code": "ja",
    },
}


def section_title(key: str, lang: Lang, policy: Policy) -> str:
    """The title of a section; the statistics section is named after what it really covers."""
    if key == "statistics":
        if policy.statistics and not policy.anonymized:
            return _STATISTICS_ONLY[lang]
        if policy.anonymized and not policy.statistics:
            return _ANONYMIZED_ONLY[lang]
    return TITLES[lang][key]


def heading(number: int, title: str, lang: Lang) -> str:
    """第1条（基本方針） / Article 1 (General Provisions)."""
    return f"第{number}条（{title}）" if lang == "ja" else f"Article {number} ({title})"


def article_ref(number: int, lang: Lang) -> str:
    return f"第{number}条" if lang == "ja" else f"Article {number}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def format_date(value: date, lang: Lang) -> str:
    if lang == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def format_yen(amount: int, lang: Lang) -> str:
    return f"{amount:,}円" if lang == "ja" else f"{amount:,} yen"


def join_words(words: Sequence[str], lang: Lang, *, conjunction: str = "and") -> str:
    """氏名、メールアドレス / name, e-mail address and telephone number."""
    if lang == "ja":
        return "、".join(words)
    if len(words) <= 2:
        return f" {conjunction} ".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


_DAYS: dict[Lang, dict[ReceptionDays, str]] = {
    "ja": {
        ReceptionDays.WEEKDAYS: "平日",
        ReceptionDays.WEEKDAYS_AND_SATURDAY: "月曜日〜土曜日",
        ReceptionDays.EVERY_DAY: "毎日",
    },
    "en": {
        ReceptionDays.WEEKDAYS: "weekdays",
        ReceptionDays.WEEKDAYS_AND_SATURDAY: "Monday to Saturday",
        ReceptionDays.EVERY_DAY: "every day",
    },
}


def format_hours(hours: Hours, lang: Lang) -> str:
    """平日10:00〜18:00 / weekdays 10:00–18:00 (Japan time), without the closed days."""
    days = _DAYS[lang][hours.days]
    if lang == "ja":
        return f"{days}{hours.open}〜{hours.close}"
    return f"{days} {hours.open}–{hours.close} (Japan time)"


WORDS: dict[Lang, dict[str, dict[str, str]]] = {
    "ja": {
        "SubjectKind": {
            "customer": "お客様",
            "user": "サービスの利用者",
            "visitor": "ウェブサイトの閲覧者",
            "applicant": "採用応募者",
            "business_contact": "お取引先の担当者",
            "employee": "従業者",
            "shareholder": "株主",
            "other": "その他の方",
        },
        "SourceKind": {
            "web_form": "ウェブフォームへのご入力",
            "website": "ウェブサイトのご利用に伴う自動的な取得",
            "cookie": "Cookie等の技術による自動的な取得",
            "recruitment": "応募書類等のご提出",
            "contract": "契約書等の書面",
            "email": "電子メール",
            "phone": "お電話",
            "paper": "書面のご提出",
            "in_person": "面談等での直接のお受取り",
            "third_party": "第三者からの提供",
            "public": "公開されている情報からの取得",
        },
        "NoticeMethod": {
            "on_form": "入力フォーム上で、送信前に利用目的を表示します。",
            "written_document": "書面に利用目的を記載して明示します。",
            "service_page": "各サービスのページで利用目的をお知らせします。",
            "published_policy": "本方針により利用目的を公表しています。",
            "verbal": "取得の際に口頭で利用目的をお伝えします。",
        },
        "RetentionEvent": {
            "collection": "取得から",
            "last_contact": "最終のお問い合わせから",
            "contract_end": "契約終了から",
            "application_decision": "選考結果の確定から",
            "purpose_fulfilled": "利用目的の達成から",
        },
        "RequestChannel": {
            "portal": "当社所定のオンライン窓口",
            "email": "電子メール",
            "post": "郵送",
            "phone": "お電話",
            "counter": "窓口へのご来訪",
            "form": "お問い合わせフォーム",
        },
        "ChangeNotice": {
            "website": "当社ウェブサイトへの掲載",
            "email": "電子メールによる通知",
            "in_service": "サービス内での表示",
        },
        "ContactChannel": {
            "email": "電子メール",
            "phone": "電話",
            "form": "お問い合わせフォーム",
            "post": "郵送",
            "counter": "窓口",
        },
    },
    "en": {
        "SubjectKind": {
            "customer": "customers",
            "user": "users of our services",
            "visitor": "visitors to our website",
            "applicant": "job applicants",
            "business_contact": "contacts at our business partners",
            "employee": "employees",
            "shareholder": "shareholders",
            "other": "other people",
        },
        "SourceKind": {
            "web_form": "entered in a web form",
            "website": "collected automatically when the website is used",
            "cookie": "collected automatically by cookies and similar technologies",
            "recruitment": "application documents",
            "contract": "contracts and other documents",
            "email": "e-mail",
            "phone": "telephone",
            "paper": "paper documents",
            "in_person": "received in person",
            "third_party": "provided by a third party",
            "public": "publicly available sources",
        },
        "NoticeMethod": {
            "on_form": "The purposes are shown on the form before it is sent.",
            "written_document": "The purposes are stated in the document.",
            "service_page": "The purposes are shown on the page of each service.",
            "published_policy": "The purposes are published in this policy.",
            "verbal": "The purposes are explained orally at the time of collection.",
        },
        "RetentionEvent": {
            "collection": "from collection",
            "last_contact": "from the last contact",
            "contract_end": "from the end of the contract",
            "application_decision": "from the decision on the application",
            "purpose_fulfilled": "from when the purpose is fulfilled",
        },
        "RequestChannel": {
            "portal": "our online request desk",
            "email": "e-mail",
            "post": "post",
            "phone": "telephone",
            "counter": "a visit to our office",
            "form": "the inquiry form",
        },
        "ChangeNotice": {
            "website": "posting on our website",
            "email": "notice by e-mail",
            "in_service": "notice within our services",
        },
        "ContactChannel": {
            "email": "e-mail",
            "phone": "telephone",
            "form": "inquiry form",
            "post": "post",
            "counter": "in person",
        },
    },
}


def word(member: StrEnum, lang: Lang) -> str:
    """The reader's word for an enum value; keyed by class because values repeat ("email")."""
    return WORDS[lang][type(member).__name__][member.value]
