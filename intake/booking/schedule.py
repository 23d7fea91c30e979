"""The clinic's consultation schedule: which times exist, which can be booked now, which are free.

Slots are generated from the weekly hours in the clinic configuration, in the clinic's own time
zone, so a 09:00 slot stays at 09:00 local time across daylight-saving changes. A time can be
offered when it is a real slot, not on a holiday, at least the lead time away, within the booking
horizon and not taken. People flagged by the screening may take every free slot; everyone else
gets slots after the short priority window, which keeps the earliest times for those who need them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Collection, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from intake.settings import WEEKDAYS


@dataclass(frozen=True)
class Schedule:
    """Weekly hours, slot length and booking limits of one clinic."""

    time_zone: str
    hours: Mapping[str, Sequence[Tuple[time, time]]]
    slot_minutes: int = 60
    holidays: Collection[date] = field(default_factory=frozenset)
    min_lead_hours: float = 18
    horizon_days: int = 42
    priority_reserved_hours: float = 48
    offer_count: int = 4

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        """`moment` in the clinic's time zone (naive datetimes are read as clinic local time)."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.zone)
        return moment.astimezone(self.zone)

    def slots_on(self, day: date) -> List[datetime]:
        """Every slot start on one local day, in order; none on holidays and closed days."""
        if day in self.holidays:
            return []
        starts = []
        step = timedelta(minutes=self.slot_minutes)
        for opens, closes in self.hours.get(WEEKDAYS[day.weekday()], ()):
            start = datetime.combine(day, opens, tzinfo=self.zone)
            end = datetime.combine(day, closes, tzinfo=self.zone)
            while start + step <= end:
                starts.append(start)
                start = start + step
        return starts

    def slots_between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Slot starts with start <= slot < end, in order."""
        start, end = self.local(start), self.local(end)
        day = start.date()
        while day <= end.date():
            for slot in self.slots_on(day):
                if _utc_key(start) <= _utc_key(slot) < _utc_key(end):
                    yield slot
            day += timedelta(days=1)

    def after(self, moment: datetime, duration: timedelta) -> datetime:
        """`moment` plus real elapsed time (not wall-clock time: daylight saving is respected)."""
        return self.local(_as_utc(self.local(moment)) + duration)

    def earliest_bookable(self, now: datetime) -> datetime:
        return self.after(now, timedelta(hours=self.min_lead_hours))

    def bookable_window(self, now: datetime, priority: bool) -> Tuple[datetime, datetime]:
        """[first, last) times that `now` allows to book, for a flagged person or not."""
        first = self.earliest_bookable(now)
        last = self.after(now, timedelta(days=self.horizon_days))
        if not priority:
            first = self.after(first, timedelta(hours=self.priority_reserved_hours))
        return first, last

    def is_slot(self, moment: datetime) -> bool:
        """True when `moment` is exactly the start of one of the clinic's slots."""
        moment = self.local(moment)
        return moment in self.slots_on(moment.date())

    def free_slots(self, now: datetime, taken: Collection[datetime], priority: bool,
                   limit: Optional[int] = None) -> List[datetime]:
        """The next free slots in order (at most `limit`, default `offer_count`)."""
        first, last = self.bookable_window(now, priority)
        taken_utc = {_utc_key(t) for t in taken}
        free = []
        for slot in self.slots_between(first, last):
            if _utc_key(slot) not in taken_utc:
                free.append(slot)
                if len(free) >= (limit or self.offer_count):
                    break
        return free

    def unavailable_reason(self, moment: datetime, now: datetime, taken: Collection[datetime],
                           priority: bool) -> Optional[str]:
        """Why `moment` cannot be booked ("past", "too_soon", "holiday", "closed", "too_far",
        "taken"), or None when it can."""
        moment = self.local(moment)
        first, last = (_utc_key(t) for t in self.bookable_window(now, priority))
        instant = _utc_key(moment)
        if instant <= _utc_key(now):
            return "past"
        if instant >= last:
            return "too_far"
        if moment.date() in self.holidays:
            return "holiday"
        if not self.is_slot(moment):
            return "closed"
        if instant < _utc_key(self.earliest_bookable(now)):
            return "too_soon"
        if instant < first:
            return "reserved"
        if instant in {_utc_key(t) for t in taken}:
            return "taken"
        return None

    def nearest_free_slots(self, target: datetime, now: datetime, taken: Collection[datetime],
                           priority: bool, count: Optional[int] = None) -> List[datetime]:
        """The free slots closest in time to `target` (before or after), in time order."""
        first, last = self.bookable_window(now, priority)
        taken_utc = {_utc_key(t) for t in taken}
        free = [s for s in self.slots_between(first, last) if _utc_key(s) not in taken_utc]
        target = self.local(target)
        closest = sorted(free, key=lambda s: (abs((_as_utc(s) - _as_utc(target)).total_seconds()), _as_utc(s)))
        return sorted(closest[: count or self.offer_count])


def _as_utc(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo("UTC"))


def _utc_key(moment: datetime) -> datetime:
    """A comparable key for an aware datetime (the same instant from any zone)."""
    if moment.tzinfo is None:
        raise ValueError("slot times must carry a time zone")
    return moment.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _parse_time(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def schedule_from_config(raw: Mapping, time_zone: str) -> Schedule:
    """A Schedule from the `booking:` section of the clinic configuration file."""
    hours: Dict[str, List[Tuple[time, time]]] = {}
    for day, spans in (raw.get("hours") or {}).items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown day {day!r} in booking hours (use {', '.join(WEEKDAYS)})")
        hours[day] = [(_parse_time(opens), _parse_time(closes)) for opens, closes in spans]
    return Schedule(
        time_zone=time_zone,
        hours=hours,
        slot_minutes=int(raw.get("slot_minutes", 60)),
        holidays=frozenset(date.fromisoformat(str(d)) for d in raw.get("holidays") or ()),
        min_lead_hours=float(raw.get("min_lead_hours", 18)),
        horizon_days=int(raw.get("horizon_days", 42)),
        priority_reserved_hours=float(raw.get("priority_reserved_hours", 48)),
        offer_count=int(raw.get("offer_count", 4)),
    )
