"""When a vendor's next audit falls due (APPI Art. 25: the business supervises its entrustees).

The PPC guideline (通則編 3-4-4) expects a business to check periodically how an entrustee
handles the data it was entrusted with. hogo counts the policy's `audit_interval` from the
last audit; a vendor never audited is counted from its contract date, as `hogo check`'s
rule HG020 does, and one with neither is overdue at once: there is nothing to count from,
and supervision that never started is the gap the rule is about. An audit due today is
not yet overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hogo.domain.periods import Period


@dataclass(frozen=True)
class AuditSchedule:
    """`next_due` None means no interval is set (nothing is due) or, with `overdue`, that
    the vendor was never audited and has no contract date to count from."""

    last_audit: date | None
    next_due: date | None
    overdue: bool
    days_left: int | None

    def due_within(self, days: int, today: date) -> bool:
        """Overdue, or due on or before `today` + `days`."""
        if self.overdue:
            return True
        return self.next_due is not None and self.next_due <= today + timedelta(days=days)


def audit_schedule(
    *,
    interval: Period | None,
    last_audit: date | None,
    contract_date: date | None,
    today: date,
) -> AuditSchedule:
    if interval is None:
        return AuditSchedule(last_audit, None, False, None)
    start = last_audit if last_audit is not None else contract_date
    if start is None:
        return AuditSchedule(None, None, True, None)
    due = interval.after(start)
    return AuditSchedule(last_audit, due, due < today, (due - today).days)
