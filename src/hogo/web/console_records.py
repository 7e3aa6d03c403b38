"""The console's records: provision records (Art. 29) and receipt records (Art. 30), each
with a CSV export, vendor supervision (Art. 25) with the audits officers record, and the
policy's published versions with the classified changes between any two of them.

Every role reads; recording a vendor audit is an officer's (CSRF checked by `require`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hogo.services import choices, policy_changes, policy_versions, provision_records, vendors
from hogo.services.errors import BadInput
from hogo.services.provision_records import RECEIPT_BASES
from hogo.web.console import ALL_ROLES, LangDep, LedgerDep, Staff, page_response, require
from hogo.web.forms import day, undeclared
from hogo.web.templating import say
from hogo.web.words import WORDS

router = APIRouter(prefix="/console", include_in_schema=False)

Reader = Annotated[Staff, Depends(require(*ALL_ROLES))]
Officer = Annotated[Staff, Depends(require("officer"))]
AUDIT_RESULTS = ("pass", "findings", "fail")


@dataclass(frozen=True)
class ProvisionFilter:
    subject_id: str | None
    recipient: str | None
    error: str | None
    """A recipient the policy does not name."""

    def query(self) -> str:
        given = {"subject": self.subject_id, "recipient": self.recipient}
        return urlencode({k: v for k, v in given.items() if v})


def _provision_filter(
    ledger: LedgerDep, lang: LangDep, subject: str | None = None, recipient: str | None = None
) -> ProvisionFilter:
    """The provision list's query (page and CSV alike)."""
    chosen = (recipient or "").strip()[:100]
    offered = choices.choices(ledger, lang).recipients
    return ProvisionFilter(
        (subject or "").strip()[:32] or None,
        chosen or None,
        undeclared([chosen] if chosen else [], offered, lang),
    )


ProvisionQuery = Annotated[ProvisionFilter, Depends(_provision_filter)]


