"""Errors every use case raises, mapped to exit codes and HTTP statuses by the entry points.

BadInput: the request itself is wrong (unknown id, malformed value): exit 2, HTTP 422.
Refused: the request is well-formed but the policy does not allow it: exit 3, HTTP 403,
with a machine-readable code. NotReady: the system needs a step first (no policy
published, no database): exit 1.
"""

from __future__ import annotations


class HogoError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadInput(HogoError):
    code = "bad_input"


class NotFound(BadInput):
    code = "not_found"


class Refused(HogoError):
    code = "refused"


class NotReady(HogoError):
    code = "not_ready"
