"""Data-subject requests (APPI Arts. 32–39): kinds, states, due dates, grounds, fees, repeats.

Pure rules, no I/O. The request kinds are those of the policy schema
(`hogo.policy.schema.procedures.RequestKind`), redefined here because the domain imports
nothing from hogo; a test holds the two sets equal.

The state machine::

    received ──verify──────────────────────┐
       │                                   v
       └─start_verification─> verifying ─verify─> in_progress ─fulfil─> answered
    received | verifying | in_progress ─refuse──> refused
    received | verifying | in_progress ─withdraw─> withdrawn

answered, refused and withdrawn are closed: nothing moves a closed request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class RequestKind(StrEnum):
    """What a person may ask for (Arts. 32–35)."""

    PURPOSE_NOTICE = "purpose_notice"  # Art. 32(2)
    DISCLOSURE = "disclosure"  # Art. 33(1)
    PROVISION_RECORDS = "provision_records"  # Art. 33(5)
    CORRECTION = "correction"  # Art. 34(1)
    ADDITION = "addition"  # Art. 34(1)
    DELETION = "deletion"  # Art. 34(1)
    SUSPENSION_OF_USE = "suspension_of_use"  # Art. 35(1), (5)
    ERASURE = "erasure"  # Art. 35(1), (5)
    STOP_PROVISION = "stop_provision"  # Art. 35(3), (5)


class RequestState(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({RequestState.RECEIVED, RequestState.VERIFYING, RequestState.IN_PROGRESS})
CLOSED_STATES = frozenset(RequestState) - OPEN_STATES


class Action(StrEnum):
    START_VERIFICATION = "start_verification"
    VERIFY = "verify"
    FULFIL = "fulfil"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


TRANSITIONS: Mapping[Action, Mapping[RequestState, RequestState]] = {
    Action.START_VERIFICATION: {RequestState.RECEIVED: RequestState.VERIFYING},
    # Identity confirmed at once (a logged-in portal user, a person at the counter) skips
    # the verifying state; both paths end in progress.
    Action.VERIFY: {
        RequestState.RECEIVED: RequestState.IN_PROGRESS,
        RequestState.VERIFYING: RequestState.IN_PROGRESS,
    },
    Action.FULFIL: {RequestState.IN_PROGRESS: RequestState.ANSWERED},
    Action.REFUSE: dict.fromkeys(OPEN_STATES, RequestState.REFUSED),
    Action.WITHDRAW: dict.fromkeys(OPEN_STATES, RequestState.WITHDRAWN),
}

_DONE = {
    Action.START_VERIFICATION: "put under verification",
    Action.VERIFY: "verified",
    Action.FULFIL: "fulfilled",
    Action.REFUSE: "refused",
    Action.WITHDRAW: "withdrawn",
}


class IllegalTransition(ValueError):
    """An action the request's state does not allow; the message names both."""


def kind_of(name: str) -> RequestKind:
    """The kind `name` names, or ValueError listing the kinds."""
    try:
        return RequestKind(name)
    except ValueError:
        kinds = ", ".join(k.value for k in RequestKind)
        raise ValueError(f"unknown request kind {name!r}; use one of: {kinds}") from None


def state_of(name: str) -> RequestState:
    """The state `name` names, or ValueError listing the states."""
    try:
        return RequestState(name)
    except ValueError:
        states = ", ".join(s.value for s in RequestState)
        raise ValueError(f"unknown request state {name!r}; use one of: {states}") from None


def state_words(state: RequestState) -> str:
    return state.value.replace("_", " ")


def transition(request_id: str, state: RequestState, action: Action) -> RequestState:
    """The state `action` moves a request in `state` to, or IllegalTransition saying why not."""
    target = TRANSITIONS[action].get(state)
    if target is None:
        allowed = [state_words(s) for s in RequestState if s in TRANSITIONS[action]]
        listed = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
        raise IllegalTransition(
            f"request {request_id} is {state_words(state)}; it cannot be {_DONE[action]} "
            f"(only a request that is {listed} can)"
        )
    return target


# Art. 39(1),(2): a person may sue once two weeks have passed since the request reached
# the business; two weeks is the outer bound hogo works to ("without delay" in Arts. 32–35).
DEFAULT_RESPONSE_DAYS = 14


def due_date(received_on: date, response_days: int = DEFAULT_RESPONSE_DAYS) -> date:
    """The day the answer is due: `response_days` after the day the request arrived."""
    if response_days < 1:
        raise ValueError(f"a response target is at least 1 day, not {response_days}")
    return received_on + timedelta(days=response_days)


