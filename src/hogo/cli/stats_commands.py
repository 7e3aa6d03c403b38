"""hogo stats: counts over the ledger that identify no one, read through the purpose check."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from hogo.cli.context import DbOpt, fail, ledger_for
from hogo.cli.output import print_json, stderr, stdout
from hogo.domain.suppression import TOTAL, Key, Reason
from hogo.services.errors import BadInput
from hogo.services.statistics import COUNTS, statistics
from hogo.services.statistics_result import EXCLUDED, WORDS, Statistics

FORMATS = ("table", "csv", "json")
MARKS = {Reason.PRIMARY: "*", Reason.COMPLEMENTARY: "(*)"}

_TEXT = {
    "ja": {
        "title": "利用目的「{purpose}」の統計（{what}、{n}人未満は秘匿）",
        "release": "公表している統計: {release}",
        "primary": "*   {n}人未満のため秘匿",
        "complementary": "(*) 合計から * の値を計算できないよう、あわせて秘匿",
        "hidden": "秘匿した数値: {n}",
        "read": "集計した人数: {n:,}人（件数: {records:,}）",
        "excluded": "利用目的の確認により除外: {what}",
        "unknown": "不明（値がない、または一般化できない）: {what}",
        "withheld": "{n}人未満しか該当しないため名称を示さない区分: {what}",
        "operator": "― 以下は実行した方のための記録です。公表しないでください ―",
    },
    "en": {
        "title": "Statistics for the purpose “{purpose}” ({what}; fewer than {n} hidden)",
        "release": "published release: {release}",
        "primary": "*   fewer than {n} people",
        "complementary": "(*) hidden as well, so that no * can be worked out from the totals",
        "hidden": "figures hidden: {n}",
        "read": "people counted: {n:,} (records: {records:,})",
        "excluded": "left out by the purpose check: {what}",
        "unknown": "unknown (no value, or one that cannot be generalized): {what}",
        "withheld": "categories not named, held by fewer than {n} people: {what}",
        "operator": "— for whoever ran this; not for publication —",
    },
}


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal (long runs over the whole ledger)."""
    console = stderr()
    bar = Progress(
        TextColumn("counting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )
    task = bar.add_task("subjects", total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _figure(result: Statistics, key: Key) -> str:
    reason = result.hidden.get(key)
    return MARKS[reason] if reason is not None else f"{result.table.counts[key]:,}"


def _table(result: Statistics, lang: str) -> Table:
    dims = result.dimensions
    count_word = WORDS[lang][f"count_{result.count}"]
    grid = Table(show_lines=False)
    if len(dims) == 2:
        rows, cols = dims
        grid.add_column(f"{rows.heading[lang]} \\ {cols.heading[lang]}")
        for value in (*cols.categories, TOTAL):
            grid.add_column(cols.label(value, lang), justify="right")
        for row in (*rows.categories, TOTAL):
            grid.add_row(
                rows.label(row, lang),
                *(_figure(result, (row, col)) for col in (*cols.categories, TOTAL)),
                end_section=row is not TOTAL and row == rows.categories[-1],
            )
        return grid
    for dim in dims:
        grid.add_column(dim.heading[lang])
    grid.add_column(count_word, justify="right")
    for key in result.entries():
        grid.add_row(
            *(d.label(v, lang) for d, v in zip(dims, key, strict=True)), _figure(result, key)
        )
    return grid


def _pairs(counts: Mapping[str, int], lang: str, words: Mapping[str, str] | None = None) -> str:
    sep = "、" if lang == "ja" else ", "
    named = words or {}
    return sep.join(f"{named.get(k, k)} {n:,}" for k, n in counts.items() if n) or "0"


def _print(result: Statistics, lang: str) -> None:
    out: Console = stdout()
    text = _TEXT[lang]
    what = " × ".join(d.heading[lang] for d in result.dimensions)
    out.print(
        Text(text["title"].format(purpose=result.purpose, what=what, n=result.min_cell)),
        style="bold",
    )
    if result.release:
        out.print(Text(text["release"].format(release=result.release)))
    out.print(_table(result, lang))
    reasons = set(result.hidden_shown().values())
    for reason in (Reason.PRIMARY, Reason.COMPLEMENTARY):
        if reason in reasons:
            out.print(Text(text[reason.value].format(n=result.min_cell)))
    out.print(Text(text["hidden"].format(n=len(result.hidden_shown()))))
    withheld = {d.spec: d.withheld for d in result.dimensions}
    if any(withheld.values()):
        out.print(Text(text["withheld"].format(n=result.min_cell, what=_pairs(withheld, lang))))
    out.print(Text(""))
    out.print(Text(text["operator"]), style="dim")
    out.print(Text(text["read"].format(n=result.subjects_read, records=result.records)))
    excluded = _pairs(result.excluded, lang, EXCLUDED[lang])
    out.print(Text(text["excluded"].format(what=excluded)))
    unknown = {d.spec: d.unknown for d in result.dimensions}
    out.print(Text(text["unknown"].format(what=_pairs(unknown, lang))))


def stats_command(
    purpose: Annotated[
        str,
        typer.Option("--purpose", help="The purpose the data is aggregated for (purposes[].id)."),
    ],
    by: Annotated[
        list[str],
        typer.Option(
            "--by",
            help="ITEM[:GENERALIZATION],… e.g. birth_date:age10,address:prefecture "
            "(up to 3; may be repeated). Generalizations: age5, age10, age20, prefecture, "
            "region, postal3, postal1, month, year, email_domain.",
        ),
    ],
    actor: Annotated[str, typer.Option("--actor", help="Who runs it: NAME or ROLE:NAME.")],
    count: Annotated[
        str,
        typer.Option(
            "--count",
            help="subjects (each person once, by their latest values) or records (every "
            "record of the first --by item).",
        ),
    ] = "subjects",
    min_cell: Annotated[
        int | None,
        typer.Option(
            "--min-cell",
            help="Hide figures counting fewer people (default: the policy's statistics "
            "release, else 10; never lower).",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    lang: Annotated[str, typer.Option("--lang", help="Headings in ja or en.")] = "ja",
    db: DbOpt = None,
) -> None:
    """Count people by generalized items (age bands, prefecture…) for a declared purpose;
    small cells and those that would give them away are hidden. One audit entry per run."""
    as_json = fmt == "json"
    problem = None
    if fmt not in FORMATS:
        problem = f"--format {fmt!r}: use one of {', '.join(FORMATS)}"
    elif lang not in WORDS:
        problem = f"--lang {lang!r}: use ja or en"
    elif count not in COUNTS:
        problem = f"--count {count!r}: count subjects or records"
    if problem:
        raise fail(BadInput(problem), as_json=as_json)
    with ledger_for(db, as_json=as_json) as ledger, _progress() as progress:
        result = statistics(
            ledger,
            purpose=purpose,
            by=[part for spec in by for part in spec.split(",")],
            actor=actor,
            count=count,
            min_cell=min_cell,
            progress=progress,
        )
    if fmt == "json":
        print_json({"ok": True, **result.to_dict(lang)})
    elif fmt == "csv":
        sys.stdout.flush()
        sys.stdout.buffer.write(result.to_csv(lang))
        sys.stdout.buffer.flush()
    else:
        _print(result, lang)
