"""Leakage incidents: whether a leak must be reported and told to the people, and by when.

APPI Art. 26(1) obliges a business to report to the PPC a leak, loss or damage of personal
data (漏えい等), actual or suspected, that PPC Rules Art. 7 names as likely to harm people's
rights; Art. 26(2) obliges it to notify the people affected in the same cases. Rules Art. 7
names four situations; the first three apply even when one person is affected, the fourth
only above 1,000 people. Data protected by strong encryption (高度な暗号化), whose key did
not leak, is left out of all four (Rules Art. 7(i), parenthesis, carried through the
article).

Rules Art. 8 sets the two reports: the preliminary one (速報) "promptly" (the PPC's
guideline: about 3–5 days after knowing; hogo takes the number from settings) and the
final one (確報) within 30 days, 60 days in case (iii). Day 1 is the day the business came to
know of the situation; a deadline on a day off moves to the next working day
(`hogo.domain.calendar`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hogo.domain.calendar import deadline_in_days

PEOPLE_THRESHOLD = 1_000
"""Rules Art. 7(iv): reportable when the people affected are MORE than 1,000 (1,000 is not)."""
FINAL_REPORT_DAYS = 30
"""Rules Art. 8(2): the final report within 30 days of knowing."""
FINAL_REPORT_DAYS_UNLAWFUL = 60
"""Rules Art. 8(2) proviso: 60 days when the leak may have been done for an unlawful purpose."""


class Trigger(StrEnum):
    """The four situations of Rules Art. 7, in its order."""

    SPECIAL_CARE = "special_care"  # Rules Art. 7(i)
    FINANCIAL_RISK = "financial_risk"  # Rules Art. 7(ii)
    UNLAWFUL_PURPOSE = "unlawful_purpose"  # Rules Art. 7(iii)
    MANY_PEOPLE = "many_people"  # Rules Art. 7(iv)

    @property
    def number(self) -> int:
        return list(Trigger).index(self) + 1

    def article(self, lang: str) -> str:
        roman = ("i", "ii", "iii", "iv")[self.number - 1]
        return f"規則第7条第{self.number}号" if lang == "ja" else f"Rules Art. 7({roman})"

    def label(self, lang: str) -> str:
        return _TITLES[self][0 if lang == "ja" else 1]


_TITLES = {
    Trigger.SPECIAL_CARE: (
        "要配慮個人情報が含まれる個人データの漏えい等",
        "special care-required data",
    ),
    Trigger.FINANCIAL_RISK: (
        "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等",
        "data whose misuse could cause financial damage",
    ),
    Trigger.UNLAWFUL_PURPOSE: (
        "不正の目的をもって行われたおそれがある行為による個人データの漏えい等",
        "possibly done for an unlawful purpose",
    ),
    Trigger.MANY_PEOPLE: (
        "個人データに係る本人の数が1,000人を超える漏えい等",
        "more than 1,000 people",
    ),
}


@dataclass(frozen=True)
class LeakedItem:
    """An item of personal data in the scope, with what Rules Art. 7 asks of it."""

    id: str
    special_care: bool = False
    financial_risk: bool = False
    label_ja: str | None = None
    label_en: str | None = None

    def label(self, lang: str) -> str:
        return (self.label_ja if lang == "ja" else self.label_en) or self.id


@dataclass(frozen=True)
class IncidentFacts:
    """What the assessment looks at: the scope (people, items) and the two flags."""

    people: int
    items: Sequence[LeakedItem] = ()
    unlawful_purpose_suspected: bool = False
    strongly_encrypted: bool = False
    """The leaked data was protected by strong encryption and the key did not leak."""


@dataclass(frozen=True)
class Finding:
    """One trigger met, with the reason in both languages."""

    trigger: Trigger
    ja: str
    en: str

    def sentence(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True)
class Assessment:
    """Whether the PPC report (Art. 26(1)) and the notices (Art. 26(2)) are required, and why.

    `findings` lists every trigger met, even when the encryption exemption then applies, so
    the officer sees what the exemption is carrying."""

    required: bool
    findings: tuple[Finding, ...]
    exempt: bool
    ja: str
    en: str

    @property
    def triggers(self) -> tuple[Trigger, ...]:
        return tuple(f.trigger for f in self.findings)

    def sentence(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


def _labels(items: Sequence[LeakedItem], lang: str) -> str:
    return ("、" if lang == "ja" else ", ").join(i.label(lang) for i in items)


def _findings(facts: IncidentFacts) -> list[Finding]:
    found: list[Finding] = []
    special = [i for i in facts.items if i.special_care]
    if special:  # Rules Art. 7(i): one person is enough
        found.append(
            Finding(
                Trigger.SPECIAL_CARE,
                f"要配慮個人情報（{_labels(special, 'ja')}）を含む個人データが対象です"
                f"（{Trigger.SPECIAL_CARE.article('ja')}）。",
                f"The data includes special care-required information ({_labels(special, 'en')})"
                f" ({Trigger.SPECIAL_CARE.article('en')}).",
            )
        )
    financial = [i for i in facts.items if i.financial_risk]
    if financial:  # Rules Art. 7(ii): one person is enough
        found.append(
            Finding(
                Trigger.FINANCIAL_RISK,
                f"不正に利用されると財産的被害が生じるおそれがある個人データ"
                f"（{_labels(financial, 'ja')}）が対象です（{Trigger.FINANCIAL_RISK.article('ja')}）。",
                f"The data includes items whose misuse could cause financial damage "
                f"({_labels(financial, 'en')}) ({Trigger.FINANCIAL_RISK.article('en')}).",
            )
        )
    if facts.unlawful_purpose_suspected:  # Rules Art. 7(iii): whatever the number of people
        found.append(
            Finding(
                Trigger.UNLAWFUL_PURPOSE,
                "不正アクセス、ランサムウェア、盗難、従業者による持ち出し等、不正の目的をもって"
                "行われたおそれがある行為による漏えい等です"
                f"（{Trigger.UNLAWFUL_PURPOSE.article('ja')}）。",
                "The leak may have been done for an unlawful purpose (intrusion, ransomware, "
                f"theft, an insider) ({Trigger.UNLAWFUL_PURPOSE.article('en')}).",
            )
        )
    if facts.people > PEOPLE_THRESHOLD:  # Rules Art. 7(iv): more than 1,000
        found.append(
            Finding(
                Trigger.MANY_PEOPLE,
                f"本人の数が{facts.people:,}人で、1,000人を超えています"
                f"（{Trigger.MANY_PEOPLE.article('ja')}）。",
                f"{facts.people:,} people are affected, more than 1,000 "
                f"({Trigger.MANY_PEOPLE.article('en')}).",
            )
        )
    return found


def assess(facts: IncidentFacts) -> Assessment:
    """Apply Rules Art. 7 to the facts known so far (re-run as the scope grows)."""
    if facts.people < 0:
        raise ValueError(f"a number of people cannot be negative: {facts.people}")
    findings = tuple(_findings(facts))
    if not findings:
        return Assessment(
            False,
            (),
            False,
            "規則第7条各号のいずれにも該当しないため、個人情報保護委員会への報告及び本人への"
            "通知は法令上の義務ではありません（事案の記録と再発防止は行ってください）。",
            "None of the situations of Rules Art. 7 applies: neither a report to the PPC nor "
            "notices to the people are required by law (keep the record and prevent a recurrence).",
        )
    if facts.strongly_encrypted:  # Rules Art. 7(i), parenthesis: 高度な暗号化その他の措置
        return Assessment(
            False,
            findings,
            True,
            "該当する事態はありますが、漏えい等した個人データは高度な暗号化により保護され、"
            "復号鍵は漏えいしていないため、報告対象から除かれます（規則第7条第1号括弧書）。",
            "A situation of Rules Art. 7 applies, but the data was protected by strong "
            "encryption and the key did not leak, so it is exempt (Rules Art. 7(i), "
            "parenthesis).",
        )
    numbers_ja = "・".join(f"第{f.trigger.number}号" for f in findings)
    roman = [f.trigger.article("en").removeprefix("Rules Art. 7") for f in findings]
    numbers_en = ", ".join(roman[:-1]) + " and " + roman[-1] if len(roman) > 1 else roman[0]
    return Assessment(
        True,
        findings,
        False,
        f"規則第7条{numbers_ja}に該当するため、個人情報保護委員会への報告（法第26条第1項）"
        "及び本人への通知（同条第2項）が必要です。",
        f"Rules Art. 7{numbers_en} {'applies' if len(findings) == 1 else 'apply'}: a report to "
        "the PPC (APPI Art. 26(1)) and notices "
        "to the people affected (Art. 26(2)) are required.",
    )


# --- deadlines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    preliminary: date
    final: date
    final_days: int


def report_deadlines(known_on: date, *, preliminary_days: int, unlawful_purpose: bool) -> Deadlines:
    """The two report deadlines (Rules Art. 8): day 1 is the day of knowing; a deadline on a
    weekend, national holiday or 29 Dec – 3 Jan moves to the next working day."""
    final_days = FINAL_REPORT_DAYS_UNLAWFUL if unlawful_purpose else FINAL_REPORT_DAYS
    return Deadlines(
        preliminary=deadline_in_days(known_on, preliminary_days),
        final=deadline_in_days(known_on, final_days),
        final_days=final_days,
    )


class DeadlineState(StrEnum):
    NOT_REQUIRED = "not_required"
    DUE = "due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    FILED = "filed"
    FILED_LATE = "filed_late"


@dataclass(frozen=True)
class Countdown:
    """Where one report stands on `today`: days left (negative once overdue), or filed."""

    due: date
    state: DeadlineState
    days_left: int | None
    filed_on: date | None = None

    def sentence(self, lang: str) -> str:
        ja = lang == "ja"
        match self.state:
            case DeadlineState.NOT_REQUIRED:
                return "報告義務なし" if ja else "not required"
            case DeadlineState.FILED | DeadlineState.FILED_LATE:
                late = self.state is DeadlineState.FILED_LATE
                if ja:
                    return f"{self.filed_on}に提出済み" + ("（期限後）" if late else "")
                return f"filed on {self.filed_on}" + (" (late)" if late else "")
            case DeadlineState.DUE_TODAY:
                return "本日が期限" if ja else "due today"
            case DeadlineState.OVERDUE:
                days = -(self.days_left or 0)
                return f"期限を{days}日経過" if ja else f"{days} day{'s' * (days != 1)} overdue"
            case _:
                days = self.days_left or 0
                return f"残り{days}日" if ja else f"{days} day{'s' * (days != 1)} left"


def countdown(
    due: date, today: date, *, filed_on: date | None = None, required: bool = True
) -> Countdown:
    """Days left until `due` counted from `today` (0 on the day itself); filed wins."""
    if filed_on is not None:
        state = DeadlineState.FILED_LATE if filed_on > due else DeadlineState.FILED
        return Countdown(due, state, None, filed_on)
    if not required:
        return Countdown(due, DeadlineState.NOT_REQUIRED, None)
    left = (due - today).days
    if left > 0:
        return Countdown(due, DeadlineState.DUE, left)
    if left == 0:
        return Countdown(due, DeadlineState.DUE_TODAY, 0)
    return Countdown(due, DeadlineState.OVERDUE, left)
