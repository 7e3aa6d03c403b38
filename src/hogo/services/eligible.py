"""Whom may this purpose reach now? One SQL query over the whole ledger, not a loop.

The contract, for the purpose P of the policy in force and today's date: a subject is
eligible exactly when

1. it is not erased;
2. no active (not lifted) restriction of scope "use" covers all purposes or P;
3. the basis holds, judged from the subject's consent history for P, whose current state
   is its latest row (highest id):
   - P uses a special care-required item (directly or through joint use), whatever its
     basis: the latest row is granted, as for a consent purpose, because the purpose
     check requires consent for those items (Art. 20(2), 18(1));
   - otherwise, basis consent: the latest row is granted (never asked or withdrawn is out);
   - basis opt_out: the latest row is not an opt-out (never asked, or opted back in, is in);
   - basis announced: nothing more;
   and, when a published revision changed P so that it needs consent again (rule 8 of the
   purpose check, Art. 17(2), 18(1)): the subject was first collected under that revision
   or a later one, or its latest row for P is a grant recorded after the change (an id
   above the requirement's `after`);
4. it holds at least one record of an item of P (its items plus those joint use brings)
   that is not past its retention due date (due date unset, or after today): a person of
   whom the purpose holds no usable data is not someone the purpose can reach.

Equivalently, with the purpose check: a subject is eligible if and only if it holds a
record of one of P's items within retention, and `decide` (or `use_many`) asked for P with
all of P's items, by an actor P allows, answers "allowed" or refuses only with
`retention_passed`. What `eligible` does not look at: the actor (`purposes[].actors`; the
use itself is still checked and audited) and which of P's items a later use will ask for
(an item past retention for this subject is refused then, item by item).

The answer is one SELECT (ids in subject id order, or a count), built from EXISTS and
NOT EXISTS sub-queries that both SQLite and PostgreSQL run as index look-ups:

- consent-like purposes start from `ix_consents_purpose (purpose, subject_id, id)`: the
  granted rows of P that no later row of the same subject and P follows;
- other purposes start from the subjects table, keep those with a usable record through
  `ix_records_subject_item (subject_id, item)`, and for opt_out drop those whose latest
  row for P is an opt-out (the "no later row" probe again uses `ix_consents_purpose`);
- restrictions are probed through `ix_restrictions_subject (subject_id, lifted_at)`.

Nothing is written and nothing is audited: the answer names subjects, not their data;
using the data is a `use`, which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from hogo.domain.purpose_check import CompiledPurpose
from hogo.ledger import tables as t
from hogo.ledger.engine import READ_ONLY
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

MAX_LIMIT = 10_000_000


@dataclass(frozen=True)
class EligibleResult:
    """The answer: `count` always; `subject_ids` (in id order) unless only the count was asked.

    `requires` names the rule applied: "consent" (consent basis, or special care items),
    "no_opt_out" or "announced"."""

    purpose: str
    requires: str
    count: int
    subject_ids: tuple[str, ...] | None
    policy_version_id: int
    on: date

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "purpose": self.purpose,
            "requires": self.requires,
            "count": self.count,
            "policy_version_id": self.policy_version_id,
            "on": self.on.isoformat(),
        }
        if self.subject_ids is not None:
            out["subject_ids"] = list(self.subject_ids)
        return out


def requirement(purpose: CompiledPurpose) -> str:
    """What the subject's consent history must show for `purpose` (rule 3 above)."""
    if purpose.special_care or purpose.basis == "consent":
        return "consent"
    if purpose.basis == "opt_out":
        return "no_opt_out"
    return "announced"


