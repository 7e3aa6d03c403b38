"""Data-subject requests (APPI Arts. 32–39): receive, verify, fulfil, refuse, withdraw, read.

One module per job, each under 500 lines: `intake` (new requests, repeats, the blind-index
look-up), `lifecycle` (verification, refusal, withdrawal), `fulfil` (what each kind does
to the ledger), `package` (disclosure packages), `queries` (the queue and one request).
"""

from __future__ import annotations

from hogo.services.requests.common import Request
from hogo.services.requests.fulfil import Fulfilment, fulfil
from hogo.services.requests.intake import Received, new_request
from hogo.services.requests.lifecycle import refuse, verify, withdraw
from hogo.services.requests.package import render_html
from hogo.services.requests.queries import Event, RequestDetail, list_requests, show

__all__ = [
    "Event",
    "Fulfilment",
    "Received",
    "Request",
    "RequestDetail",
    "fulfil",
    "list_requests",
    "new_request",
    "refuse",
    "render_html",
    "show",
    "verify",
    "withdraw",
]
