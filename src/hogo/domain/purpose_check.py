"""The purpose check: may this actor use these items of this subject for this purpose?

A pure function of the compiled policy and the subject's state. It reads no clock, no
database and no file, so it is tested without any of them and the ledger, the batch API
and any future service ask it the same question the same way. The ledger computes the
state (consents from their history, expired items from due dates and today) and audits
the answer; this module only decides.

The rules, in the order they are checked (the first that applies is the reason):

1. the purpose is one the policy announces (APPI Art. 17(1), 18(1));
2. the subject has not been erased (Art. 35: deletion on request; Art. 22: no longer needed);
3. the policy maps every requested item to the purpose, directly or through a joint use
   group that lists the purpose (Art. 18(1); joint use: Art. 27(5)(iii));
4. the actor is one the policy lets act for the purpose (Art. 23: security measures,
   access limited to those who need it);
5. use is not suspended, for all purposes or this one (Art. 35(1)–(4): suspension of use
   on the subject's request, or a hold);
6. special care-required items are used only with the subject's consent to this purpose,
   whatever the purpose's basis (Art. 20(2) for acquisition, Art. 18(1) for use beyond
   what was announced);
7. the purpose's basis holds: consent granted and not withdrawn (Art. 18(1), 27(1)), or
   the subject has not opted out (Art. 27(2));
8. the purpose has not changed, since the subject's data was acquired, beyond what the
   subject last agreed to: a published change that needs consent (beyond the reasonably
   related scope, Art. 17(2), 18(1)) applies to data already held only once the subject
   consents again after it;
9. no requested item is past its retention period (Art. 22: erase without delay when
   no longer needed).

Speed: `decide` answers a million questions a second on one core. Everything that
depends only on the question (purpose, items, actor) and the policy is worked out once
and kept in a small per-policy table of "plans", each holding the Decision objects it can
return; so an answer costs one dictionary look-up and a few attribute reads, and
builds no Decision (the only allocation is the look-up key). Decisions are immutable, so
sharing them between calls is safe. benchmarks/bench_purpose_check.py measures it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

Basis = Literal["announced", "consent", "opt_out"]
"""Why a purpose may use a subject's data (Art. 17, 18, 21, 27(2))."""

BASES: frozenset[str] = frozenset({"announced", "consent", "opt_out"})

MAX_PLANS = 4096
"""Distinct (purpose, items, actor) questions remembered per policy before the table is
emptied: real callers ask a handful of questions many times, and a caller asking ever new
ones must not grow memory without bound."""


class ReasonCode(StrEnum):
    """Why a use was allowed or refused: machine-readable, stable, written to the audit trail."""

    ALLOWED = "allowed"
    PURPOSE_UNKNOWN = "purpose_unknown"
    ITEM_NOT_MAPPED = "item_not_mapped"
    ACTOR_NOT_ALLOWED = "actor_not_allowed"
    CONSENT_MISSING = "consent_missing"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    OPTED_OUT = "opted_out"
    USE_SUSPENDED = "use_suspended"
    RETENTION_PASSED = "retention_passed"
    ERASED = "erased"
    SPECIAL_CARE_WITHOUT_CONSENT = "special_care_without_consent"
    RECONSENT_REQUIRED = "reconsent_required"


@dataclass(frozen=True, slots=True)
class Reconsent:
    """A published change of a purpose that needs each person's consent again.

    A purpose changed beyond what is reasonably related to it (Art. 17(2)), or so that
    people have less say, may be used for data already held only with the person's
    consent (Art. 18(1)). `version_id` is the policy version that made the change (and
    `version` its label, for the refusal's detail): a subject first collected under it or
    a later version was told of the changed purpose at acquisition (Art. 21), so the
    requirement does not reach it. `after` is the id of the last consent row when the
    change was published: a consent history is ordered by id, so only a grant with a
    higher id was given after the change.
    """

    version_id: int
    after: int
    version: str = ""


@dataclass(frozen=True, slots=True)
class CompiledPurpose:
    """One purpose as the check needs it: plain frozensets, no pydantic, no labels.

    `items` already includes the items joint use groups make available to the purpose, so
    the check never walks the joint use list. `actors` is None when any actor may act.
    """

    id: str
    items: frozenset[str]
    basis: Basis = "announced"
    actors: frozenset[str] | None = None
    special_care: frozenset[str] = frozenset()
    reconsent: Reconsent | None = None
    """The latest change of the purpose that needs consent again; None when there is none."""

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"basis {self.basis!r} is not one of {sorted(BASES)}")
        if not self.special_care <= self.items:
            extra = sorted(self.special_care - self.items)
            raise ValueError(f"special care items {extra} are not items of purpose {self.id!r}")


