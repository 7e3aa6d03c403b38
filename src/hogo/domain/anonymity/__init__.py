"""Anonymously processed information (APPI Arts. 2(6), 43–46): the k-anonymity engine.

The public API, used by the CSV path (hogo.services.anonymize_csv) and the ledger path:
`Hierarchy` (per quasi-identifier), `anonymize` (the search and the released table),
`anonymize(..., recoding="local")` partitions instead (partition.py),
`Anonymization` (the table with its figures), `NoSolution`, `replace_unusual`.
"""

from hogo.domain.anonymity.engine import anonymize
from hogo.domain.anonymity.hierarchy import SUPPRESSED, Hierarchy, HierarchyError
from hogo.domain.anonymity.result import LOSS_MEASURE, Anonymization, NoSolution, Recoding
from hogo.domain.anonymity.unusual import Replacement, replace_unusual

__all__ = [
    "LOSS_MEASURE",
    "SUPPRESSED",
    "Anonymization",
    "Hierarchy",
    "HierarchyError",
    "NoSolution",
    "Recoding",
    "Replacement",
    "anonymize",
    "replace_unusual",
]
