"""What the portal may do with a request: add the requester's own words, read its status,
and fetch an answered disclosure package — each only with the reference and the address
the request was made from.

A wrong reference and a wrong address get the same None: the portal never tells which
was wrong, nor whether the address is known. The address is compared by its blind index
(the register's own key), never decrypted.
"""

from __future__ import annotations

import hmac
from typing import Any

from hogo.domain.requests import RequestKind, RequestState
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, japan_date
from hogo.services.requests.common import (
    MAX_TEXT,
    Request,
    add_event,
    audit,
    check_text,
    load,
    open_answer,
    to_request,
)
from hogo.services.requests.intake import CONTACT_INDEX_ITEM, _email
from hogo.services.requests.package import render_html

PACKAGE_KINDS = frozenset({RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS})
MAX_REFERENCE = 64


def add_details(ledger: Ledger, request_id: str, details: str, *, actor: str = "portal") -> None:
    """The requester's description (what to correct or add) as a note in the history,
    encrypted under the register key like every note."""
    text = check_text("the details", details, limit=MAX_TEXT)
    with ledger.engine.begin() as conn:
        row = load(conn, request_id)
        add_event(
            ledger,
            conn,
            request_id,
            actor=actor,
            action="details",
            from_state=row.state,
            to_state=row.state,
            note=f"the requester wrote: {text}",
        )


def _matching_row(ledger: Ledger, conn: Any, reference: str, email: str) -> Any | None:
    if not isinstance(reference, str) or not reference.strip():
        return None
    reference = reference.strip()[:MAX_REFERENCE]
    try:
        address = _email(email)
        row = load(conn, reference, lock=False)
    except (BadInput, NotFound):
        return None
    if address is None or row.contact_index is None:
        return None
    wanted = ledger.blind_index(conn).digest(CONTACT_INDEX_ITEM, address[1])
    return row if hmac.compare_digest(bytes(row.contact_index), wanted) else None


def status_for(ledger: Ledger, reference: str, email: str) -> Request | None:
    """The request with this reference made from this address, or None (either wrong)."""
    with ledger.engine.connect() as conn:
        row = _matching_row(ledger, conn, reference, email)
        return None if row is None else to_request(row, ledger.today())


def has_package(request: Request) -> bool:
    return request.state == RequestState.ANSWERED.value and request.kind in PACKAGE_KINDS


def package_for(ledger: Ledger, reference: str, email: str) -> tuple[dict[str, Any], str] | None:
    """(package, HTML page) of an answered disclosure, for its requester; audited as
    "request_package_download". None when there is none to give (or a wrong pair)."""
    with ledger.engine.begin() as conn:
        row = _matching_row(ledger, conn, reference, email)
        if row is None or not has_package(to_request(row, japan_date(ledger.now()))):
            return None
        answer, _shredded = open_answer(ledger, conn, row.id, row.subject_id, row.answer)
        if not isinstance(answer, dict):
            return None
        audit(
            ledger,
            conn,
            action="request_package_download",
            actor="portal",
            request_id=row.id,
            subject_id=row.subject_id,
            reason=row.kind,
        )
    return answer, render_html(answer)


__all__ = ["PACKAGE_KINDS", "add_details", "has_package", "package_for", "status_for"]
