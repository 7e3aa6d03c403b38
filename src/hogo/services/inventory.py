"""The inventory report: the personal information ledger of JIS Q 15001 (個人情報管理台帳).

APPI Art. 23 and the PPC guideline (section 10, organisational measures) expect a
business to know what personal data it holds and who may handle it; the PrivacyMark
standard JIS Q 15001 asks for a ledger of every item with its purpose, where it is kept,
who may access it and how long it is kept, reviewed at least yearly. hogo writes it from
the policy in force (items, purposes through joint use, sources, vendors, foreign
countries, actors, retention rules) and from the ledger itself (how many subjects and
records hold each item now, one grouped query however large the ledger).

Formats: Markdown, a standalone HTML page (every value escaped), and CSV in UTF-8 with a
byte order mark, so that Excel, which reads a CSV without one in the local code page,
shows the Japanese headings and labels correctly.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.policy.render.countries import country_name
from hogo.policy.render.escape import md_inline
from hogo.policy.render.vocab import format_date, word
from hogo.policy.schema import LANGS, Lang, Policy, RetentionRule
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger, PolicyInForce

FORMATS = ("md", "html", "csv")
BOM = "\ufeff"

Bilingual = dict[str, str]


@dataclass(frozen=True)
class Named:
    id: str
    name: Bilingual

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class InventoryRow:
    """One item: what the policy says about it, and how much of it the ledger holds now.

    `actors` None means a purpose using the item lets any actor act (the policy names no
    actors for it); `in_policy` False marks an item the ledger still holds that the policy
    in force no longer declares."""

    item: str
    label: Bilingual
    in_policy: bool
    special_care: bool
    financial_risk: bool
    purposes: tuple[Named, ...]
    sources: tuple[Named, ...]
    vendors: tuple[Named, ...]
    countries: tuple[str, ...]
    actors: tuple[str, ...] | None
    retention: tuple[tuple[Named, Bilingual], ...]
    subjects: int
    records: int


@dataclass(frozen=True)
class Inventory:
    organization: Bilingual
    policy_version: str
    effective_date: date
    as_of: date
    database: str
    rows: tuple[InventoryRow, ...] = field(default_factory=tuple)


def held_counts(conn: Connection) -> dict[str, tuple[int, int]]:
    """Per item: (subjects, records) held now, erased subjects left out. One grouped query."""
    r, s = t.records, t.subjects
    query = (
        select(r.c.item, func.count(func.distinct(r.c.subject_id)), func.count())
        .select_from(r.join(s, s.c.id == r.c.subject_id))
        .where(s.c.erased_at.is_(None))
        .group_by(r.c.item)
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in conn.execute(query)}


def _text(ja: str, en: str) -> Bilingual:
    return {"ja": ja, "en": en}


def _retention(rule: RetentionRule | None) -> Bilingual:
    if rule is None:
        return _text("定めなし", "not set")
    if rule.until is not None:
        return _text("同意の撤回まで", "until consent is withdrawn")
    assert rule.period is not None and rule.from_ is not None
    return _text(
        f"{rule.period.describe('ja')}（{word(rule.from_, 'ja')}）",
        f"{rule.period.describe('en')} {word(rule.from_, 'en')}",
    )


def _rows(version: PolicyInForce, held: dict[str, tuple[int, int]]) -> list[InventoryRow]:
    policy: Policy = version.policy
    compiled = version.compiled.purposes
    environment = policy.security.foreign_environment
    abroad = [c.country for c in environment.countries] if environment is not None else []
    rows = []
    for item in policy.items:
        using = [p for p in policy.purposes if item.id in compiled[p.id].items]
        actors: set[str] = set()
        any_actor = False
        for p in using:
            allowed = compiled[p.id].actors
            if allowed is None:
                any_actor = True
            else:
                actors.update(allowed)
        vendors = [v for v in policy.entrustment.vendors if item.id in v.items]
        countries = list(abroad)
        for v in vendors:
            if v.country and v.country != "JP" and v.country not in countries:
                countries.append(v.country)
        subjects, records = held.get(item.id, (0, 0))
        rows.append(
            InventoryRow(
                item=item.id,
                label=_text(item.label.ja, item.label.en),
                in_policy=True,
                special_care=item.special_care,
                financial_risk=item.financial_risk,
                purposes=tuple(Named(p.id, _text(p.label.ja, p.label.en)) for p in using),
                sources=tuple(
                    Named(s.id, _text(s.label.ja, s.label.en))
                    for s in policy.sources
                    if item.id in s.items
                ),
                vendors=tuple(Named(v.id, _text(v.name.ja, v.name.en)) for v in vendors),
                countries=tuple(countries),
                actors=None if any_actor or not using else tuple(sorted(actors)),
                retention=tuple(
                    (
                        Named(p.id, _text(p.label.ja, p.label.en)),
                        _retention(policy.retention_rule(p.retention) if p.retention else None),
                    )
                    for p in using
                ),
                subjects=subjects,
                records=records,
            )
        )
    declared = {item.id for item in policy.items}
    for item_id in sorted(set(held) - declared):
        subjects, records = held[item_id]
        rows.append(
            InventoryRow(
                item=item_id,
                label=_text(item_id, item_id),
                in_policy=False,
                special_care=False,
                financial_risk=False,
                purposes=(),
                sources=(),
                vendors=(),
                countries=(),
                actors=(),
                retention=(),
                subjects=subjects,
                records=records,
            )
        )
    return rows


def inventory(ledger: Ledger, *, actor: str) -> Inventory:
    """The inventory as of today, from the policy in force and the ledger; audited as
    "report" (an output of the ledger, PPC guideline 10-3: logs of use and output)."""
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise BadInput("an actor (at most 200 characters) is required")
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        held = held_counts(conn)
        rows = _rows(version, held)
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="report",
                outcome="done",
                detail={"report": "inventory", "items": len(rows)},
            ),
        )
    name = version.policy.organization.name
    dialect = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    return Inventory(
        organization=_text(name.ja, name.en),
        policy_version=version.version,
        effective_date=version.effective_date,
        as_of=ledger.today(),
        database=dialect.get(ledger.engine.dialect.name, ledger.engine.dialect.name),
        rows=tuple(rows),
    )


# --- rendering ------------------------------------------------------------------------

HEADINGS: dict[Lang, dict[str, str]] = {
    "ja": {
        "title": "個人情報管理台帳",
        "organization": "事業者",
        "policy": "プライバシーポリシー",
        "as_of": "作成日",
        "item_id": "項目ID",
        "item": "項目",
        "special_care": "要配慮個人情報",
        "financial_risk": "財産的被害のおそれ",
        "purposes": "利用目的",
        "sources": "取得元",
        "stored": "保管場所・委託先",
        "actors": "アクセス権者",
        "retention": "保存期間",
        "subjects": "本人数",
        "records": "件数",
    },
    "en": {
        "title": "Personal Information Ledger",
        "organization": "Business",
        "policy": "Privacy policy",
        "as_of": "As of",
        "item_id": "Item ID",
        "item": "Item",
        "special_care": "Special care-required",
        "financial_risk": "Risk of financial harm",
        "purposes": "Purposes",
        "sources": "Sources",
        "stored": "Where stored and entrusted",
        "actors": "Who may access",
        "retention": "Retention",
        "subjects": "Subjects",
        "records": "Records",
    },
}

_WORDS: dict[Lang, dict[str, str]] = {
    "ja": {
        "yes": "あり",
        "no": "なし",
        "sep": "、",
        "ledger": "hogo台帳（{db}、暗号化して保管）",
        "vendor": "{name}（委託先）",
        "abroad": "{name}（外国）",
        "any_actor": "限定なし",
        "none": "なし",
        "not_in_policy": "（現行の方針に定めのない項目）",
        "policy": "第{version}版（{date}施行）",
        "note": (
            "本人数・件数は作成日時点で台帳が保有しているもの（消去済みの本人を除く）です。"
            "アクセス権者が「限定なし」の項目は、方針で取扱者を限定していない利用目的に用いられています。"
            "外国は、安全管理措置（外的環境の把握）に記載した国と、外国の委託先の所在国です。"
        ),
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "sep": "; ",
        "ledger": "hogo ledger ({db}, encrypted)",
        "vendor": "{name} (vendor)",
        "abroad": "{name} (abroad)",
        "any_actor": "not limited",
        "none": "none",
        "not_in_policy": "(not declared in the policy in force)",
        "policy": "version {version} (in force from {date})",
        "note": (
            "Subjects and records are those the ledger holds on the date above, erased "
            "subjects left out. Items whose access is 'not limited' are used for a purpose "
            "for which the policy names no actors. Countries abroad are those named under "
            "the security measures (foreign environment) and those of vendors abroad."
        ),
    },
}


def _cells(inv: Inventory, row: InventoryRow, lang: Lang) -> list[str]:
    w = _WORDS[lang]
    sep = w["sep"]

    def names(found: Sequence[Named]) -> str:
        return sep.join(n.name[lang] for n in found) or w["none"]

    if row.in_policy:
        stored = [w["ledger"].format(db=inv.database)]
        stored += [w["vendor"].format(name=v.name[lang]) for v in row.vendors]
        stored += [w["abroad"].format(name=country_name(c, lang)) for c in row.countries]
        where = sep.join(stored)
        purposes = names(row.purposes)
        actors = w["any_actor"] if row.actors is None else sep.join(row.actors) or w["none"]
        colon = "：" if lang == "ja" else ": "
        retention = sep.join(f"{p.name[lang]}{colon}{r[lang]}" for p, r in row.retention)
    else:
        where = w["ledger"].format(db=inv.database)
        purposes = w["not_in_policy"]
        actors = retention = w["none"]
    return [
        row.label[lang],
        w["yes"] if row.special_care else w["no"],
        w["yes"] if row.financial_risk else w["no"],
        purposes,
        names(row.sources),
        where,
        actors,
        retention or w["none"],
        str(row.subjects),
        str(row.records),
    ]


_COLUMNS = (
    "item",
    "special_care",
    "financial_risk",
    "purposes",
    "sources",
    "stored",
    "actors",
    "retention",
    "subjects",
    "records",
)


def _facts(inv: Inventory, lang: Lang) -> list[tuple[str, str]]:
    h = HEADINGS[lang]
    policy = _WORDS[lang]["policy"].format(
        version=inv.policy_version, date=format_date(inv.effective_date, lang)
    )
    return [
        (h["organization"], inv.organization[lang]),
        (h["policy"], policy),
        (h["as_of"], format_date(inv.as_of, lang)),
    ]


def _markdown(inv: Inventory, lang: Lang) -> str:
    h = HEADINGS[lang]
    lines = [f"# {h['title']}", ""]
    colon = "：" if lang == "ja" else ": "
    lines += [f"- {md_inline(k)}{colon}{md_inline(v)}" for k, v in _facts(inv, lang)]
    lines += ["", "| " + " | ".join(h[c] for c in _COLUMNS) + " |"]
    lines.append(
        "|" + "|".join("---:" if c in ("subjects", "records") else "---" for c in _COLUMNS) + "|"
    )
    for row in inv.rows:
        lines.append("| " + " | ".join(md_inline(c) for c in _cells(inv, row, lang)) + " |")
    lines += ["", md_inline(_WORDS[lang]["note"]), ""]
    return "\n".join(lines)


_STYLE = (
    "body{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;margin:2rem;}"
    "table{border-collapse:collapse;font-size:.9rem}"
    "th,td{border:1px solid #999;padding:.3rem .5rem;vertical-align:top;text-align:left}"
    "th{background:#eee}td.n{text-align:right}"
)


def _html(inv: Inventory, lang: Lang) -> str:
    h = HEADINGS[lang]
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(h['title'])} — {e(inv.organization[lang])}</title>",
        f"<style>{_STYLE}</style></head>",
        "<body>",
        f"<h1>{e(h['title'])}</h1>",
        "<dl>",
    ]
    for k, v in _facts(inv, lang):
        out.append(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>")
    out += ["</dl>", "<table>", "<thead><tr>"]
    out += [f'<th scope="col">{e(h[c])}</th>' for c in _COLUMNS]
    out += ["</tr></thead>", "<tbody>"]
    for row in inv.rows:
        cells = _cells(inv, row, lang)
        out.append(
            "<tr>"
            + f'<th scope="row">{e(cells[0])}</th>'
            + "".join(
                f'<td class="n">{e(c)}</td>' if i >= 8 else f"<td>{e(c)}</td>"
                for i, c in enumerate(cells[1:], start=1)
            )
            + "</tr>"
        )
    out += ["</tbody>", "</table>", f"<p>{e(_WORDS[lang]['note'])}</p>", "</body>", "</html>", ""]
    return "\n".join(out)


def _csv(inv: Inventory, lang: Lang) -> str:
    h = HEADINGS[lang]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([h["item_id"], *(h[c] for c in _COLUMNS)])
    for row in inv.rows:
        writer.writerow([row.item, *_cells(inv, row, lang)])
    return BOM + buffer.getvalue()


def _check_output(fmt: str, lang: str) -> Lang:
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    return "ja" if lang == "ja" else "en"


def render_inventory(inv: Inventory, *, fmt: str, lang: str) -> bytes:
    """The inventory as UTF-8 bytes: Markdown, standalone HTML, or CSV with a byte order
    mark (so Excel opens the Japanese correctly) and CRLF line ends (RFC 4180)."""
    chosen = _check_output(fmt, lang)
    render = {"md": _markdown, "html": _html, "csv": _csv}[fmt]
    return render(inv, chosen).encode("utf-8")


def inventory_report(ledger: Ledger, *, fmt: str, lang: str, actor: str) -> tuple[Inventory, bytes]:
    """Build and render in one call, the format and language checked before anything is
    read or audited."""
    _check_output(fmt, lang)
    report = inventory(ledger, actor=actor)
    return report, render_inventory(report, fmt=fmt, lang=lang)


__all__ = [
    "FORMATS",
    "Inventory",
    "InventoryRow",
    "held_counts",
    "inventory",
    "inventory_report",
    "render_inventory",
]
