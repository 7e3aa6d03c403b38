"""hogo anonymize: anonymously processed information (APPI Arts. 43–46) from a CSV file
(--input) or from the ledger (--dataset).

The released file carries the table only. From a CSV file, the report (figures and the
levels chosen, which are the processing method APPI Art. 43(2) keeps secret) goes to the
operator's terminal: stderr as text, or stdout with --json. From the ledger, the method
goes into the register, encrypted, and the report gives the figures only.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from hogo.cli.context import ActorOpt, DbOpt, JsonOpt, fail, ledger_for
from hogo.cli.output import print_json, stderr
from hogo.services.anonymize_csv import CsvAnonymization, anonymize_csv
from hogo.services.anonymized.create import Created, Request, create
from hogo.services.errors import BadInput, HogoError


class RecodingOpt(StrEnum):
    GLOBAL = "global"
    LOCAL = "local"


class Lang(StrEnum):
    EN = "en"
    JA = "ja"


LABELS = {
    "en": {
        "released": "anonymized: {released:,} of {rows:,} rows written to {output} "
        "({suppressed:,} suppressed, {share:.2%})",
        "classes": "k = {k} (smallest class), l = {l}, {classes:,} classes",
        "loss": "information loss ({measure}): {loss:.4f} (0 = none, 1 = everything)",
        "risk": "re-identification risk (prosecutor): highest {high:.4f}, average {avg:.4f}",
        "method": "processing method (keep it secret, APPI Art. 43(2)): {levels}",
        "level": "{name} level {level} ({origin})",
        "local": "local recoding: each class generalized on its own, as a range or set "
        "of values shown in the file",
        "unusual": "unusual values replaced in {name}: {count:,} ({method})",
        "dropped": "columns dropped: {names}",
        "search": "search: {checked:,} of {size:,} generalizations checked",
        "none": "none",
    },
    "ja": {
        "released": "匿名加工: {rows:,} 行のうち {released:,} 行を {output} に書き出しました"
        "（削除 {suppressed:,} 行、{share:.2%}）",
        "classes": "k = {k}（最小の同値クラス）、l = {l}、同値クラス数 {classes:,}",
        "loss": "情報損失（{measure}）: {loss:.4f}（0 は損失なし、1 はすべて消去）",
        "risk": "再識別リスク（検察官攻撃モデル）: 最大 {high:.4f}、平均 {avg:.4f}",
        "method": "加工方法（秘密として管理すること、個人情報保護法第43条第2項）: {levels}",
        "level": "{name} 段階 {level}（{origin}）",
        "local": "ローカル再符号化: 同値クラスごとに一般化し、値の範囲や集合をファイルに記載",
        "unusual": "{name} の特異な値を置換: {count:,} 件（{method}）",
        "dropped": "削除した列: {names}",
        "search": "探索: 一般化 {size:,} 通りのうち {checked:,} 通りを検査",
        "none": "なし",
    },
}
LEDGER_LABELS = {
    "en": {
        "released": "anonymized: {released:,} of {rows:,} rows of {items} written to {output} "
        "({suppressed:,} suppressed)",
        "recorded": "creation #{id} of dataset {dataset} recorded; its items and date are "
        "announced in the rendered policy (APPI Art. 43(3))",
        "subjects": "subjects: {subjects:,}; left out by the purpose check: {refused:,}{why}",
        "unusual": "unusual values replaced: {count:,}",
        "method": "the processing method is kept in the register, encrypted: "
        "hogo anonymized show {id} --method",
    },
    "ja": {
        "released": "匿名加工: {rows:,} 行のうち {released:,} 行（項目: {items}）を {output} に"
        "書き出しました（削除 {suppressed:,} 行）",
        "recorded": "データセット {dataset} の作成 #{id} を記録しました。含まれる項目と作成日は"
        "公表するプライバシーポリシーに掲載されます（個人情報保護法第43条第3項）",
        "subjects": "対象者: {subjects:,} 人、利用目的の確認で除外: {refused:,} 人{why}",
        "unusual": "特異な値の置換: {count:,} 件",
        "method": "加工方法は台帳に暗号化して保管しています: hogo anonymized show {id} --method",
    },
}
ORIGINS = {
    "en": {"intervals": "intervals", "suppress": "value or *"},
    "ja": {"intervals": "数値の区間", "suppress": "値そのものか *"},
}
METHODS = {
    "en": {"top_bottom": "top/bottom-coded", "rare": "rare values to *"},
    "ja": {"top_bottom": "トップ・ボトムコーディング", "rare": "まれな値を * に"},
}


def register(app: typer.Typer) -> None:
    app.command("anonymize")(anonymize_command)


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _hierarchies(specs: list[str]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for spec in specs:
        column, sep, file = spec.partition("=")
        if not sep or not column.strip() or not file.strip():
            raise BadInput(f"--hierarchy {spec!r}: write it as COLUMN=FILE.csv")
        if column.strip() in found:
            raise BadInput(f"--hierarchy is given twice for {column.strip()!r}")
        found[column.strip()] = Path(file.strip())
    return found


def print_report(done: CsvAnonymization, lang: str) -> None:
    words, origins, methods = LABELS[lang], ORIGINS[lang], METHODS[lang]
    r = done.result
    out = stderr()
    share = r.suppressed / r.rows_in if r.rows_in else 0.0
    lines = [
        words["released"].format(
            released=r.released,
            rows=r.rows_in,
            output=done.output,
            suppressed=r.suppressed,
            share=share,
        ),
        words["classes"].format(k=r.k, l="-" if r.l is None else r.l, classes=r.classes),
        words["loss"].format(measure=r.loss_measure.upper(), loss=r.loss),
        words["risk"].format(high=r.risk_highest, avg=r.risk_average),
    ]
    levels = "、" if lang == "ja" else ", "
    method = levels.join(
        words["level"].format(
            name=name,
            level=level,
            origin=origins.get(done.hierarchies[name], done.hierarchies[name]),
        )
        for name, level in r.levels.items()
    )
    lines.append(words["method"].format(levels=words["local"] if r.recoding == "local" else method))
    for name, replaced in done.unusual.items():
        lines.append(
            words["unusual"].format(
                name=name, count=replaced.replaced, method=methods[replaced.method]
            )
        )
    if done.dropped:
        lines.append(words["dropped"].format(names=", ".join(done.dropped)))
    if r.recoding == "global":
        lines.append(words["search"].format(checked=r.nodes_checked, size=r.lattice_size))
    for line in lines:
        out.print(Text(line))


def print_created(done: Created, lang: str) -> None:
    """The figures of a run from the ledger; the method stays in the register."""
    words, common = LEDGER_LABELS[lang], LABELS[lang]
    refused = sum(done.subjects_refused.values())
    why = ", ".join(f"{r} {n}" for r, n in sorted(done.subjects_refused.items()))
    lines = [
        words["released"].format(
            released=done.rows_released,
            rows=done.rows_in,
            items=", ".join(done.items),
            output=done.output,
            suppressed=done.suppressed,
        ),
        words["recorded"].format(id=done.creation_id, dataset=done.dataset),
        words["subjects"].format(
            subjects=done.subjects, refused=refused, why=f" ({why})" if why else ""
        ),
        common["classes"].format(
            k=done.k, l="-" if done.l is None else done.l, classes=done.classes
        ),
        common["loss"].format(measure=done.loss_measure.upper(), loss=done.loss),
        common["risk"].format(high=done.risk_highest, avg=done.risk_average),
        words["unusual"].format(count=done.unusual_replaced),
        words["method"].format(id=done.creation_id),
    ]
    out = stderr()
    for line in lines:
        out.print(Text(line))


_CSV_ONLY = ("--hierarchy", "--drop")
_LEDGER_ONLY = ("--dataset", "--purpose", "--items")


def _from_ledger(request: Request, *, actor: str, db: str | None, lang: str, as_json: bool) -> None:
    with ledger_for(db, as_json=as_json) as ledger:
        done = create(ledger, request, actor=actor)
    if as_json:
        print_json({"ok": True, **done.to_dict()})
    else:
        print_created(done, lang)


def anonymize_command(
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="The released CSV file (written whole, or not at all)."
        ),
    ],
    k: Annotated[int, typer.Option("--k", min=1, help="Every released class has at least K rows.")],
    input_file: Annotated[
        Path | None,
        typer.Option("--input", help="Read this CSV file (UTF-8, with a header row)."),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option("--dataset", help="Make this dataset (anonymized[].id) from the ledger."),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Read from the ledger for this purpose.")
    ] = None,
    items: Annotated[
        str | None, typer.Option("--items", help="Items to read from the ledger (a,b,c).")
    ] = None,
    quasi: Annotated[
        str | None,
        typer.Option("--quasi", help="Quasi-identifier columns, generalized (a,b)."),
    ] = None,
    sensitive: Annotated[
        str | None,
        typer.Option("--sensitive", help="Sensitive columns, released as they are (c)."),
    ] = None,
    l_diversity: Annotated[
        int | None,
        typer.Option(
            "--l",
            min=1,
            help="Every released class has L distinct values of each sensitive column.",
        ),
    ] = None,
    max_suppression: Annotated[
        float,
        typer.Option(
            "--max-suppression",
            min=0.0,
            max=0.99,
            help="Share of rows that may be removed instead of generalizing more (0.01 = 1 %).",
        ),
    ] = 0.0,
    hierarchy: Annotated[
        list[str] | None,
        typer.Option(
            "--hierarchy",
            help="COLUMN=FILE.csv: an ARX hierarchy for a quasi-identifier (repeatable).",
        ),
    ] = None,
    drop: Annotated[
        str | None, typer.Option("--drop", help="Columns left out of the release (a,b).")
    ] = None,
    unusual: Annotated[
        str | None,
        typer.Option(
            "--unusual",
            help="Columns whose unusual values are replaced first (Rule 34(iv)).",
        ),
    ] = None,
    recoding: Annotated[
        RecodingOpt,
        typer.Option(
            "--recoding",
            help="global: one level per column for the whole table; local: class by class.",
        ),
    ] = RecodingOpt.GLOBAL,
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of the report: en or ja.")
    ] = Lang.EN,
    actor: ActorOpt = "officer",
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Release a k-anonymous copy of a table: generalize, suppress, report the risk.

    From the ledger (--dataset, --purpose) the creation is recorded and announced."""
    try:
        if input_file is None:
            if dataset is None or purpose is None:
                raise BadInput(
                    "give --input FILE.csv, or --dataset and --purpose to read the ledger"
                )
            if hierarchy or drop is not None:
                raise BadInput(
                    f"{' and '.join(_CSV_ONLY)} are for --input: from the ledger, hierarchies "
                    "come from anonymized[].generalizations and identifiers are never read"
                )
            request = Request(
                dataset=dataset,
                purpose=purpose,
                quasi=_list(quasi),
                k=k,
                output=output,
                items=_list(items) or None,
                sensitive=_list(sensitive),
                l=l_diversity,
                max_suppression=max_suppression,
                unusual=None if unusual is None else _list(unusual),
                recoding="local" if recoding is RecodingOpt.LOCAL else "global",
            )
            _from_ledger(request, actor=actor, db=db, lang=lang.value, as_json=as_json)
            return
        if dataset is not None or purpose is not None or items is not None:
            raise BadInput(
                f"{', '.join(_LEDGER_ONLY)} read from the ledger; --input reads a CSV file: "
                "give one or the other"
            )
        done = anonymize_csv(
            input_file,
            output,
            quasi=_list(quasi),
            sensitive=_list(sensitive),
            k=k,
            l=l_diversity,
            max_suppression=max_suppression,
            hierarchies=_hierarchies(hierarchy or []),
            drop=_list(drop),
            unusual=_list(unusual),
            recoding="local" if recoding is RecodingOpt.LOCAL else "global",
        )
    except HogoError as exc:
        raise fail(exc, as_json=as_json) from None
    if as_json:
        print_json({"ok": True, **done.report()})
    else:
        print_report(done, lang.value)