def _csv(text: str, filename: str) -> Response:
    """A CSV download; the byte-order mark lets Excel read the Japanese as UTF-8."""
    return Response(
        ("\ufeff" + text).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/provisions")
def provisions(
    request: Request, ledger: LedgerDep, lang: LangDep, who: Reader, wanted: ProvisionQuery
) -> Response:
    records = (
        []
        if wanted.error
        else provision_records.list_provisions(
            ledger, wanted.subject_id, recipient=wanted.recipient
        )
    )
    page = page_response(
        request,
        "console/provisions.html.j2",
        lang,
        who,
        records=records,
        filters=wanted,
        recipients=choices.choices(ledger, lang).recipients,
    )
    if wanted.error:
        page.status_code = 422
    return page


@router.get("/provisions.csv")
def provisions_csv(ledger: LedgerDep, who: Reader, wanted: ProvisionQuery) -> Response:
    if wanted.error:
        raise BadInput(wanted.error)
    records = provision_records.list_provisions(
        ledger, wanted.subject_id, recipient=wanted.recipient
    )
    return _csv(provision_records.provisions_csv(records), "provisions.csv")


@dataclass(frozen=True)
class ReceiptFilter:
    """The receipt list's filters as typed, what they select, and what is wrong with them."""

    typed: dict[str, str]
    selected: dict[str, Any]
    errors: dict[str, str]

    def query(self) -> str:
        return urlencode({k: v for k, v in self.typed.items() if v})


def _receipt_filter(
    ledger: LedgerDep,
    lang: LangDep,
    subject: str | None = None,
    basis: str | None = None,
    item: str | None = None,
    received_from: str | None = None,
    received_to: str | None = None,
) -> ReceiptFilter:
    """The receipt list's query (page and CSV alike), each value trimmed to a sane length."""
    given = {
        "subject": subject,
        "basis": basis,
        "item": item,
        "received_from": received_from,
        "received_to": received_to,
    }
    limits = {"subject": 32, "basis": 20, "item": 100, "received_from": 10, "received_to": 10}
    typed = {name: (given[name] or "").strip()[:limit] for name, limit in limits.items()}
    errors: dict[str, str] = {}
    selected: dict[str, Any] = {"subject_id": typed["subject"] or None}
    if typed["basis"] and typed["basis"] not in RECEIPT_BASES:
        errors["basis"] = "not_in_list"
    selected["basis"] = typed["basis"] or None
    problem = undeclared(
        [typed["item"]] if typed["item"] else [], choices.choices(ledger, lang).items, lang
    )
    if problem:
        errors["item"] = problem
    selected["item"] = typed["item"] or None
    for name in ("received_from", "received_to"):
        parsed = day(typed[name], today=date.max)  # a filter may name any day
        if isinstance(parsed, str):
            errors[name] = parsed
        selected[name] = parsed if isinstance(parsed, date) else None
    start, end = selected["received_from"], selected["received_to"]
    if start and end and start > end:
        errors["received_to"] = "bad_period"
    return ReceiptFilter(typed, selected, errors)


ReceiptQuery = Annotated[ReceiptFilter, Depends(_receipt_filter)]


@router.get("/receipts")
def receipts(
    request: Request, ledger: LedgerDep, lang: LangDep, who: Reader, wanted: ReceiptQuery
) -> Response:
    """The recipient's records (Art. 30), filtered; every role reads them."""
    records = [] if wanted.errors else provision_records.list_receipts(ledger, **wanted.selected)
    offered = choices.choices(ledger, lang)
    page = page_response(
        request,
        "console/receipts.html.j2",
        lang,
        who,
        records=records,
        filters=wanted,
        bases=RECEIPT_BASES,
        offered=offered,
        item_labels=lambda items: ("、" if lang == "ja" else ", ").join(
            offered.label("items", i) for i in items
        ),
    )
    if wanted.errors:
        page.status_code = 422
    return page


@router.get("/receipts.csv")
def receipts_csv(ledger: LedgerDep, lang: LangDep, who: Reader, wanted: ReceiptQuery) -> Response:
    if wanted.errors:
        field, problem = next(iter(wanted.errors.items()))
        raise BadInput(f"{field}: {say(problem, lang) if problem in WORDS else problem}")
    records = provision_records.list_receipts(ledger, **wanted.selected)
    return _csv(provision_records.receipts_csv(records), "receipts.csv")


def _vendors_page(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    *,
    vendor: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    page = page_response(
        request,
        "console/vendors.html.j2",
        lang,
        who,
        statuses=vendors.vendor_statuses(ledger),
        results=AUDIT_RESULTS,
        failed=vendor,
        errors=errors or {},
        today=ledger.today(),
    )
    page.status_code = status
    return page


@router.get("/vendors")
def vendors_page(request: Request, ledger: LedgerDep, lang: LangDep, who: Reader) -> Response:
    return _vendors_page(request, ledger, lang, who)


@router.post("/vendors/{vendor_id}/audits")
def record_audit(
    request: Request,
    vendor_id: str,
    ledger: LedgerDep,
    lang: LangDep,
    who: Officer,
    audited_on: Annotated[str, Form(max_length=40)] = "",
    result: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(audited_on.strip())
    except ValueError:
        errors["audited_on"] = "bad_date"
    if result not in AUDIT_RESULTS:
        errors["result"] = "required"
    if not errors:
        try:
            vendors.record_audit(
                ledger,
                vendor_id[:100],
                audited_on=day,
                result=result,
                note=note.strip() or None,
                actor=f"{who.user.role}:{who.user.username}",
            )
        except BadInput as exc:
            errors["audited_on" if "date" in exc.message else "note"] = exc.message
    if errors:
        return _vendors_page(
            request, ledger, lang, who, vendor=vendor_id[:100], errors=errors, status=422
        )
    return RedirectResponse("/console/vendors", status_code=303)


@router.get("/policy")
def policy(request: Request, ledger: LedgerDep, lang: LangDep, who: Reader) -> Response:
    rows = policy_versions.versions(ledger)
    return page_response(request, "console/policy.html.j2", lang, who, versions=rows)


@router.get("/policy/diff")
def policy_diff(
    request: Request,
    ledger: LedgerDep,
    lang: LangDep,
    who: Reader,
    from_id: Annotated[int | None, Query(alias="from", ge=1, le=2**31)] = None,
    to: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Response:
    rows = policy_versions.versions(ledger)
    changes = None
    if from_id is not None and to is not None:
        changes = policy_changes.compare_versions(ledger, from_id, to)
    return page_response(
        request,
        "console/policy_diff.html.j2",
        lang,
        who,
        versions=rows,
        from_id=from_id,
        to_id=to,
        changes=changes,
    )
