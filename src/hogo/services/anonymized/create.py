"""Making an anonymised dataset from the ledger: `hogo anonymize --dataset ID`.

The order of work is the order of the law. The request is checked against the policy in
force before any value is read: the dataset is one the policy declares, its items are
among those published for it (APPI Art. 43(3)), and each item's kind allows it in
(PPC Rules Art. 34(i)–(iii), see processing.py). The values are read for every subject
through the purpose check (Art. 18(1)); the subject ids stay behind (Rules Art. 34(iii)).
Unusual values are replaced (Rules Art. 34(iv)), the quasi-identifiers generalised until
every class has k rows (Rules Art. 34(v)). Then, in one transaction, the creation is
recorded with its method encrypted (Art. 43(2), Rules Art. 35) and the file put in
place: a run that fails anywhere leaves no register row and no file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hogo.domain.anonymity import (
    Anonymization,
    NoSolution,
    Recoding,
    anonymize,
    replace_unusual,
)
from hogo.ledger.audit import Json
from hogo.policy.schema import AnonymizedDataset, Policy
from hogo.services.anonymized.processing import Plan, build_hierarchy, plan
from hogo.services.anonymized.register import NewCreation, check_actor, record_creation
from hogo.services.bulk_read import BulkRead, read_for_purpose
from hogo.services.errors import BadInput, HogoError, NotFound, Refused
from hogo.services.ledger import Ledger, japan_date

MIN_K = 2
"""k = 1 makes every row its own class: no anonymity at all, so it is refused."""

MAX_K = 1_000_000


@dataclass(frozen=True)
class Request:
    """What `hogo anonymize --dataset` asks for."""

    dataset: str
    purpose: str
    quasi: Sequence[str]
    k: int
    output: Path
    items: Sequence[str] | None = None
    """None: the dataset's published items."""
    sensitive: Sequence[str] = ()
    l: int | None = None  # noqa: E741 - the letter the literature uses
    max_suppression: float = 0.0
    unusual: Sequence[str] | None = None
    """Columns whose unusual values are replaced; None: the sensitive and passed-through."""
    recoding: Recoding = "global"
    """global: one level per quasi-identifier for the whole table; local: class by class."""


@dataclass(frozen=True)
class Created:
    """What the operator is told: the figures, never the method."""

    creation_id: int
    dataset: str
    output: Path
    items: tuple[str, ...]
    subjects: int
    subjects_refused: dict[str, int]
    rows_in: int
    rows_released: int
    suppressed: int
    k: int
    l: int | None  # noqa: E741
    classes: int
    loss: float
    loss_measure: str
    risk_highest: float
    risk_average: float
    unusual_replaced: int
    digest: str

    def to_dict(self) -> dict[str, object]:
        return {
            "creation_id": self.creation_id,
            "dataset": self.dataset,
            "output": str(self.output),
            "items": list(self.items),
            "subjects": self.subjects,
            "subjects_refused": dict(self.subjects_refused),
            "rows_in": self.rows_in,
            "rows_released": self.rows_released,
            "suppressed": self.suppressed,
            "k": self.k,
            "l": self.l,
            "classes": self.classes,
            "loss": self.loss,
            "loss_measure": self.loss_measure,
            "risk_highest": self.risk_highest,
            "risk_average": self.risk_average,
            "unusual_replaced": self.unusual_replaced,
            "digest": self.digest,
        }


def _check_numbers(request: Request) -> None:
    k, l_div, share = request.k, request.l, request.max_suppression
    if isinstance(k, bool) or not isinstance(k, int) or not MIN_K <= k <= MAX_K:
        raise BadInput(f"k must be a whole number from {MIN_K} to {MAX_K:,}")
    if l_div is not None:
        if isinstance(l_div, bool) or not isinstance(l_div, int) or not 1 <= l_div <= k:
            raise BadInput("l must be a whole number from 1 to k")
        if not request.sensitive:
            raise BadInput("l-diversity needs a sensitive item (--sensitive)")
    if not isinstance(share, int | float) or not (math.isfinite(share) and 0 <= share < 1):
        raise BadInput("--max-suppression is a share from 0 up to (not including) 1, e.g. 0.01")


