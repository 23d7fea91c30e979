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

from intake.settings import WEEKDAYS, zone_name

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

    def reply(self, now: datetime, language: str = "en") -> str:
        """One sentence for the person: open now, or when the desk will answer."""
        local = self.local(now)
        spanish = language == "es"
        if self.is_open(local):
            return "La recepción está abierta ahora." if spanish else "The front desk is open now."
        closed = "La recepción está cerrada ahora." if spanish else "The front desk is closed now."
        opening = self.next_opening(local)
        if opening is None:
            return closed
        if spanish:
            since = f"a partir de {_when_spanish(opening, local)}".replace("a partir de el ", "a partir del ")
            return f"{closed} Responderá {since} (hora de {zone_name(str(self.zone.key), 'es')})."
        return f"{closed} They will answer from {_when(opening, local)} ({self.zone_label} time)."


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


SPANISH_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
SPANISH_MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                  "octubre", "noviembre", "diciembre")


def spanish_clock(moment: datetime) -> str:
    """'9:00 a. m.', '1:30 p. m.' (the way times are written in Mexico and the US)."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'a. m.' if moment.hour < 12 else 'p. m.'}"


def _when_spanish(opening: datetime, local_now: datetime) -> str:
    """'hoy a las 9:00 a. m.', 'mañana a las ...', 'el lunes a las ...', 'el lunes 4 de enero a las ...'."""
    clock = spanish_clock(opening)
    article = "la" if opening.hour % 12 == 1 else "las"
    days = (opening.date() - local_now.date()).days
    day = SPANISH_WEEKDAYS[opening.weekday()]
    if days == 0:
        return f"hoy a {article} {clock}"
    if days == 1:
        return f"mañana a {article} {clock}"
    if days < 7:
        return f"el {day} a {article} {clock}"
    return f"el {day} {opening.day} de {SPANISH_MONTHS[opening.month - 1]} a {article} {clock}"



def desk_is_open(now: datetime, hours: Optional[DeskHours] = None) -> bool:
    return (hours or DeskHours.configured()).is_open(now)


def next_opening(now: datetime, hours: Optional[DeskHours] = None) -> Optional[datetime]:
    return (hours or DeskHours.configured()).next_opening(now)


def desk_hours_reply(now: datetime, hours: Optional[DeskHours] = None, language: str = "en") -> str:
    """E.g. 'The front desk is closed now. They will answer from Monday at 9:00 AM (Los Angeles time).'"""
    return (hours or DeskHours.configured()).reply(now, language)


def urgent_flag_reply(now: datetime, hours: Optional[DeskHours] = None, language: str = "en") -> str:
    """What the person is told when their conversation is flagged as urgent. Out of desk hours
    nobody may see the flag until the desk opens, and they must not wait for it."""
    hours = hours or DeskHours.configured()
    local = hours.local(now)
    if language == "es":
        return _urgent_flag_reply_spanish(hours, local)
    if hours.is_open(local):
        return "I've also flagged this as urgent for our clinic team."
    opening = hours.next_opening(local)
    when = f"until {_when(opening, local)} ({hours.zone_label} time)" if opening else "until the desk opens"
    return (f"I've flagged this for our clinic team, but the front desk is closed now and may not see it {when}. "
            "Please don't wait for us: call or text 988 now, or call 911 if you are in danger.")


def _urgent_flag_reply_spanish(hours: DeskHours, local: datetime) -> str:
    if hours.is_open(local):
        return "También marqué esto como urgente para nuestro equipo clínico."
    opening = hours.next_opening(local)
    when = (f"hasta {_when_spanish(opening, local)} (hora de {zone_name(str(hours.zone.key), 'es')})"
            if opening else "hasta que abra la recepción")
    return (f"Marqué esto para nuestro equipo clínico, pero la recepción está cerrada ahora y es posible que no lo "
            f"vea {when}. Por favor no nos espere: llame ahora al 988 y marque 2 para hablar en español, o "
            "llame al 911 si está en peligro.")
