"""Matching a requested time to the clinic's free slots, with the nearest ones when it is taken."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Collection, List, Optional

from intake.booking.schedule import Schedule
from intake.booking.time_request import TimeRequest


@dataclass(frozen=True)
class SlotMatch:
    """Either the exact slot asked for, or options to choose from and why the ask did not fit.

    `reason` is None when the options are simply the free times in the asked window."""

    slot: Optional[datetime] = None
    options: List[datetime] = field(default_factory=list)
    reason: Optional[str] = None


def _in_window(slot: datetime, request: TimeRequest) -> bool:
    day_ok = (request.first_day is None or request.first_day <= slot.date()) and (
        request.last_day is None or slot.date() <= request.last_day)
    if request.exact is not None:
        return day_ok and slot.timetz().replace(tzinfo=None) == request.exact
    return day_ok and request.from_time <= slot.time() < request.to_time


def match_time_request(request: TimeRequest, schedule: Schedule, now: datetime,
                       taken: Collection[datetime], priority: bool) -> SlotMatch:
    """The slot for an exact time on one day when it is free; otherwise free slots in the asked
    window (to choose from); otherwise the free slots nearest to what was asked."""
    if request.exact is not None and request.single_day:
        asked = datetime.combine(request.first_day, request.exact, tzinfo=schedule.zone)
        reason = schedule.unavailable_reason(asked, now, taken, priority)
        if reason is None:
            return SlotMatch(slot=asked)
        return SlotMatch(options=schedule.nearest_free_slots(asked, now, taken, priority), reason=reason)
    free = schedule.free_slots(now, taken, priority, limit=500)
    wanted = [slot for slot in free if _in_window(slot, request)]
    if wanted:
        return SlotMatch(options=wanted[: schedule.offer_count])
    anchor = datetime.combine(request.first_day or schedule.local(now).date(),
                              request.exact or request.from_time, tzinfo=schedule.zone)
    if request.first_day is None:
        return SlotMatch(options=free[: schedule.offer_count], reason="none_at_that_time")
    reason = "past" if request.last_day and request.last_day < schedule.local(now).date() else "none_in_window"
    if request.first_day and schedule.local(now) + timedelta(days=schedule.horizon_days) < anchor:
        reason = "too_far"
    return SlotMatch(options=schedule.nearest_free_slots(anchor, now, taken, priority), reason=reason)