def _latest_is(
    subject_id: ColumnElement[str], purpose: str, granted: bool, after: int | None = None
) -> ColumnElement[bool]:
    """EXISTS a row of (subject, purpose) with this `granted` (and an id above `after`, when
    given) that no later row follows."""
    row = t.consents.alias("c")
    later = t.consents.alias("later")
    newer = [] if after is None else [row.c.id > after]
    return exists().where(
        row.c.purpose == purpose,
        row.c.subject_id == subject_id,
        row.c.granted == (true() if granted else false()),
        *newer,
        ~exists().where(
            later.c.purpose == purpose,
            later.c.subject_id == row.c.subject_id,
            later.c.id > row.c.id,
        ),
    )


def _common(
    subject_id: ColumnElement[str], purpose: CompiledPurpose, today: date
) -> list[ColumnElement[bool]]:
    """Rules 2 and 4, correlated on `subject_id`."""
    r = t.restrictions
    rec = t.records
    return [
        ~exists().where(
            r.c.subject_id == subject_id,
            r.c.lifted_at.is_(None),
            r.c.scope == "use",
            or_(r.c.purpose.is_(None), r.c.purpose == purpose.id),
        ),
        exists().where(
            rec.c.subject_id == subject_id,
            rec.c.item.in_(sorted(purpose.items)),
            or_(rec.c.retention_due.is_(None), rec.c.retention_due > today),
        ),
    ]


def eligible_query(purpose: CompiledPurpose, today: date) -> Select[str]:
    """The SELECT of eligible subject ids (unordered), for a purpose of the policy in force."""
    s = t.subjects
    change = purpose.reconsent
    if requirement(purpose) == "consent":
        c = t.consents.alias("c")
        later = t.consents.alias("later")
        return (
            select(c.c.subject_id)
            .join(s, s.c.id == c.c.subject_id)
            .where(
                c.c.purpose == purpose.id,
                c.c.granted == true(),
                ~exists().where(
                    later.c.purpose == purpose.id,
                    later.c.subject_id == c.c.subject_id,
                    later.c.id > c.c.id,
                ),
                s.c.erased_at.is_(None),
                *_common(c.c.subject_id, purpose, today),
                *(
                    []
                    if change is None
                    else [or_(s.c.policy_version_id >= change.version_id, c.c.id > change.after)]
                ),
            )
        )
    conditions = [s.c.erased_at.is_(None), *_common(s.c.id, purpose, today)]
    if purpose.basis == "opt_out":
        conditions.append(not_(_latest_is(s.c.id, purpose.id, granted=False)))
    if change is not None:  # Art. 17(2), 18(1): consent again after the change
        conditions.append(
            or_(
                s.c.policy_version_id >= change.version_id,
                _latest_is(s.c.id, purpose.id, granted=True, after=change.after),
            )
        )
    return select(s.c.id.label("subject_id")).where(and_(*conditions))


def eligible(
    ledger: Ledger, *, purpose: str, count_only: bool = False, limit: int | None = None
) -> EligibleResult:
    """The subjects that may be used for `purpose` now (see the module docstring).

    With `count_only`, only how many; otherwise their ids in id order, the first `limit`
    of them when a limit is given (`count` is then the number returned). An unknown
    purpose, or a limit below 1, is BadInput.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise BadInput(f"the limit must be a whole number, not {limit!r}")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"the limit must be between 1 and {MAX_LIMIT:,}")
    today = ledger.today()
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        version = ledger.policy_in_force(conn)
        compiled = version.compiled.purposes.get(purpose)
        if compiled is None:
            known = ", ".join(sorted(version.compiled.purposes)) or "none"
            raise BadInput(f"unknown purpose {purpose!r}; the policy in force declares: {known}")
        query = eligible_query(compiled, today)
        if count_only:
            count = int(
                conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            )
            ids = None
        else:
            ordered = query.order_by(query.selected_columns[0])
            if limit is not None:
                ordered = ordered.limit(limit)
            ids = tuple(conn.execute(ordered).scalars())
            count = len(ids)
    return EligibleResult(purpose, requirement(compiled), count, ids, version.version_id, today)


__all__ = ["EligibleResult", "eligible", "eligible_query", "requirement"]