@dataclass(frozen=True)
class CompiledPolicy:
    """The policy in force, reduced to what the purpose check reads.

    `purposes` is a read-only view of a plain dict. `digest` names the policy version the
    decisions were made under (the ledger records it). The private plan table is a cache:
    it changes no answer, only how fast it comes.
    """

    purposes: Mapping[str, CompiledPurpose]
    digest: str = ""
    _plans: dict[tuple[str, tuple[str, ...], str], _Plan] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        purposes = dict(self.purposes)
        for key, purpose in purposes.items():
            if key != purpose.id:
                raise ValueError(f"purpose {purpose.id!r} is filed under {key!r}")
        object.__setattr__(self, "purposes", MappingProxyType(purposes))


_EMPTY: Mapping[str, bool] = MappingProxyType({})
_NO_IDS: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SubjectState:
    """What the check needs to know about one subject, read once per call or per batch.

    `consents` maps a purpose id to its current state: True granted, False withdrawn; a
    purpose never consented to is absent; `consent_ids` gives, for the same purposes, the
    id of that latest row (the history's order), which tells a consent given after a
    change of the purpose from one given before it. `collected_under` is the policy
    version in force when the subject was first collected (0 when unknown, which counts as
    before every change). `expired_items` are the items whose every record is past its
    retention due date, computed by the ledger from the due dates and today, so the
    decision itself never reads a clock.
    """

    erased: bool = False
    consents: Mapping[str, bool] = field(default_factory=lambda: _EMPTY)
    opted_out: frozenset[str] = frozenset()
    suspended_all: bool = False
    suspended_purposes: frozenset[str] = frozenset()
    expired_items: frozenset[str] = frozenset()
    consent_ids: Mapping[str, int] = field(default_factory=lambda: _NO_IDS)
    collected_under: int = 0


ALL_PURPOSES = "*"
"""`Decision.detail` of a use_suspended refusal when every purpose is suspended."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer: allowed or not, the reason code, and what it is about.

    `detail` names the offending thing where there is one: the item (item_not_mapped,
    special_care_without_consent, retention_passed), the actor (actor_not_allowed), for
    use_suspended the suspended purpose or "*" for all purposes, or for
    reconsent_required the version of the policy that changed the purpose.
    """

    allowed: bool
    reason: ReasonCode
    purpose: str
    items: tuple[str, ...]
    detail: str = ""

    def sentence(self, lang: Literal["ja", "en"] = "ja") -> str:
        """The decision as a sentence for the person who asked, in Japanese or English."""
        if lang == "ja":
            templates = _JA
        elif lang == "en":
            templates = _EN
        else:
            raise ValueError(f"language {lang!r} is not ja or en")
        reason = self.reason
        if reason is ReasonCode.USE_SUSPENDED and self.detail == ALL_PURPOSES:
            template = templates["use_suspended_all"]
        else:
            template = templates[reason.value]
        sep = "、" if lang == "ja" else ", "
        return template.format(p=self.purpose, d=self.detail, items=sep.join(self.items))


_JA: Mapping[str, str] = MappingProxyType(
    {
        "allowed": "利用目的「{p}」のため、項目「{items}」を利用できます。",
        "purpose_unknown": "利用目的「{p}」はプライバシーポリシーで公表されていないため、利用できません。",
        "erased": "本人の個人データは消去されているため、利用目的「{p}」のために利用できません。",
        "item_not_mapped": "利用目的「{p}」に項目「{d}」は含まれていないため、利用できません。",
        "actor_not_allowed": "「{d}」は利用目的「{p}」のための取扱いを認められていないため、利用できません。",
        "use_suspended": "利用目的「{p}」での利用は停止されているため、利用できません。",
        "use_suspended_all": "本人の個人データはすべての利用目的で利用が停止されているため、利用目的「{p}」のためにも利用できません。",
        "special_care_without_consent": "項目「{d}」は要配慮個人情報であり、利用目的「{p}」について本人の同意を得ていないため、利用できません。",
        "consent_missing": "利用目的「{p}」には本人の同意が必要ですが、同意を得ていないため、利用できません。",
        "consent_withdrawn": "本人が利用目的「{p}」への同意を撤回しているため、利用できません。",
        "opted_out": "本人が利用目的「{p}」での利用の停止を求めている（オプトアウト）ため、利用できません。",
        "retention_passed": "項目「{d}」は保存期間を過ぎているため、利用目的「{p}」のために利用できません。",
        "reconsent_required": "利用目的「{p}」はプライバシーポリシーの改定（{d}版）により変更されたため、改定後に本人から改めて同意を得るまで利用できません。",
    }
)

