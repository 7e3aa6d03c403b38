"""hogo.yaml -> CompiledPolicy: purposes, joint use, special care and actors."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from hogo.domain.purpose_check import (
    CompiledPolicy,
    ReasonCode,
    SubjectState,
    decide,
)
from hogo.policy.compile import PolicyCompileError, compile_policy
from hogo.policy.loader import load_policy, load_policy_text
from hogo.policy.schema import JointUse, Policy


def edited(path: Path, old: str, new: str) -> Policy:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return load_policy_text(text.replace(old, new)).policy


@pytest.fixture
def compiled(full_policy_path: Path) -> CompiledPolicy:
    loaded = load_policy(full_policy_path)
    return compile_policy(loaded.policy, loaded.digest)


def test_purposes_and_bases(compiled: CompiledPolicy, full_policy_path: Path) -> None:
    assert list(compiled.purposes) == ["orders", "newsletter", "wellness", "list_sales"]
    assert isinstance(compiled.purposes, MappingProxyType)
    bases = {p.id: p.basis for p in compiled.purposes.values()}
    assert bases == {
        "orders": "announced",
        "newsletter": "opt_out",
        "wellness": "consent",
        "list_sales": "opt_out",
    }
    assert compiled.purposes["orders"].items == {"name", "email", "purchases", "card"}
    assert compiled.purposes["newsletter"].items == {"name", "email"}
    assert compiled.digest == load_policy(full_policy_path).digest


def test_digest_defaults_to_empty(full_policy_path: Path) -> None:
    assert compile_policy(load_policy(full_policy_path).policy).digest == ""


def test_special_care_items(compiled: CompiledPolicy) -> None:
    assert compiled.purposes["wellness"].special_care == {"health"}
    assert all(not p.special_care for pid, p in compiled.purposes.items() if pid != "wellness")


def test_no_actor_list_means_any_actor(compiled: CompiledPolicy) -> None:
    assert all(p.actors is None for p in compiled.purposes.values())


def test_actors(full_policy_path: Path) -> None:
    policy = edited(
        full_policy_path,
        "    retention: seven_years\n",
        "    retention: seven_years\n    actors: [support, billing]\n",
    )
    purposes = compile_policy(policy).purposes
    assert purposes["orders"].actors == frozenset({"support", "billing"})
    assert purposes["newsletter"].actors is None


def test_joint_use_items_join_the_purposes_the_group_lists(full_policy_path: Path) -> None:
    # the fixture's group shares name and email for orders, which lists them already
    policy = edited(
        full_policy_path,
        "    items: [name, email]\n    purposes: [orders]\n",
        "    items: [name, email, purchases, health]\n    purposes: [orders, newsletter]\n",
    )
    purposes = compile_policy(policy).purposes
    assert purposes["newsletter"].items == {"name", "email", "purchases", "health"}
    assert purposes["orders"].items == {"name", "email", "purchases", "card", "health"}
    assert purposes["list_sales"].items == {"name", "email"}  # not listed by the group
    assert purposes["wellness"].items == {"name", "health"}
    # an item shared through joint use keeps its special care
    assert purposes["newsletter"].special_care == {"health"}
    assert purposes["orders"].special_care == {"health"}


def test_the_compiled_policy_decides(compiled: CompiledPolicy) -> None:
    def use(state: SubjectState, purpose: str, *items: str) -> ReasonCode:
        return decide(compiled, state, purpose=purpose, items=items, actor="anyone").reason

    clean = SubjectState()
    assert use(clean, "orders", "name", "card") is ReasonCode.ALLOWED
    assert use(clean, "newsletter", "card") is ReasonCode.ITEM_NOT_MAPPED
    assert use(clean, "wellness", "health") is ReasonCode.SPECIAL_CARE_WITHOUT_CONSENT
    assert use(clean, "wellness", "name") is ReasonCode.CONSENT_MISSING
    assert (
        use(SubjectState(consents={"wellness": True}), "wellness", "health") is ReasonCode.ALLOWED
    )
    opted = SubjectState(opted_out=frozenset({"newsletter"}))
    assert use(opted, "newsletter", "email") is ReasonCode.OPTED_OUT
    assert use(opted, "list_sales", "email") is ReasonCode.ALLOWED


def test_unresolved_references_are_errors(full_policy_path: Path) -> None:
    policy = load_policy(full_policy_path).policy
    broken = policy.model_copy(
        update={
            "joint_use": [JointUse(id="g", items=["name", "dna"], purposes=["orders", "ghost"])]
        }
    )
    with pytest.raises(PolicyCompileError) as caught:
        compile_policy(broken)
    message = str(caught.value)
    assert "'dna' is not a declared item" in message
    assert "'ghost' is not a declared purpose" in message

    orders = policy.purposes[0].model_copy(update={"items": ["name", "dna"]})
    broken = policy.model_copy(update={"purposes": [orders, *policy.purposes[1:]]})
    with pytest.raises(PolicyCompileError, match=r"purposes\.orders\.items: 'dna'"):
        compile_policy(broken)

    twice = policy.model_copy(update={"purposes": [*policy.purposes, policy.purposes[0]]})
    with pytest.raises(PolicyCompileError, match="more than once"):
        compile_policy(twice)
