"""hogo.yaml -> CompiledPolicy: the policy reduced to plain frozensets for the purpose check.

Compiled once per policy version, so each decision costs a few look-ups instead of walking
pydantic models; joint use is folded into the purposes it lists here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hogo.domain import purpose_check
from hogo.domain.purpose_check import CompiledPolicy, CompiledPurpose
from hogo.policy.schema import Basis, Policy

_BASIS: Mapping[Basis, purpose_check.Basis] = MappingProxyType(
    {Basis.ANNOUNCED: "announced", Basis.CONSENT: "consent", Basis.OPT_OUT: "opt_out"}
)


class PolicyCompileError(ValueError):
    """The policy refers to an item or purpose it does not declare, so it cannot be enforced."""


def compile_policy(policy: Policy, digest: str = "") -> CompiledPolicy:
    """Build the purpose check's view of `policy`; `digest` names the version it came from.

    Each purpose's items are those it lists plus those of every joint use group that lists
    it (Art. 27(5)(iii): joint use is within the announced purposes, not provision to a
    third party). Its special care items are those of its items marked `special_care`
    (Art. 2(3)); an empty `actors` list means any actor.

    An unresolved reference is an error rather than something skipped: an undeclared item
    could be special care-required, and the check must not guess that it is not.
    """
    declared = {item.id: item for item in policy.items}
    items_of: dict[str, set[str]] = {p.id: set(p.items) for p in policy.purposes}
    problems: list[str] = []
    if len(items_of) != len(policy.purposes):
        problems.append("purposes: a purpose id is declared more than once")
    for purpose in policy.purposes:
        problems += [
            f"purposes.{purpose.id}.items: {item!r} is not a declared item"
            for item in purpose.items
            if item not in declared
        ]
    for group in policy.joint_use:
        problems += [
            f"joint_use.{group.id}.items: {item!r} is not a declared item"
            for item in group.items
            if item not in declared
        ]
        for purpose_id in group.purposes:
            if purpose_id in items_of:
                items_of[purpose_id].update(group.items)
            else:
                problems.append(
                    f"joint_use.{group.id}.purposes: {purpose_id!r} is not a declared purpose"
                )
    if problems:
        raise PolicyCompileError("; ".join(problems))

    purposes: dict[str, CompiledPurpose] = {}
    for purpose in policy.purposes:
        items = frozenset(items_of[purpose.id])
        purposes[purpose.id] = CompiledPurpose(
            id=purpose.id,
            items=items,
            basis=_BASIS[purpose.basis],
            actors=frozenset(purpose.actors) if purpose.actors else None,
            special_care=frozenset(i for i in items if declared[i].special_care),
        )
    return CompiledPolicy(purposes=purposes, digest=digest)


__all__ = ["PolicyCompileError", "compile_policy"]
