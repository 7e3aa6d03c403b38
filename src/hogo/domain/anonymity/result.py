"""What an anonymization gives back, whichever recoding made it (engine.py, partition.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Recoding = Literal["global", "local"]
"""How generalization applies: one rule for the whole table, or class by class."""

LOSS_MEASURE = "ncp"
"""The information-loss measure reported: normalized certainty penalty, suppressed rows as 1."""


class NoSolution(ValueError):
    """No generalization satisfies k (and l) within the suppression limit."""


@dataclass(frozen=True)
class Anonymization:
    """The released table and the figures an operator checks before releasing it.

    `levels` is the processing method: APPI Art. 43(2) requires keeping it secret, so it
    belongs in the operator's report, never in the released file.
    """

    columns: dict[str, list[str]]
    """The released table by column, suppressed rows removed, rows in an order derived from
    their released values only (input order can be a linking key)."""
    levels: dict[str, int]
    k: int
    """The smallest class released (at least the k asked for)."""
    l: int | None  # noqa: E741 - the letter the literature uses
    """The fewest distinct values of a sensitive column in a released class; None without one."""
    classes: int
    suppressed: int
    loss: float
    risk_highest: float
    """Prosecutor risk of the most exposed released record: 1 / the smallest class."""
    risk_average: float
    """Prosecutor risk averaged over released records: classes / released rows."""
    nodes_checked: int
    lattice_size: int
    rows_in: int
    loss_measure: str = LOSS_MEASURE
    recoding: str = "global"
    """"global": one hierarchy level per quasi-identifier for the whole table (`levels`);
    "local": each class at its own granularity (partition.py; `levels` is empty)."""

    @property
    def rows(self) -> list[dict[str, str]]:
        names = list(self.columns)
        return [
            dict(zip(names, cells, strict=True))
            for cells in zip(*self.columns.values(), strict=True)
        ]

    @property
    def released(self) -> int:
        return self.rows_in - self.suppressed

    def report(self) -> dict[str, Any]:
        """The figures for the operator (includes the method: not for the recipient)."""
        return {
            "rows_in": self.rows_in,
            "released": self.released,
            "suppressed": self.suppressed,
            "k": self.k,
            "l": self.l,
            "classes": self.classes,
            "loss": self.loss,
            "loss_measure": self.loss_measure,
            "risk_highest": self.risk_highest,
            "risk_average": self.risk_average,
            "recoding": self.recoding,
            "levels": dict(self.levels),
            "nodes_checked": self.nodes_checked,
            "lattice_size": self.lattice_size,
        }
