"""The sections of a rendered privacy policy, in order; `statements` in hogo.yaml name them."""

from __future__ import annotations

SECTION_KEYS: tuple[str, ...] = (
    "general",
    "acquisition",
    "purposes",
    "third_party",
    "opt_out",
    "entrustment",
    "joint_use",
    "modules",
    "retention",
    "security",
    "requests",
    "statistics",
    "leakage",
    "changes",
    "contact",
)
