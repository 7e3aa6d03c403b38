"""Request bodies: strict, closed (unknown fields refused) and bounded."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(min_length=1, max_length=63)]
SubjectId = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Value = Annotated[str, StringConstraints(max_length=1_000_000)]
Evidence = Annotated[str, StringConstraints(max_length=2_000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorOut(BaseModel):
    error: str = Field(description="machine-readable code, e.g. consent_missing, key_scope")
    message: str = Field(description="a sentence a person can read")
