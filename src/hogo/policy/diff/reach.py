"""Whom a change of the policy concerns, and which purposes it makes need consent again.

The diff says what a change obliges (editorial, notify, consent); publishing it also has
to know whom to tell and what to stop. A change about a purpose concerns the people whose
data the purpose uses (the holders of its items); a change about an item, its holders; a
change about a source, the people collected from it; a change to who the company is, how
to reach it or how requests are made concerns everyone (APPI Art. 32(1)). What only the
published policy tells, and no record in the ledger is about (website modules, anonymised
datasets, statistics), concerns nobody in the ledger: publishing the policy is its notice.

Consent again (Art. 17(2), 18(1)) is asked per purpose, because the purpose check decides
per purpose: a consent-level change of a purpose, of a joint use group (whose items the
purposes it lists use), or of an item (for the purposes that use it) reaches those
purposes. Consent-level changes to third-party recipients are about provision, not use,
and reach no purpose here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from hogo.policy.diff.model import Change, ChangeClass
from hogo.policy.schema import Policy

Who = Literal["everyone", "holders", "nobody"]

_KEYED = re.compile(r"^(?P<section>[a-z_.]+?)\[(?P<id>[a-z][a-z0-9_]*)\]")
"""The first entry with an id on a dotted path: 'third_party.recipients[x].country'."""

NOBODY_SECTIONS = frozenset({"modules", "anonymized", "statistics"})
"""Sections about what no ledger record is about: the published policy is their notice."""


@dataclass(frozen=True)
class Reach:
    """The people a change concerns, as the ledger can find them, and its purposes.

    `who` is "everyone" (every subject not erased), "holders" (subjects holding a record of
    one of `items` or collected from one of `sources`) or "nobody". `purposes` are the
    purposes the change is about (for the notice's wording); `reconsent` those whose uses
    of data held before the change need consent again (only for consent-level changes).
    """

    who: Who
    purposes: frozenset[str] = frozenset()
    items: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    reconsent: frozenset[str] = frozenset()


EVERYONE = Reach("everyone")
NOBODY = Reach("nobody")


def _purpose_items(policy: Policy, purpose_id: str) -> set[str]:
    """The items a purpose uses: its own and those of joint use groups listing it."""
    purpose = policy.purpose(purpose_id)
    found = set(purpose.items) if purpose else set()
    for group in policy.joint_use:
        if purpose_id in group.purposes:
            found.update(group.items)
    return found


def _both(old: Policy, new: Policy, pick: Callable[[Policy], Iterable[str]]) -> frozenset[str]:
    return frozenset(pick(old)) | frozenset(pick(new))


def _holders(
    purposes: Iterable[str], old: Policy, new: Policy, reconsent: Iterable[str] = ()
) -> Reach:
    wanted = frozenset(purposes)
    items = frozenset().union(*(_purpose_items(p, pid) for p in (old, new) for pid in wanted))
    return Reach("holders", purposes=wanted, items=items, reconsent=frozenset(reconsent))


def _purpose(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    return _holders({entry}, old, new, {entry} if consent and new.purpose(entry) else ())


def _item(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    using = frozenset(p.id for p in new.purposes if entry in _purpose_items(new, p.id))
    return Reach(
        "holders",
        purposes=using,
        items=frozenset({entry}),
        reconsent=using if consent else frozenset(),
    )


def _source(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    return Reach("holders", sources=frozenset({entry}))


def _retention(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    users = _both(old, new, lambda p: (q.id for q in p.purposes if q.retention == entry))
    return _holders(users, old, new)


def _recipient(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    def entries(policy: Policy) -> list[tuple[list[str], list[str]]]:
        return [(r.items, r.purposes) for r in policy.third_party.recipients if r.id == entry]

    items = _both(old, new, lambda p: (i for items, _ in entries(p) for i in items))
    purposes = _both(old, new, lambda p: (q for _, ps in entries(p) for q in ps))
    return Reach("holders", purposes=purposes, items=items)


def _joint_use(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    def groups(policy: Policy) -> list[tuple[list[str], list[str]]]:
        return [(g.items, g.purposes) for g in policy.joint_use if g.id == entry]

    items = _both(old, new, lambda p: (i for items, _ in groups(p) for i in items))
    purposes = _both(old, new, lambda p: (q for _, ps in groups(p) for q in ps))
    again = frozenset(q for _, ps in groups(new) for q in ps if new.purpose(q)) if consent else ()
    return Reach("holders", purposes=purposes, items=items, reconsent=frozenset(again))


def _vendor(entry: str, consent: bool, old: Policy, new: Policy) -> Reach:
    items = _both(
        old, new, lambda p: (i for v in p.entrustment.vendors if v.id == entry for i in v.items)
    )
    return Reach("holders", items=items)


_BY_ENTRY: dict[str, Callable[[str, bool, Policy, Policy], Reach]] = {
    "purposes": _purpose,
    "items": _item,
    "sources": _source,
    "retention": _retention,
    "third_party.recipients": _recipient,
    "joint_use": _joint_use,
    "entrustment.vendors": _vendor,
}


def _opt_out(old: Policy, new: Policy) -> Reach:
    provisions = [p.third_party.opt_out for p in (old, new) if p.third_party.opt_out]
    found = _holders({o.purpose for o in provisions if o.purpose}, old, new)
    items = frozenset(i for o in provisions for i in o.items)
    return Reach("holders", purposes=found.purposes, items=found.items | items)


def reach(change: Change, old: Policy, new: Policy) -> Reach:
    """Whom `change` (a change from `old` to `new`) concerns; see the module docstring."""
    consent = change.change_class is ChangeClass.CONSENT
    keyed = _KEYED.match(change.path)
    if keyed is not None:
        section, entry = keyed["section"], keyed["id"]
        if section in NOBODY_SECTIONS:
            return NOBODY
        handler = _BY_ENTRY.get(section)
        if handler is not None:
            return handler(entry, consent, old, new)
    top = re.split(r"[.\[]", change.path, maxsplit=1)[0]
    if top in NOBODY_SECTIONS:
        return NOBODY
    if change.path == "third_party.opt_out" or change.path.startswith("third_party.opt_out."):
        return _opt_out(old, new)
    return EVERYONE


__all__ = ["EVERYONE", "NOBODY", "Reach", "Who", "reach"]