_EN: Mapping[str, str] = MappingProxyType(
    {
        "allowed": "The items {items} may be used for the purpose “{p}”.",
        "purpose_unknown": "“{p}” is not a purpose announced in the privacy policy, so the data cannot be used for it.",
        "erased": "The person's data has been erased, so it cannot be used for the purpose “{p}”.",
        "item_not_mapped": "The purpose “{p}” does not include the item “{d}”, so it cannot be used.",
        "actor_not_allowed": "“{d}” is not allowed to handle data for the purpose “{p}”, so the data cannot be used.",
        "use_suspended": "Use of the person's data for the purpose “{p}” is suspended, so it cannot be used.",
        "use_suspended_all": "Use of the person's data is suspended for every purpose, so it cannot be used for the purpose “{p}” either.",
        "special_care_without_consent": "The item “{d}” is special care-required information and the person has not consented to the purpose “{p}”, so it cannot be used.",
        "consent_missing": "The purpose “{p}” needs the person's consent, which has not been given, so the data cannot be used.",
        "consent_withdrawn": "The person has withdrawn consent to the purpose “{p}”, so the data cannot be used.",
        "opted_out": "The person has opted out of the purpose “{p}”, so the data cannot be used for it.",
        "retention_passed": "The item “{d}” is past its retention period, so it cannot be used for the purpose “{p}”.",
        "reconsent_required": "The purpose “{p}” was changed by version {d} of the privacy policy in a way that needs the person's consent again, which has not been given since, so the data cannot be used.",
    }
)

_NO_BASIS, _NEEDS_CONSENT, _NEEDS_NO_OPT_OUT = 0, 1, 2
_BASIS_CODE: Mapping[str, int] = MappingProxyType(
    {"announced": _NO_BASIS, "consent": _NEEDS_CONSENT, "opt_out": _NEEDS_NO_OPT_OUT}
)


class _Plan:
    """Everything about one question (purpose, items, actor) that no subject changes.

    `unknown` is the refusal of a purpose the policy does not know (checked before the
    subject); `static` is the refusal the question earns whatever the subject, once the
    subject is known not to be erased (item not mapped, actor not allowed). Otherwise the
    per-subject checks read `special`, `basis` and `item_set` and return one of the
    prepared Decisions.
    """

    __slots__ = (
        "allowed",
        "basis",
        "consent_missing",
        "consent_withdrawn",
        "erased",
        "expired",
        "item_set",
        "items",
        "opted_out",
        "purpose",
        "reconsent",
        "reconsent_refusal",
        "special",
        "special_refusal",
        "static",
        "suspended",
        "suspended_all",
        "unknown",
    )

    def __init__(
        self, policy: CompiledPolicy, purpose: str, items: tuple[str, ...], actor: str
    ) -> None:
        self.purpose = purpose
        self.items = items
        self.item_set = frozenset(items)
        self.expired: dict[str, Decision] = {}
        self.unknown: Decision | None = None
        self.static: Decision | None = None
        self.erased = self._refuse(ReasonCode.ERASED)
        self.allowed = Decision(True, ReasonCode.ALLOWED, purpose, items)
        self.suspended = self._refuse(ReasonCode.USE_SUSPENDED, purpose)
        self.suspended_all = self._refuse(ReasonCode.USE_SUSPENDED, ALL_PURPOSES)
        self.consent_missing = self._refuse(ReasonCode.CONSENT_MISSING)
        self.consent_withdrawn = self._refuse(ReasonCode.CONSENT_WITHDRAWN)
        self.opted_out = self._refuse(ReasonCode.OPTED_OUT)
        self.basis = _NO_BASIS
        self.special = False
        self.special_refusal = self.allowed
        self.reconsent: Reconsent | None = None
        self.reconsent_refusal = self.allowed
        compiled = policy.purposes.get(purpose)
        if compiled is None:  # Art. 18(1): only announced purposes
            self.unknown = self._refuse(ReasonCode.PURPOSE_UNKNOWN)
            return
        unmapped = next((item for item in items if item not in compiled.items), None)
        if unmapped is not None:  # Art. 18(1), 27(5)(iii): the item is not for this purpose
            self.static = self._refuse(ReasonCode.ITEM_NOT_MAPPED, unmapped)
        elif compiled.actors is not None and actor not in compiled.actors:  # Art. 23
            self.static = self._refuse(ReasonCode.ACTOR_NOT_ALLOWED, actor)
        self.basis = _BASIS_CODE[compiled.basis]
        special = next((item for item in items if item in compiled.special_care), None)
        if special is not None:  # Art. 20(2), 18(1): special care needs consent
            self.special = True
            self.special_refusal = self._refuse(ReasonCode.SPECIAL_CARE_WITHOUT_CONSENT, special)
        if compiled.reconsent is not None:  # Art. 17(2), 18(1): changed beyond the old scope
            self.reconsent = compiled.reconsent
            self.reconsent_refusal = self._refuse(
                ReasonCode.RECONSENT_REQUIRED,
                compiled.reconsent.version or str(compiled.reconsent.version_id),
            )

    def _refuse(self, reason: ReasonCode, detail: str = "") -> Decision:
        return Decision(False, reason, self.purpose, self.items, detail)

    def retention_passed(self, expired: frozenset[str]) -> Decision:
        """The refusal naming the first requested item past retention (Art. 22)."""
        item = next(item for item in self.items if item in expired)
        decision = self.expired.get(item)
        if decision is None:
            decision = self.expired[item] = self._refuse(ReasonCode.RETENTION_PASSED, item)
        return decision