def _check_output(path: Path) -> None:
    if path.exists():
        raise BadInput(f"{path} already exists; a released dataset is never overwritten")
    if not path.parent.is_dir():
        raise BadInput(f"no folder {path.parent} to write {path.name} in")


def _dataset(policy: Policy, dataset_id: str) -> AnonymizedDataset:
    found = next((d for d in policy.anonymized if d.id == dataset_id), None)
    if found is None:
        known = ", ".join(d.id for d in policy.anonymized) or "none"
        raise NotFound(
            f"the policy in force declares no anonymised dataset {dataset_id!r} (declared: {known})"
        )
    return found


def _columns(read: BulkRead, items: Sequence[str]) -> dict[str, list[str]]:
    return {item: [row.get(item) or "" for row in read.rows] for item in items}


def _unusual_columns(request: Request, columns_plan: Plan) -> list[str]:
    if request.unusual is None:
        return [*columns_plan.sensitive, *columns_plan.passed]
    named = list(dict.fromkeys(request.unusual))
    stray = [n for n in named if n not in columns_plan.items]
    if stray:
        raise BadInput(f"--unusual names {', '.join(stray)}, not among the items of the run")
    quasi = [n for n in named if n in columns_plan.quasi]
    if quasi:
        raise BadInput(
            f"--unusual names quasi-identifier(s) {', '.join(quasi)}: their rare values are "
            "generalised or suppressed by k-anonymity instead"
        )
    return named


def _unusual(
    columns: dict[str, list[str]], names: Sequence[str], min_count: int
) -> tuple[int, dict[str, Json]]:
    """Rules Art. 34(iv): a category fewer than `min_count` rows share is withheld, numbers
    are top- and bottom-coded (as the CSV path does: min_count is max(k, 2))."""
    replaced = 0
    method: dict[str, Json] = {}
    for name in names:
        done = replace_unusual(columns[name], min_count=min_count)
        columns[name] = done.values
        replaced += done.replaced
        method[name] = {
            "method": done.method,
            "replaced": done.replaced,
            "low": done.low,
            "high": done.high,
        }
    return replaced, {"min_count": min_count, "columns": method}


