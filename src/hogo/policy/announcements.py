"""What the published policy announces beyond hogo.yaml: anonymised datasets created.

hogo.yaml says which anonymised datasets the company makes; the ledger's register says
when each was actually made and with which items. The law wants the latter published
promptly after each creation (APPI Art. 43(3), Rules Art. 36), so the rendered policy
takes both. The labels are carried here, not looked up in the policy, because a
creation stays announced after the policy drops its dataset or one of its items.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from hogo.policy.schema import Text

LISTED_DATES = 3
"""A group with more creations than this shows its first and latest date and a count."""


@dataclass(frozen=True)
class CreatedDataset:
    """One creation as announced: the dataset, its label, the day and the items' labels."""

    dataset: str
    label: Text
    created_on: date
    items: tuple[str, ...]
    item_labels: tuple[Text, ...]


@dataclass(frozen=True)
class CreationGroup:
    """Creations of one dataset with the same items: announced once, with their dates."""

    item_labels: tuple[Text, ...]
    dates: tuple[date, ...]

    @property
    def listed(self) -> bool:
        return len(self.dates) <= LISTED_DATES


@dataclass(frozen=True)
class DatasetCreations:
    dataset: str
    label: Text
    groups: tuple[CreationGroup, ...]


def group_creations(created: Iterable[CreatedDataset]) -> dict[str, DatasetCreations]:
    """Creations by dataset, in order of first creation, each split by item set."""
    ordered = sorted(created, key=lambda c: (c.created_on, c.dataset, c.items))
    by_dataset: dict[str, dict[tuple[str, ...], list[CreatedDataset]]] = {}
    for creation in ordered:
        by_dataset.setdefault(creation.dataset, {}).setdefault(creation.items, []).append(creation)
    out = {}
    for dataset, by_items in by_dataset.items():
        latest = max((c for same in by_items.values() for c in same), key=lambda c: c.created_on)
        groups = tuple(
            CreationGroup(
                item_labels=same[-1].item_labels,
                dates=tuple(dict.fromkeys(c.created_on for c in same)),
            )
            for same in by_items.values()
        )
        out[dataset] = DatasetCreations(dataset, latest.label, groups)
    return out


def for_datasets(
    grouped: dict[str, DatasetCreations], declared: Sequence[str]
) -> tuple[dict[str, DatasetCreations], list[DatasetCreations]]:
    """Split into the datasets the policy declares and those it no longer does."""
    known = {d: grouped[d] for d in declared if d in grouped}
    others = [group for dataset, group in grouped.items() if dataset not in known]
    return known, others
