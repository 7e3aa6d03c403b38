"""How many purpose decisions a second: hogo's `decide` against pycasbin and cedarpy.

The question is the same for all three: may ACTOR use ITEMS of SUBJECT for PURPOSE, under
the showcase policy (examples/showcase/hogo.yaml: 10 purposes, 23 items, actor lists,
consent and opt-out purposes, a special care item) and the subject's state in memory
(consents, opt-outs, suspensions, erasure, items past retention) for 1,000 subjects.
Each library gets the policy and the state in its own idiom, prepared once and outside
the timing (pre-parsed handles for Cedar, an in-memory enforcer for casbin); the peers'
answers are checked against hogo's on a grid of questions before anything is timed.

- hogo: `decide(policy, states[subject], purpose=..., items=..., actor=...)`.
- pycasbin: one `p` line per purpose (basis, actors, special care flag), role links for
  the item mapping, actors and the subject's state (`g`), and one matcher; a question
  about several items is one `enforce` per item, all of which must allow.
- cedarpy: a schema (Actor; Subject with its consents, opt-outs, suspensions and expired
  items as attributes), one `permit` per purpose, one `is_authorized` per question.

Run: make bench   (or .venv/bin/python benchmarks/bench_purpose_check.py)
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from hogo.domain.purpose_check import (
    CompiledPolicy,
    SubjectState,
    decide,
    decide_many,
)
from hogo.policy.compile import compile_policy
from hogo.policy.loader import load_policy

ROOT = Path(__file__).resolve().parents[1]
POLICY_FILE = ROOT / "examples" / "showcase" / "hogo.yaml"
SUBJECTS = 1_000
HOGO_CALLS = 200_000
ROUNDS = 5

Question = tuple[str, str, tuple[str, ...], str]  # subject, purpose, items, actor
Ask = Callable[[str, str, tuple[str, ...], str], bool]

# The timed questions: a consent-based purpose, two items, the purpose's own actor.
ALLOWED: Question = ("s0", "newsletter", ("name", "email"), "marketing")
REFUSED: Question = ("s1", "newsletter", ("name", "email"), "marketing")  # consent withdrawn


def make_states(policy: CompiledPolicy) -> dict[str, SubjectState]:
    """1,000 subjects; s0 consented to everything, s1 withdrew consent, the rest vary."""
    purposes = sorted(policy.purposes)
    states: dict[str, SubjectState] = {}
    for n in range(SUBJECTS):
        consents = {p: (n + i) % 3 != 1 for i, p in enumerate(purposes) if (n + i) % 4 != 3}
        states[f"s{n}"] = SubjectState(
            erased=n % 97 == 5,
            consents=consents,
            opted_out=frozenset(p for i, p in enumerate(purposes) if (n * 7 + i) % 5 == 0),
            suspended_all=n % 89 == 7,
            suspended_purposes=frozenset({purposes[n % len(purposes)]})
            if n % 13 == 2
            else frozenset(),
            expired_items=frozenset({"interview_notes"}) if n % 2 else frozenset(),
        )
    states["s0"] = SubjectState(
        consents=dict.fromkeys(purposes, True), expired_items=frozenset({"interview_notes"})
    )
    states["s1"] = SubjectState(
        consents={**dict.fromkeys(purposes, True), "newsletter": False},
        expired_items=frozenset({"interview_notes"}),
    )
    return states


def grid(policy: CompiledPolicy, states: Mapping[str, SubjectState]) -> list[Question]:
    """Questions the peers must answer as hogo does: every purpose, own and foreign items and actors."""
    questions: list[Question] = []
    all_actors = sorted({a for p in policy.purposes.values() for a in p.actors or ()})
    subjects = list(states)[:60]
    for pid, purpose in policy.purposes.items():
        items = sorted(purpose.items)
        for subject in subjects:
            for actor in [*(sorted(purpose.actors or ())[:1]), all_actors[-1]]:
                questions.append((subject, pid, tuple(items[:2]), actor))
                questions.append((subject, pid, tuple(items), actor))
                questions.append((subject, pid, ("interview_notes", *items[:1]), actor))
                if purpose.special_care:
                    questions.append((subject, pid, tuple(sorted(purpose.special_care)), actor))
    return questions


# --- pycasbin ------------------------------------------------------------------------------

CASBIN_MODEL = """
[request_definition]
r = sub, pur, item, act