def _csv(result: Anonymization, items: Sequence[str]) -> bytes:
    """The released table: one column per item, ids as headers, no subject id, no method."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(items)
    writer.writerows(zip(*(result.columns[i] for i in items), strict=True))
    return buffer.getvalue().encode("utf-8")


def _place(temporary: Path, target: Path) -> None:
    """Put the file in place without replacing one that appeared meanwhile."""
    try:
        target.hardlink_to(temporary)
    except FileExistsError:
        raise BadInput(
            f"{target} already exists; a released dataset is never overwritten"
        ) from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise BadInput(f"{target} already exists") from None
        temporary.replace(target)


def create(ledger: Ledger, request: Request, *, actor: str) -> Created:
    """Make the dataset, write it to `request.output`, and record the creation."""
    check_actor(actor)
    _check_numbers(request)
    output = request.output
    _check_output(output)
    with ledger.engine.connect() as conn:
        version = ledger.policy_in_force(conn)
    dataset = _dataset(version.policy, request.dataset)
    columns_plan = plan(
        dataset,
        version.items,
        items=request.items,
        quasi=request.quasi,
        sensitive=request.sensitive,
    )
    unusual = _unusual_columns(request, columns_plan)
    read = read_for_purpose(
        ledger,
        purpose=request.purpose,
        items=columns_plan.items,
        actor=actor,
        detail={"for": "anonymize", "dataset": dataset.id},
    )
    if read.version.version_id != version.version_id:
        raise Refused("the policy in force changed during the run; run it again")
    if not read.rows:
        raise NoRows(read)
    result, method, replaced = _process(read, dataset, columns_plan, request, unusual)
    data = _csv(result, columns_plan.items)
    digest = hashlib.sha256(data).hexdigest()
    item_labels = {
        i: {"ja": version.items[i].label.ja, "en": version.items[i].label.en}
        for i in columns_plan.items
    }
    new = NewCreation(
        dataset=dataset.id,
        label={"ja": dataset.label.ja, "en": dataset.label.en},
        items=columns_plan.items,
        item_labels=item_labels,
        actor=actor,
        purpose=request.purpose,
        policy_version_id=version.version_id,
        k=result.k,
        l=result.l,
        classes=result.classes,
        rows_released=result.released,
        suppressed=result.suppressed,
        subjects_refused=sum(read.refused.values()),
        loss=result.loss,
        risk_highest=result.risk_highest,
        risk_average=result.risk_average,
        digest=digest,
        method=method,
    )
    creation_id = _commit(ledger, new, data, output)
    return Created(
        creation_id=creation_id,
        dataset=dataset.id,
        output=output,
        items=columns_plan.items,
        subjects=read.subjects,
        subjects_refused=dict(read.refused),
        rows_in=result.rows_in,
        rows_released=result.released,
        suppressed=result.suppressed,
        k=result.k,
        l=result.l,
        classes=result.classes,
        loss=result.loss,
        loss_measure=result.loss_measure,
        risk_highest=result.risk_highest,
        risk_average=result.risk_average,
        unusual_replaced=replaced,
        digest=digest,
    )


class NoRows(Refused):
    """Every subject was refused, or there is none: nothing to anonymise."""

    def __init__(self, read: BulkRead) -> None:
        reasons = ", ".join(f"{n} {r}" for r, n in sorted(read.refused.items())) or "none held"
        super().__init__(
            f"no subject's data may be used for this purpose ({read.subjects} subjects: "
            f"{reasons}); nothing to anonymise",
            code="no_rows",
        )


def _process(
    read: BulkRead,
    dataset: AnonymizedDataset,
    columns_plan: Plan,
    request: Request,
    unusual: Sequence[str],
) -> tuple[Anonymization, dict[str, Json], int]:
    columns = _columns(read, columns_plan.items)
    today = japan_date(read.at)
    hierarchies = {}
    quasi_method: dict[str, Json] = {}
    for name in columns_plan.quasi:
        built = build_hierarchy(
            read.version.items[name],
            dataset.generalizations.get(name),
            columns[name],
            lifted=name in columns_plan.lifted,
            today=today,
        )
        columns[name] = built.column
        hierarchies[name] = built.hierarchy
        quasi_method[name] = built.method
    replaced, unusual_method = _unusual(columns, unusual, max(request.k, 2))
    try:
        result = anonymize(
            columns,
            quasi=hierarchies,
            sensitive=list(columns_plan.sensitive),
            k=request.k,
            l=request.l,
            max_suppression=request.max_suppression,
            recoding=request.recoding,
        )
    except NoSolution as exc:
        raise HogoError(
            f"{exc}; allow more suppression (--max-suppression), lower k or l, or declare "
            "coarser generalizations",
            code="no_solution",
        ) from None
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    for name, level in result.levels.items():
        entry = quasi_method[name]
        assert isinstance(entry, dict)
        entry["level"] = level + (1 if name in columns_plan.lifted else 0)
    method: dict[str, Json] = {
        "quasi": quasi_method,
        "sensitive": list(columns_plan.sensitive),
        "passed_through": list(columns_plan.passed),
        "unusual": unusual_method,
        "k_asked": request.k,
        "l_asked": request.l,
        "max_suppression": request.max_suppression,
        "recoding": request.recoding,
        "loss_measure": result.loss_measure,
        "nodes_checked": result.nodes_checked,
        "lattice_size": result.lattice_size,
        "today": today.isoformat(),
    }
    return result, method, replaced


def _commit(ledger: Ledger, new: NewCreation, data: bytes, output: Path) -> int:
    """Record and place the file in one transaction: the row only with the file, the file
    only with the row (removed again if the commit fails after it was placed)."""
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=".hogo-anonymize-", suffix=".csv")
    temporary = Path(name)
    placed = False
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        with ledger.engine.begin() as conn:
            creation_id, _ = record_creation(ledger, conn, new)
            _place(temporary, output)
            placed = True
    except BaseException:
        if placed:
            with contextlib.suppress(OSError):
                output.unlink()
        raise
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    return creation_id