def _as_tuple(items: Collection[str]) -> tuple[str, ...]:
    if isinstance(items, str):
        raise TypeError("items is a collection of item ids, not one string: write ('email',)")
    return tuple(items)


def _plan(policy: CompiledPolicy, purpose: str, items: Collection[str], actor: str) -> _Plan:
    """The plan for a question, from the policy's table or made and remembered."""
    key = (purpose, items if type(items) is tuple else _as_tuple(items), actor)
    plans = policy._plans
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= MAX_PLANS:
            plans.clear()
        plan = plans[key] = _Plan(policy, *key)
    return plan


def _judge(plan: _Plan, state: SubjectState) -> Decision:
    """The per-subject checks, in the order of the module docstring."""
    unknown = plan.unknown
    if unknown is not None:  # Art. 18(1)
        return unknown
    if state.erased:  # Art. 35, 22: nothing is left to use
        return plan.erased
    if plan.static is not None:
        return plan.static
    if state.suspended_all:  # Art. 35: suspension of use, every purpose
        return plan.suspended_all
    if plan.purpose in state.suspended_purposes:  # Art. 35: suspension of use, this purpose
        return plan.suspended
    basis = plan.basis
    if plan.special or basis == _NEEDS_CONSENT:
        consent = state.consents.get(plan.purpose)
        if consent is not True:
            if plan.special:  # Art. 20(2), 18(1)
                return plan.special_refusal
            # Art. 18(1), 27(1): consent never given, or given and withdrawn
            return plan.consent_missing if consent is None else plan.consent_withdrawn
    if basis == _NEEDS_NO_OPT_OUT and plan.purpose in state.opted_out:  # Art. 27(2)
        return plan.opted_out
    reconsent = plan.reconsent
    if reconsent is not None and state.collected_under < reconsent.version_id:
        # Art. 17(2), 18(1): a change beyond the old scope reaches data already held only
        # with a consent given after the change was published.
        purpose = plan.purpose
        if (
            state.consents.get(purpose) is not True
            or state.consent_ids.get(purpose, 0) <= reconsent.after
        ):
            return plan.reconsent_refusal
    expired = state.expired_items
    if expired and not plan.item_set.isdisjoint(expired):  # Art. 22
        return plan.retention_passed(expired)
    return plan.allowed


def decide(
    policy: CompiledPolicy,
    state: SubjectState,
    *,
    purpose: str,
    items: Collection[str],
    actor: str,
) -> Decision:
    """May `actor` use `items` of the subject in `state` for `purpose`?

    Returns a Decision whether allowed or not (refusal is an answer, not an error, since
    both are audited). `items` is best passed as a tuple: it is then used as is. An empty
    `items` asks about no data and is allowed once the purpose, actor and subject pass.
    """
    if type(items) is not tuple:
        items = _as_tuple(items)
    plan = policy._plans.get((purpose, items, actor))
    if plan is None:
        plan = _plan(policy, purpose, items, actor)
    return _judge(plan, state)


def decide_many(
    policy: CompiledPolicy,
    states: Mapping[str, SubjectState],
    *,
    purpose: str,
    items: Collection[str],
    actor: str,
) -> dict[str, Decision]:
    """`decide` for many subjects at once, keyed as `states` is.

    The purpose, the item mapping and the actor are resolved once for the batch; only the
    per-subject checks run for each subject.
    """
    plan = _plan(policy, purpose, items, actor)
    return {subject: _judge(plan, state) for subject, state in states.items()}


__all__ = [
    "ALL_PURPOSES",
    "Basis",
    "CompiledPolicy",
    "CompiledPurpose",
    "Decision",
    "ReasonCode",
    "Reconsent",
    "SubjectState",
    "decide",
    "decide_many",
]
