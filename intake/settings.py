"""Clinic configuration: one YAML file (config/clinic.yml by default) holds every clinic fact.

Read once per process. `INTAKE_CLINIC_CONFIG` points at another file and
`INTAKE_DATABASE_URL` overrides the app database, so tests and production deployments
configure the assistant without editing code.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

import yaml

from intake.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from intake.booking.schedule import Schedule

DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "clinic.yml"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPANISH_DAYS = dict(zip(WEEKDAYS, ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")))
# City names of time zones as Spanish writes them.
SPANISH_CITIES = {"Los Angeles": "Los Ángeles", "New York": "Nueva York"}


def zone_name(time_zone: str, language: str = "en") -> str:
    """'Los Angeles' for America/Los_Angeles ('Los Ángeles' in Spanish): the clock people read."""
    city = time_zone.split("/")[-1].replace("_", " ")
    return SPANISH_CITIES.get(city, city) if language == "es" else city
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def flag(value: Any, default: bool, name: str) -> bool:
    """An on/off setting from the environment or an endpoints file: 1/0 (true/false, yes/no,
    on/off); empty or unset is the default, anything else a clear error naming the setting."""
    text = "" if value is None else str(value).strip().lower()
    if not text:
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name} must be 1 or 0, not {value!r}")


@dataclass(frozen=True)
class Clinic:
    """The clinic as the person sees it: who, where, and how to reach a human."""

    name: str
    city: str
    address: str
    front_desk_phone: str
    front_desk_email: str
    time_zone: str
    front_desk_hours: Dict[str, Tuple[str, str]] = field(default_factory=dict)

    def hours_summary(self, language: str = "en") -> str:
        """Human-readable front-desk hours: 'Mon-Fri 09:00-17:00 (Los Angeles time)', or in
        Spanish 'lun-vie 09:00-17:00 (hora de Los Angeles)'."""
        open_days = [d for d in WEEKDAYS if d in self.front_desk_hours]
        spanish = language == "es"
        if not open_days:
            return "con cita previa" if spanish else "by appointment"
        names = SPANISH_DAYS if spanish else {d: d.title() for d in WEEKDAYS}
        spans = {tuple(self.front_desk_hours[d]) for d in open_days}
        if len(spans) == 1:
            start, end = spans.pop()
            days = _day_range(open_days, names)
            zone = zone_name(self.time_zone, language)
            return f"{days} {start}-{end} ({'hora de ' + zone if spanish else zone + ' time'})"
        return ", ".join(f"{names[d]} {s}-{e}" for d in open_days for s, e in [self.front_desk_hours[d]])


@dataclass(frozen=True)
class SmsSettings:
    """Limits of the SMS channel (the `sms:` section); the defaults are the usual SMS units."""

    max_inbound_chars: int = 1600
    gsm_segment_chars: int = 160
    ucs2_segment_chars: int = 70
    max_segments: int = 3


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one clinic's deployment."""

    clinic: Clinic
    database_url: str
    booking: Mapping[str, Any] = field(default_factory=dict)
    sms: SmsSettings = field(default_factory=SmsSettings)
    # The whole file, for packages that read their own section (handoff, notifications, frontdesk).
    raw: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        """One top-level section of the configuration file ({} when it is absent)."""
        return self.raw.get(name) or {}

    @cached_property
    def schedule(self) -> "Schedule":
        """The consultation schedule (the `booking:` section) in the clinic's time zone."""
        from intake.booking.schedule import schedule_from_config

        return schedule_from_config(self.booking, self.clinic.time_zone)

    @property
    def max_open_bookings_per_phone(self) -> int:
        """Upcoming consultation requests one phone number may hold (`booking.max_open_per_phone`):
        one number cannot fill the calendar, and a person can still book for themselves and
        someone close to them."""
        return int(self.booking.get("max_open_per_phone", 2))

    @property
    def crisis_reply_seconds(self) -> float:
        """The longest a crisis message waits for its reply (`limits.crisis_reply_seconds`): past it,
        the crisis reply goes out whatever the turn still waits for (a database, queued turns)."""
        return float(self.section("limits").get("crisis_reply_seconds", 1.5))

    @property
    def telehealth_note(self) -> str:
        """What a telehealth patient is told about joining (confirmation and calendar file)."""
        return self.booking.get("telehealth_note") or "a video link is sent before the visit"

    def telehealth_note_in(self, language: str) -> str:
        """The telehealth note in `language` (`telehealth_note_es` for Spanish), else English."""
        if language == "es":
            return self.booking.get("telehealth_note_es") or "le enviaremos un enlace de video antes de la consulta"
        return self.telehealth_note

    @property
    def public_web_url(self) -> str:
        """Where patients reach the web app (calendar links); INTAKE_PUBLIC_WEB_URL overrides."""
        url = os.environ.get("INTAKE_PUBLIC_WEB_URL") or self.booking.get("public_web_url") or "http://localhost:8080"
        return url.rstrip("/")


def _day_range(days: list, names: Dict[str, str]) -> str:
    """'Mon-Fri' for consecutive days, else a comma list."""
    indexes = [WEEKDAYS.index(d) for d in days]
    if indexes == list(range(indexes[0], indexes[-1] + 1)) and len(days) > 2:
        return f"{names[days[0]]}-{names[days[-1]]}"
    return ", ".join(names[d] for d in days)


def _resolve_database_url(url: str) -> str:
    """Make a relative SQLite path relative to the project root, so every process agrees."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url


def load_settings(path: Optional[Path] = None) -> Settings:
    """Read the clinic configuration file (no caching; see `settings()` for the shared copy)."""
    config_path = Path(path or os.environ.get("INTAKE_CLINIC_CONFIG") or DEFAULT_CONFIG_PATH)
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    clinic_raw = raw["clinic"]
    hours = {day: tuple(span) for day, span in (clinic_raw.get("front_desk_hours") or {}).items()}
    clinic = Clinic(**{**clinic_raw, "front_desk_hours": hours})
    url = os.environ.get("INTAKE_DATABASE_URL") or raw.get("storage", {}).get("database_url")
    return Settings(clinic=clinic, database_url=_resolve_database_url(url or "sqlite:///var/app.db"),
                    booking=raw.get("booking") or {}, sms=SmsSettings(**(raw.get("sms") or {})), raw=raw)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()


SERVER_PROCESS_SETTINGS = PROJECT_ROOT / "config" / "server-threads.env"


def server_process_settings() -> Dict[str, str]:
    """config/server-threads.env (math-library threads, turns at once) as NAME -> value: what
    every server process runs with. scripts/run.sh and the image set the same as environment
    variables; the test stacks and a server started without them read it here."""
    lines = SERVER_PROCESS_SETTINGS.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