def is_open(state: RequestState) -> bool:
    return state in OPEN_STATES


def is_overdue(state: RequestState, due_on: date, today: date) -> bool:
    """Still open after its due day."""
    return state in OPEN_STATES and today > due_on


def queue_key(state: RequestState, due_on: date, received_on: date, request_id: str, today: date) -> tuple[bool, date, date, str]:  # fmt: skip
    """Sort key of the work queue: overdue requests first, then by due date, then by arrival."""
    return (not is_overdue(state, due_on, today), due_on, received_on, request_id)


class RefusalGround(StrEnum):
    HARM = "harm"
    BUSINESS_DISRUPTION = "business_disruption"
    OTHER_LAW = "other_law"
    REPEATED = "repeated"
    PURPOSE_PUBLIC = "purpose_public"
    DATA_TRUE = "data_true"
    NO_ART35_GROUND = "no_art35_ground"
    NOT_RETAINED = "not_retained"
    IDENTITY_NOT_VERIFIED = "identity_not_verified"


ALL_KINDS = frozenset(RequestKind)
_DISCLOSURES = frozenset({RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS})
_ART34 = frozenset({RequestKind.CORRECTION, RequestKind.ADDITION, RequestKind.DELETION})
_ART35 = frozenset({RequestKind.SUSPENSION_OF_USE, RequestKind.ERASURE, RequestKind.STOP_PROVISION})


@dataclass(frozen=True)
class Ground:
    kinds: frozenset[RequestKind]
    article: str
    ja: str
    en: str


GROUNDS: Mapping[RefusalGround, Ground] = {
    RefusalGround.HARM: Ground(
        _DISCLOSURES | {RequestKind.PURPOSE_NOTICE},
        "APPI Art. 33(2)(i); Art. 32(2)(ii) with Art. 21(4)(i)",
        "本人又は第三者の生命、身体、財産その他の権利利益を害するおそれがあるため",
        "it could harm the life, body, property or other rights and interests of you or "
        "a third party",
    ),
    RefusalGround.BUSINESS_DISRUPTION: Ground(
        _DISCLOSURES,
        "APPI Art. 33(2)(ii)",
        "当社の業務の適正な実施に著しい支障を及ぼすおそれがあるため",
        "it would seriously disrupt the proper conduct of our business",
    ),
    RefusalGround.OTHER_LAW: Ground(
        _DISCLOSURES,
        "APPI Art. 33(2)(iii)",
        "他の法令に違反することとなるため",
        "it would break another law",
    ),
    RefusalGround.REPEATED: Ground(
        ALL_KINDS,
        "APPI Art. 33(2)(ii) (PPC guideline: the same request repeated without justification)",
        "正当な理由なく同一内容の請求が繰り返されているため",
        "the same request has been repeated without justification",
    ),
    RefusalGround.PURPOSE_PUBLIC: Ground(
        frozenset({RequestKind.PURPOSE_NOTICE}),
        "APPI Art. 32(2)(i)",
        "利用目的が公表により既に明らかであるため",
        "the purposes of use are already clear from what we have published",
    ),
    RefusalGround.DATA_TRUE: Ground(
        _ART34,
        "APPI Art. 34(1)",
        "調査の結果、保有個人データの内容が事実であることを確認したため",
        "our investigation found the data to be true",
    ),
    RefusalGround.NO_ART35_GROUND: Ground(
        _ART35,
        "APPI Art. 35(1), (3), (5)",
        "法律が定める利用停止等の要件に該当しないため",
        "none of the conditions the law sets for this request is met",
    ),
    RefusalGround.NOT_RETAINED: Ground(
        ALL_KINDS,
        "APPI Art. 16(4)",
        "ご請求の対象となる保有個人データを当社が保有していないため",
        "we do not hold retained personal data about you that the request concerns",
    ),
    RefusalGround.IDENTITY_NOT_VERIFIED: Ground(
        ALL_KINDS,
        "APPI Art. 37(1), (2)",
        "ご本人（又は正当な代理人）であることが確認できなかったため",
        "we could not confirm that the request comes from you or your lawful agent",
    ),
}


class InvalidGround(ValueError):
    """A refusal ground unknown, or one the law does not give for this kind of request."""


def check_ground(kind: RequestKind, ground: str) -> RefusalGround:
    """The ground, if the law gives it for `kind` (Arts. 32(2), 33(2), 34, 35; Art. 36)."""
    try:
        known = RefusalGround(ground)
    except ValueError:
        names = ", ".join(g.value for g in RefusalGround)
        raise InvalidGround(
            f"unknown refusal ground {ground!r}; the grounds are: {names}"
        ) from None
    if kind not in GROUNDS[known].kinds:
        fits = ", ".join(g.value for g, spec in GROUNDS.items() if kind in spec.kinds)
        raise InvalidGround(
            f"ground {known.value!r} does not apply to {kind.value} requests; "
            f"for {kind.value} the grounds are: {fits}"
        )
    return known


