"""The generalizations hogo ships: coarser forms of a value that statistics may show.

Statistics that identify no one fall outside anonymously processed information (APPI
Art. 2(6) and the PPC guideline on anonymously processed information, 2-1): a date of birth
or an address identifies, an age band or a prefecture counted over many people does not.
Each generalization names the next coarser one, so that a cell too small to show can be
merged into a wider band before it is blanked out ("*").

Values arrive as stored by the ledger (see hogo.domain.values) but are read leniently
(full-width digits, 〒, other dashes), since old rows and text items hold them as typed.
A value that cannot be generalized raises GeneralizationError, whose message says what is
wrong with the value without repeating it: the value is personal data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from hogo.domain.prefectures import BY_NAME, REGIONS_EN, find_prefecture

SUPPRESSED = "*"
"""What a value becomes after the coarsest generalization: nothing is shown."""

MAX_AGE = 150
"""An older date of birth is taken for a typing error rather than a person."""


class GeneralizationError(ValueError):
    """A value that cannot be generalized; the message never contains the value."""


class UnknownGeneralization(LookupError):
    """A generalization name hogo does not ship."""

    def __init__(self, name: str) -> None:
        known = ", ".join(BUILT_IN)
        super().__init__(f"no generalization is called {name!r}; hogo ships: {known}")
        self.name = name


@dataclass(frozen=True)
class Generalization:
    name: str
    label: Mapping[str, str] = field(compare=False)
    """ja/en: what is kept of the item, read after the item's own label: 住所（都道府県）,
    postal code (first three digits)."""
    coarser: str | None
    """The next coarser built-in generalization; None when the next step is "*"."""
    formats: frozenset[str] = field(default=frozenset())
    """The item formats (hogo.policy ItemFormat values) it reads; empty means any."""
    rule: Callable[[str, date], str] = field(default=lambda value, today: value, compare=False)
    open_ended: bool = False
    """Its results are not a fixed, public list (an e-mail domain may be one family's):
    a result held by too few people must not even be named."""

    def apply(self, value: str, *, today: date) -> str:
        """The generalized value; `today` matters for ages only."""
        return self.rule(value, today)


_DASHES = re.compile("[\u2010-\u2015\u2212\u30fc\uff70]")
_DATE = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?(?:[T ].*)?$")
_MONTH = re.compile(r"^(\d{4})[-/年](\d{1,2})月?$")
_POSTAL = re.compile(r"^〒?\s*(\d{3})-?(\d{4})(?!\d)")


def _compact(value: str) -> str:
    return _DASHES.sub("-", unicodedata.normalize("NFKC", value)).strip()


def _read_date(value: str) -> date:
    match = _DATE.match(_compact(value))
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise GeneralizationError("is not a date in YYYY-MM-DD form")


def _read_month(value: str) -> tuple[int, int]:
    match = _MONTH.match(_compact(value))
    if match and 1 <= int(match[2]) <= 12 and int(match[1]) >= 1:
        return int(match[1]), int(match[2])
    day = _read_date(value)
    return day.year, day.month


def age_on(born: date, today: date) -> int:
    """Completed years on `today`.

    年齢計算ニ関スル法律 (Act on Age Calculation, 1902) counts age from the day of birth
    and Civil Code Art. 143 ends each year at the close of the day before the birthday:
    a person is one year older from the start of the birthday itself. Someone born on
    29 February therefore becomes older at the close of 28 February, that is on 1 March
    in a common year and on 29 February in a leap year; the comparison of (month, day)
    below gives exactly that.
    """
    if born > today:
        raise GeneralizationError("is a date of birth after today")
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years > MAX_AGE:
        raise GeneralizationError(f"is a date of birth more than {MAX_AGE} years ago")
    return years


def _age_band(width: int) -> Callable[[str, date], str]:
    def band(value: str, today: date) -> str:
        low = age_on(_read_date(value), today) // width * width
        return f"{low}-{low + width - 1}"

    return band


def _prefecture(value: str, today: date) -> str:
    found = find_prefecture(value)
    if found is None:
        raise GeneralizationError("names no Japanese prefecture at its start")
    return found.name


def _region(value: str, today: date) -> str:
    found = find_prefecture(value)
    if found is None:
        raise GeneralizationError("names no Japanese prefecture at its start")
    return found.region


def _postal(digits: int) -> Callable[[str, date], str]:
    def head(value: str, today: date) -> str:
        match = _POSTAL.match(_compact(value))
        if not match:
            raise GeneralizationError("is not a Japanese postal code such as 100-0001")
        return match[1][:digits]

    return head


def _month(value: str, today: date) -> str:
    year, month = _read_month(value)
    return f"{year:04d}-{month:02d}"


def _year(value: str, today: date) -> str:
    return f"{_read_month(value)[0]:04d}"


def _email_domain(value: str, today: date) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    _, at, domain = text.rpartition("@")
    domain = domain.rstrip(".").lower()
    if not at or not domain or any(c.isspace() for c in domain) or "." not in domain:
        raise GeneralizationError("is not an e-mail address with a domain after @")
    return domain


def _label(ja: str, en: str) -> Mapping[str, str]:
    return MappingProxyType({"ja": ja, "en": en})


_DATE_FORMATS = frozenset({"date", "text"})
_ADDRESS_FORMATS = frozenset({"text"})
_POSTAL_FORMATS = frozenset({"postal_code_jp", "text"})
_EMAIL_FORMATS = frozenset({"email", "text"})

BUILT_IN: Mapping[str, Generalization] = MappingProxyType(
    {
        g.name: g
        for g in (
            Generalization(
                "age5",
                _label("年齢・5歳階級", "age in 5-year bands"),
                "age10",
                _DATE_FORMATS,
                _age_band(5),
            ),
            Generalization(
                "age10",
                _label("年齢・10歳階級", "age in 10-year bands"),
                "age20",
                _DATE_FORMATS,
                _age_band(10),
            ),
            Generalization(
                "age20",
                _label("年齢・20歳階級", "age in 20-year bands"),
                None,
                _DATE_FORMATS,
                _age_band(20),
            ),
            Generalization(
                "prefecture",
                _label("都道府県", "prefecture"),
                "region",
                _ADDRESS_FORMATS,
                _prefecture,
            ),
            Generalization("region", _label("地方", "region"), None, _ADDRESS_FORMATS, _region),
            Generalization(
                "postal3",
                _label("上3桁", "first three digits"),
                "postal1",
                _POSTAL_FORMATS,
                _postal(3),
            ),
            Generalization(
                "postal1",
                _label("上1桁", "first digit"),
                None,
                _POSTAL_FORMATS,
                _postal(1),
            ),
            Generalization("month", _label("年月", "month"), "year", _DATE_FORMATS, _month),
            Generalization("year", _label("年", "year"), None, _DATE_FORMATS, _year),
            Generalization(
                "email_domain",
                _label("ドメイン", "domain"),
                None,
                _EMAIL_FORMATS,
                _email_domain,
                open_ended=True,
            ),
        )
    }
)


def get(name: str) -> Generalization:
    try:
        return BUILT_IN[name]
    except KeyError:
        raise UnknownGeneralization(name) from None


_REGION_ORDER = {region: n for n, region in enumerate(REGIONS_EN)}
_AGE_BAND = re.compile(r"^(\d+)-\d+$")


def sort_key(name: str | None, value: str) -> tuple[int, str]:
    """Where a result of `name` goes in a table: ages and prefectures in their natural
    order (JIS code order for prefectures), everything else by its text."""
    if name == "prefecture" and value in BY_NAME:
        return BY_NAME[value].code, ""
    if name == "region" and value in _REGION_ORDER:
        return _REGION_ORDER[value], ""
    band = _AGE_BAND.match(value) if name in ("age5", "age10", "age20") else None
    if band:
        return int(band[1]), ""
    return 0, value


def value_label(name: str | None, value: str, lang: str) -> str:
    """A result as a reader of `lang` sees it: prefectures and regions in English for "en"."""
    if lang == "en" and name == "prefecture" and value in BY_NAME:
        return BY_NAME[value].en
    if lang == "en" and name == "region" and value in REGIONS_EN:
        return REGIONS_EN[value]
    return value


def generalize(name: str, value: str, *, today: date) -> str:
    """`value` under the built-in generalization `name`; GeneralizationError if it cannot be."""
    return get(name).apply(value, today=today)


def chain(name: str) -> tuple[str, ...]:
    """`name` and every coarser generalization after it, finest first."""
    names = [name]
    step = get(name).coarser
    while step is not None:
        names.append(step)
        step = get(step).coarser
    return tuple(names)
