"""What the policy in force declares, as the console's forms offer it: (id, label) pairs.

A form that asks for items, purposes, sources, recipients or vendors offers these values
(select lists, checkboxes) labelled with the policy's own words in the reader's language,
and `unknown` tells the caller which posted values the policy does not declare: a hostile
or stale form is refused by name rather than passed on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hogo.ledger.engine import READ_ONLY
from hogo.policy.schema import LANGS
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Choices:
    """The policy's declared values in its own order, each (id, label in one language)."""

    items: Pairs
    purposes: Pairs
    sources: Pairs
    recipients: Pairs
    """Third parties the policy names (third_party.recipients, Art. 27)."""
    vendors: Pairs
    """Entrustees (entrustment.vendors, Art. 25)."""

    def label(self, kind: str, value: str) -> str:
        """The label of `value` among `kind` (items, purposes…), or the id when undeclared."""
        pairs: Pairs = getattr(self, kind)
        return dict(pairs).get(value, value)


def choices(ledger: Ledger, lang: str = "en") -> Choices:
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        policy = ledger.policy_in_force(conn).policy
    return Choices(
        items=tuple((i.id, i.label[lang]) for i in policy.items),
        purposes=tuple((p.id, p.label[lang]) for p in policy.purposes),
        sources=tuple((s.id, s.label[lang]) for s in policy.sources),
        recipients=tuple((r.id, r.name[lang]) for r in policy.third_party.recipients),
        vendors=tuple((v.id, v.name[lang]) for v in policy.entrustment.vendors),
    )


def unknown(values: Iterable[str], declared: Sequence[tuple[str, str]]) -> list[str]:
    """The values not among `declared`, in the order given, each once."""
    known = {value for value, _ in declared}
    return [v for v in dict.fromkeys(values) if v not in known]
