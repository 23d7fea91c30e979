"""When the front desk answers: its weekly hours (clinic.front_desk_hours), in the clinic's time
zone, closed on the clinic's holidays (booking.holidays in config/clinic.yml).

A person who asks for a human outside those hours is told when the desk will answer, so silence
is never mistaken for being ignored. Crisis resources are given either way, by the caller.
Times are computed in the clinic's zone with zoneinfo, so the change to and from daylight
saving time moves the opening hour in UTC, not on the clinic's clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, FrozenSet, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from intake.settings import WEEKDAYS

# Looking further ahead than this finds nothing new: the week repeats; holidays are single days.
SEARCH_DAYS = 60


def _clock(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class DeskHours:
    """The desk's week in its own time zone, and the days it is closed."""

    zone: ZoneInfo
    week: Mapping[str, Tuple[time, time]]
    holidays: FrozenSet[date] = frozenset()

    @classmethod
    def from_config(cls, time_zone: str, hours: Mapping[str, Sequence[str]],
                    holidays: Sequence[object] = ()) -> "DeskHours":
        week: Dict[str, Tuple[time, time]] = {}
        for day, (opens, closes) in (hours or {}).items():
            if day not in WEEKDAYS:
                raise ValueError(f"unknown day {day!r} in front_desk_hours (use {', '.join(WEEKDAYS)})")
            week[day] = (_clock(opens), _clock(closes))
        return cls(ZoneInfo(time_zone), week, frozenset(date.fromisoformat(str(d)) for d in holidays or ()))

    @classmethod
    def configured(cls) -> "DeskHours":
        """The hours of this deployment's configuration file."""
        from intake.settings import settings

        config = settings()
        return cls.from_config(config.clinic.time_zone, config.clinic.front_desk_hours,
                               config.booking.get("holidays") or ())

    @property
    def zone_label(self) -> str:
        return str(self.zone.key).split("/")[-1].replace("_", " ")

    def local(self, now: datetime) -> datetime:
        """`now` on the clinic's clock (a naive `now` is taken as UTC)."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        return now.astimezone(self.zone)

    def _span(self, day: date) -> Optional[Tuple[datetime, datetime]]:
        if day in self.holidays:
            return None
        hours = self.week.get(WEEKDAYS[day.weekday()])
        if hours is None:
            return None
        return (datetime.combine(day, hours[0], tzinfo=self.zone), datetime.combine(day, hours[1], tzinfo=self.zone))

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        span = self._span(local.date())
        return span is not None and span[0] <= local < span[1]

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """`now` when the desk is open, else the next opening (clinic time); None if it never opens."""
        local = self.local(now)
        if self.is_open(local):
            return local
        for offset in range(SEARCH_DAYS):
            span = self._span(local.date() + timedelta(days=offset))
            if span is not None and span[0] > local:
                return span[0]
        return None

    def reply(self, now: datetime) -> str:
        """One sentence for the person: open now, or when the desk will answer."""
        local = self.local(now)
        if self.is_open(local):
            return "The front desk is open now."
        opening = self.next_opening(local)
        if opening is None:
            return "The front desk is closed now."
        return f"The front desk is closed now. They will answer from {_when(opening, local)} ({self.zone_label} time)."


def _when(opening: datetime, local_now: datetime) -> str:
    """'9:00 AM today', 'tomorrow at 9:00 AM', 'Monday at 9:00 AM', 'Monday, January 4 at 9:00 AM'."""
    clock = opening.strftime("%I:%M %p").lstrip("0")
    days = (opening.date() - local_now.date()).days
    if days == 0:
        return f"{clock} today"
    if days == 1:
        return f"tomorrow at {clock}"
    if days < 7:
        return f"{opening:%A} at {clock}"
    return f"{opening:%A, %B} {opening.day} at {clock}"


def desk_is_open(now: datetime, hours: Optional[DeskHours] = None) -> bool:
    return (hours or DeskHours.configured()).is_open(now)


def next_opening(now: datetime, hours: Optional[DeskHours] = None) -> Optional[datetime]:
    return (hours or DeskHours.configured()).next_opening(now)


def desk_hours_reply(now: datetime, hours: Optional[DeskHours] = None) -> str:
    """E.g. 'The front desk is closed now. They will answer from Monday at 9:00 AM (Los Angeles time).'"""
    return (hours or DeskHours.configured()).reply(now)


def urgent_flag_reply(now: datetime, hours: Optional[DeskHours] = None) -> str:
    """What the person is told when their conversation is flagged as urgent. Out of desk hours
    nobody may see the flag until the desk opens, and they must not wait for it."""
    hours = hours or DeskHours.configured()
    local = hours.local(now)
    if hours.is_open(local):
        return "I've also flagged this as urgent for our clinic team."
    opening = hours.next_opening(local)
    when = f"until {_when(opening, local)} ({hours.zone_label} time)" if opening else "until the desk opens"
    return (f"I've flagged this for our clinic team, but the front desk is closed now and may not see it {when}. "
            "Please don't wait for us: call or text 988 now, or call 911 if you are in danger.")