[policy_definition]
p = pur, basis, anyactor, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.pur == p.pur && g(r.item, "item:" + p.pur) && !g(r.sub, "erased") && \
(p.anyactor == "1" || g(r.act, "actor:" + p.pur)) && \
!g(r.sub, "suspended:*") && !g(r.sub, "suspended:" + p.pur) && \
(!g(r.item, "special:" + p.pur) || g(r.sub, "consent:" + p.pur)) && \
(p.basis != "consent" || g(r.sub, "consent:" + p.pur)) && \
(p.basis != "opt_out" || !g(r.sub, "optout:" + p.pur)) && \
!g(r.sub, "expired:" + r.item)
"""


def casbin_peer(policy: CompiledPolicy, states: Mapping[str, SubjectState]) -> Ask:
    import casbin  # type: ignore[import-untyped]
    from casbin.model import Model  # type: ignore[import-untyped]

    model = Model()
    model.load_model_from_text(CASBIN_MODEL)
    enforcer = casbin.Enforcer(model)
    links: list[list[str]] = []
    for pid, purpose in policy.purposes.items():
        any_actor = "1" if purpose.actors is None else "0"
        enforcer.add_policy(pid, purpose.basis, any_actor, "allow")
        links += [[item, f"item:{pid}"] for item in purpose.items]
        links += [[item, f"special:{pid}"] for item in purpose.special_care]
        links += [[actor, f"actor:{pid}"] for actor in purpose.actors or ()]
    for subject, state in states.items():
        if state.erased:
            links.append([subject, "erased"])
        if state.suspended_all:
            links.append([subject, "suspended:*"])
        links += [[subject, f"suspended:{p}"] for p in state.suspended_purposes]
        links += [[subject, f"consent:{p}"] for p, given in state.consents.items() if given]
        links += [[subject, f"optout:{p}"] for p in state.opted_out]
        links += [[subject, f"expired:{item}"] for item in state.expired_items]
    enforcer.add_grouping_policies(links)
    enforce = enforcer.enforce

    def ask(subject: str, purpose: str, items: tuple[str, ...], actor: str) -> bool:
        return all(enforce(subject, purpose, item, actor) for item in items)

    return ask


# --- cedarpy -------------------------------------------------------------------------------

CEDAR_SCHEMA = """
entity Actor;
entity Subject = {
  erased: Bool,
  consents: Set<String>,
  opted_out: Set<String>,
  suspended_all: Bool,
  suspended: Set<String>,
  expired: Set<String>,
};
action use appliesTo {
  principal: Actor,
  resource: Subject,
  context: { purpose: String, items: Set<String> },
};
"""


def cedar_policies(policy: CompiledPolicy) -> str:
    """One permit per purpose; anything not permitted is denied."""

    def strings(values: frozenset[str]) -> str:
        return json.dumps(sorted(values))

    texts = []
    for pid, purpose in policy.purposes.items():
        p = json.dumps(pid)
        rules = [
            f"context.purpose == {p}",
            f"{strings(purpose.items)}.containsAll(context.items)",
            "!resource.erased",
            "!resource.suspended_all",
            f"!resource.suspended.contains({p})",
            "!resource.expired.containsAny(context.items)",
        ]
        if purpose.actors is not None:
            actors = ", ".join(f'Actor::"{a}"' for a in sorted(purpose.actors))
            rules.append(f"principal in [{actors}]")
        if purpose.special_care:
            rules.append(
                f"(!{strings(purpose.special_care)}.containsAny(context.items)"
                f" || resource.consents.contains({p}))"
            )
        if purpose.basis == "consent":
            rules.append(f"resource.consents.contains({p})")
        elif purpose.basis == "opt_out":
            rules.append(f"!resource.opted_out.contains({p})")
        condition = " &&\n  ".join(rules)
        texts.append(
            f'@id("{pid}")\npermit (principal, action == Action::"use", resource)\n'
            f"when {{\n  {condition}\n}};"
        )
    return "\n\n".join(texts)


def cedar_peer(policy: CompiledPolicy, states: Mapping[str, SubjectState]) -> Ask:
    import cedarpy

    text = cedar_policies(policy)
    schema = cedarpy.Schema.from_str(CEDAR_SCHEMA)
    validation = cedarpy.validate_policies(text, schema)
    if not validation.validation_passed:
        raise RuntimeError(f"Cedar policies do not validate: {validation.errors}")
    policies = cedarpy.PolicySet.from_str(text)
    actors = sorted({a for p in policy.purposes.values() for a in p.actors or ()} | {"nobody"})
    entities: list[dict[str, Any]] = [
        {"uid": {"type": "Actor", "id": actor}, "attrs": {}, "parents": []} for actor in actors
    ]
    for subject, state in states.items():
        attrs = {
            "erased": state.erased,
            "consents": sorted(p for p, given in state.consents.items() if given),
            "opted_out": sorted(state.opted_out),
            "suspended_all": state.suspended_all,
            "suspended": sorted(state.suspended_purposes),
            "expired": sorted(state.expired_items),
        }
        entities.append({"uid": {"type": "Subject", "id": subject}, "attrs": attrs, "parents": []})
    store = cedarpy.Entities.from_json_str(json.dumps(entities))
    is_authorized = cedarpy.is_authorized

    def ask(subject: str, purpose: str, items: tuple[str, ...], actor: str) -> bool:
        request = {
            "principal": f'Actor::"{actor}"',
            "action": 'Action::"use"',
            "resource": f'Subject::"{subject}"',
            "context": {"purpose": purpose, "items": list(items)},
        }
        return is_authorized(request, policies, store, schema).allowed

    return ask


# --- timing --------------------------------------------------------------------------------


def best_rate(run: Callable[[int], None], calls: int, rounds: int = ROUNDS) -> float:
    """Decisions per second: the best of `rounds` rounds of `calls` decisions."""
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        run(calls)
        best = max(best, calls / (time.perf_counter() - start))
    return best


def hogo_runner(
    policy: CompiledPolicy, states: Mapping[str, SubjectState], question: Question
) -> Callable[[int], None]:
    subject, purpose, items, actor = question

    def run(calls: int) -> None:
        for _ in range(calls):
            decide(policy, states[subject], purpose=purpose, items=items, actor=actor)

    return run


def peer_runner(ask: Ask, question: Question) -> Callable[[int], None]:
    subject, purpose, items, actor = question

    def run(calls: int) -> None:
        for _ in range(calls):
            ask(subject, purpose, items, actor)

    return run


def peer_calls(ask: Ask, question: Question) -> int:
    """Enough calls for about half a second a round."""
    start = time.perf_counter()
    peer_runner(ask, question)(200)
    per_call = (time.perf_counter() - start) / 200
    return max(2_000, int(0.5 / per_call))


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def main() -> None:
    loaded = load_policy(POLICY_FILE)
    policy = compile_policy(loaded.policy, loaded.digest)
    states = make_states(policy)
    questions = grid(policy, states)
    expected = [
        decide(policy, states[s], purpose=p, items=i, actor=a).allowed for s, p, i, a in questions
    ]
    assert decide(
        policy, states["s0"], purpose="newsletter", items=ALLOWED[2], actor="marketing"
    ).allowed
    refused = decide(
        policy, states["s1"], purpose="newsletter", items=REFUSED[2], actor="marketing"
    )
    assert refused.reason == "consent_withdrawn", refused

    print(
        f"Purpose decisions per second, one core ({platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} CPUs)"
    )
    print(
        f"policy: {POLICY_FILE.relative_to(ROOT)} ({len(loaded.policy.purposes)} purposes, "
        f"{len(loaded.policy.items)} items); {SUBJECTS:,} subjects in memory; "
        f"{sum(expected):,} of {len(questions):,} grid questions allowed"
    )
    print(
        f"timed: {ALLOWED[1]} {ALLOWED[2]} by {ALLOWED[3]!r}: allowed (consent granted) / "
        "refused (consent withdrawn)"
    )
    print()

    rates: dict[str, dict[str, float]] = {"hogo": {}}
    for case, question in (("allowed", ALLOWED), ("refused", REFUSED)):
        rates["hogo"][case] = best_rate(hogo_runner(policy, states, question), HOGO_CALLS)
    batch_states = dict(states)

    def run_batch(calls: int) -> None:
        for _ in range(calls // len(batch_states)):
            decide_many(
                policy,
                batch_states,
                purpose="newsletter",
                items=("name", "email"),
                actor="marketing",
            )

    batch_rate = best_rate(run_batch, HOGO_CALLS)

    failures: dict[str, str] = {}
    wrong_answers = False
    peers: dict[str, Callable[[CompiledPolicy, Mapping[str, SubjectState]], Ask]] = {
        f"pycasbin {version('casbin')}": casbin_peer,
        f"cedarpy {version('cedarpy')}": cedar_peer,
    }
    for name, make in peers.items():
        try:
            ask = make(policy, states)
        except ImportError as exc:
            failures[name] = f"not installed ({exc}); pip install -e '.[bench]'"
            continue
        answers = [ask(*q) for q in questions]
        wrong = [
            q for q, got, want in zip(questions, answers, expected, strict=True) if got != want
        ]
        if wrong:
            failures[name] = f"disagrees with hogo on {len(wrong)} questions, e.g. {wrong[0]}"
            wrong_answers = True
            continue
        rates[name] = {}
        for case, question in (("allowed", ALLOWED), ("refused", REFUSED)):
            calls = peer_calls(ask, question)
            rates[name][case] = best_rate(peer_runner(ask, question), calls, rounds=3)

    print(f"{'library':<18} {'allowed/s':>12} {'refused/s':>12} {'hogo ×':>10} {'hogo ×':>10}")
    print(f"{'':<18} {'':>12} {'':>12} {'(allowed)':>10} {'(refused)':>10}")
    hogo = rates["hogo"]
    for name, rate in rates.items():
        ratio_a = hogo["allowed"] / rate["allowed"]
        ratio_r = hogo["refused"] / rate["refused"]
        print(
            f"{name:<18} {rate['allowed']:>12,.0f} {rate['refused']:>12,.0f} "
            f"{ratio_a:>10,.1f} {ratio_r:>10,.1f}"
        )
    print(
        f"{'hogo decide_many':<18} {batch_rate:>12,.0f} {'':>12}   (batches of {len(batch_states):,} subjects, mixed outcomes)"
    )
    for name, why in failures.items():
        print(f"{name}: skipped: {why}")

    target = 1_000_000
    slowest = min(hogo.values())
    verdict = "meets" if slowest >= target else "MISSES"
    print(f"\nhogo {verdict} the target of {target:,} decisions/s (slowest case {slowest:,.0f}/s)")
    if wrong_answers:
        sys.exit(1)  # a peer that answers differently measures a different question


if __name__ == "__main__":
    main()