# Art. 38(1): fees may be charged only for the notice of purposes (Art. 32(2)) and for
# disclosure (Art. 33(1), which Art. 33(5) extends to the provision records).
FEE_KINDS = frozenset(
    {RequestKind.PURPOSE_NOTICE, RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS}
)


def fee_for(kind: RequestKind, amounts: Mapping[str, int]) -> int | None:
    """The fee in yen the policy sets for `kind`; None when none may be or is charged.

    An amount the policy sets for another kind is never charged (`hogo check` reports it)."""
    if kind not in FEE_KINDS:
        return None
    amount = amounts.get(kind.value)
    return amount if amount else None


@dataclass(frozen=True)
class Earlier:
    """A request the same person made before, as the repeat rule sees it."""

    id: str
    kind: RequestKind
    received_on: date
    state: RequestState


def find_repeat(
    kind: RequestKind, received_on: date, earlier: Iterable[Earlier], window_days: int
) -> str | None:
    """The latest earlier request of the same kind within `window_days` days, if any.

    A match only flags the new request as possibly repeated: whether it is repeated
    "without justification" (a ground for refusal) is for a person to decide. A withdrawn
    request does not count (it was never answered); a window of 0 turns the rule off.
    """
    if window_days <= 0:
        return None
    since = received_on - timedelta(days=window_days)
    found = [
        e
        for e in earlier
        if e.kind is kind
        and e.state is not RequestState.WITHDRAWN
        and since <= e.received_on <= received_on
    ]
    if not found:
        return None
    return max(found, key=lambda e: (e.received_on, e.id)).id


CHANNELS = ("portal", "email", "post", "phone", "counter", "form")
"""How a request arrives: the policy's RequestChannel values (a test holds them equal)."""
CHANNEL_ALIASES: Mapping[str, str] = {"mail": "post", "e-mail": "email"}
""""mail" is postal mail (郵送); electronic mail is "email"."""


def channel_of(name: str) -> str:
    """The channel `name` means, or ValueError listing the channels."""
    value = CHANNEL_ALIASES.get(name, name)
    if value not in CHANNELS:
        raise ValueError(
            f"unknown channel {name!r}; use one of: {', '.join(CHANNELS)} (mail = post)"
        )
    return value


VERIFICATION_METHODS = (
    "portal_login",  # signed in to an account the person holds
    "registered_email",  # answered at the address the ledger holds
    "held_items",  # confirmed items the ledger already holds (name, date of birth…)
    "id_document",  # an identity document shown or copied
    "in_person",  # at the counter
    "phone_callback",  # called back at the number the ledger holds
    "agent_documents",  # an agent's authority: power of attorney, family register…
)
"""How identity was verified (Art. 37(2)). The PPC guideline asks not to demand more
information than the business already holds to identify the person."""


LABELS: Mapping[str, Mapping[RequestKind, str]] = {
    "ja": {
        RequestKind.PURPOSE_NOTICE: "利用目的の通知",
        RequestKind.DISCLOSURE: "開示",
        RequestKind.PROVISION_RECORDS: "第三者提供記録の開示",
        RequestKind.CORRECTION: "訂正",
        RequestKind.ADDITION: "追加",
        RequestKind.DELETION: "削除",
        RequestKind.SUSPENSION_OF_USE: "利用の停止",
        RequestKind.ERASURE: "消去",
        RequestKind.STOP_PROVISION: "第三者への提供の停止",
    },
    "en": {
        RequestKind.PURPOSE_NOTICE: "notice of the purposes of use",
        RequestKind.DISCLOSURE: "disclosure",
        RequestKind.PROVISION_RECORDS: "disclosure of third-party provision records",
        RequestKind.CORRECTION: "correction",
        RequestKind.ADDITION: "addition",
        RequestKind.DELETION: "deletion",
        RequestKind.SUSPENSION_OF_USE: "suspension of use",
        RequestKind.ERASURE: "erasure",
        RequestKind.STOP_PROVISION: "stop of provision to third parties",
    },
}


def kind_label(kind: RequestKind, lang: str) -> str:
    return LABELS["ja" if lang == "ja" else "en"][kind]


def ground_text(ground: RefusalGround, lang: str) -> str:
    spec = GROUNDS[ground]
    return spec.ja if lang == "ja" else spec.en
