"""Leakage incidents (APPI Art. 26; PPC Rules Arts. 7–10): the register, the scope of who
was affected, whether and by when to report, the report drafts and the notices."""

from __future__ import annotations

from hogo.domain.incident_report import REPORT_ITEMS, ReportKind
from hogo.domain.incidents import Countdown, DeadlineState, Trigger
from hogo.services.incidents.common import Incident, ScopeSummary
from hogo.services.incidents.notify import NotifyResult, notify
from hogo.services.incidents.register import (
    TEXT_OPTIONS,
    IncidentEvent,
    IncidentView,
    close_incident,
    list_incidents,
    new_incident,
    show_incident,
    update_incident,
)
from hogo.services.incidents.report import Draft, draft_report
from hogo.services.incidents.scope import (
    ScopeResult,
    scope_by_access,
    scope_by_items,
    scope_by_source,
)

__all__ = [
    "REPORT_ITEMS",
    "TEXT_OPTIONS",
    "Countdown",
    "DeadlineState",
    "Draft",
    "Incident",
    "IncidentEvent",
    "IncidentView",
    "NotifyResult",
    "ReportKind",
    "ScopeResult",
    "ScopeSummary",
    "Trigger",
    "close_incident",
    "draft_report",
    "list_incidents",
    "new_incident",
    "notify",
    "scope_by_access",
    "scope_by_items",
    "scope_by_source",
    "show_incident",
    "update_incident",
]
