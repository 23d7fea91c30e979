"""The `handoff:` section of config/clinic.yml, read into a small typed object.

Which triggers send a conversation to the front desk, and how urgently, is a clinic decision,
so it lives in the configuration file; this module only checks it and gives it a type.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional

from intake.handoff.items import PRIORITY_RANK

# Used for a reason the file does not list, and when the file has no handoff section at all.
DEFAULT_PRIORITIES: Dict[str, str] = {
    "crisis": "urgent",
    "crisis_opted_out": "urgent",
    "asq_positive_answer": "urgent",
    "asq_acute": "urgent",
    "asq_non_acute": "high",
    "asked_for_human": "normal",
    "repeated_fallback": "normal",
    "booking": "normal",
}
FALLBACK_PRIORITY = "normal"


@dataclass(frozen=True)
class HandoffSettings:
    """When a conversation goes to the desk (fallbacks in a row) and each trigger's priority."""

    fallbacks_in_a_row: int = 2
    priorities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITIES))

    def priority_for(self, reason: str) -> str:
        """The configured priority of a trigger; "normal" for one nobody configured."""
        return self.priorities.get(reason, FALLBACK_PRIORITY)


def handoff_settings_from(raw: Optional[Mapping[str, Any]]) -> HandoffSettings:
    """Checks the section: a misspelt priority must fail at start-up, not hide an urgent item."""
    raw = raw or {}
    priorities = {**DEFAULT_PRIORITIES, **(raw.get("priorities") or {})}
    unknown = {reason: value for reason, value in priorities.items() if value not in PRIORITY_RANK}
    if unknown:
        raise ValueError(f"handoff priorities must be one of {', '.join(PRIORITY_RANK)}: {unknown}")
    fallbacks = int(raw.get("fallbacks_in_a_row", 2))
    if fallbacks < 1:
        raise ValueError("handoff.fallbacks_in_a_row must be at least 1")
    return HandoffSettings(fallbacks_in_a_row=fallbacks, priorities=priorities)


def handoff_settings() -> HandoffSettings:
    """The handoff settings of this deployment (config/clinic.yml or INTAKE_CLINIC_CONFIG)."""
    from intake.settings import settings

    return handoff_settings_from(settings().section("handoff"))
