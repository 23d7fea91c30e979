"""Understanding the time a person asks for ("next Tuesday afternoon", "Friday at 3", "tmrw am"),
in English or Spanish ("el martes a las 3", "mañana por la tarde", "la próxima semana").

dateparser reads explicit dates well ("Dec 3", "12/3", "in 2 weeks") but not the way people
ask for appointments, so the words for days, parts of the day and clock times are read here
first and dateparser only sees what is left. Everything is in the clinic's time zone. A bare
hour is read within clinic hours: "at 3" is 3 pm, "at 10" is 10 am. Spanish words for days, parts
of the day, clock times and months are first put into the English ones (`SPANISH_WORDS`), accents
folded, so one reading serves both: "mañana" alone is tomorrow, "por la mañana" the morning.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional, Tuple

from dateparser.date import DateDataParser

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SPELLING = {
    r"\b(tmrw|tmr|tmrow|tomorow|tommorow|tommorrow|tomorrw|2moro|2morrow)\b": "tomorrow",
    r"\b(tdy|tday)\b": "today",
    r"\bmon\b": "monday", r"\btues?\b": "tuesday", r"\bweds?\b": "wednesday", r"\bthu(rs?)?\b": "thursday",
    r"\bfri\b": "friday", r"\bsat\b": "saturday", r"\bsun\b": "sunday", r"\bwensday\b": "wednesday",
    r"\bthrusday\b": "thursday", r"\btuseday\b": "tuesday", r"\bfirday\b": "friday",
    r"\bnoon\b": "12:00 pm", r"\bmidday\b": "12:00 pm",
}
# Spanish, accents folded, in order: the longer phrases before the words inside them.
SPANISH_WORDS = (
    (r"\bpasado manana\b", "day after tomorrow"),
    (r"\b(?:por|en|de|a) la manana\b|\btemprano\b", "morning"),
    (r"\b(?:por|en|de|a) la tarde\b|\btardecita\b", "afternoon"),
    (r"\besta noche\b|\bhoy en la noche\b|\bhoy por la noche\b", "tonight"),
    (r"\b(?:por|en|de|a) la noche\b", "evening"),
    (r"\b(?:a )?(?:el |al )?medio ?dia\b", "12:00 pm"),
    (r"\bhora de (?:la )?(?:comida|almuerzo)\b", "lunch"),
    (r"\bmanana\b", "tomorrow"), (r"\bhoy\b", "today"), (r"\bayer\b", "yesterday"),
    (r"\b(?:lo (?:mas )?(?:antes|pronto) (?:posible|que se pueda)|cuanto antes|cuando sea|cualquier (?:dia|hora|momento)|"
     r"(?:la )?(?:primera|proxima) (?:cita )?(?:disponible|libre)|la que sea|lo que sea)\b", "asap"),
    # "el martes de la próxima semana" is next week's; "el próximo martes" and "el martes que viene"
    # are the coming Tuesday, as most Spanish speakers mean them.
    (r"\b(?:el )?(lunes|martes|miercoles|jueves|viernes|sabado|domingo) de la (?:proxima|otra|siguiente) semana\b|"
     r"\b(?:el )?(lunes|martes|miercoles|jueves|viernes|sabado|domingo) de la semana que viene\b",
     lambda m: f"next {m.group(1) or m.group(2)}"),
    (r"\b(?:el )?(?:proximo|siguiente) (lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b", r"coming \1"),
    (r"\b(?:el )?(lunes|martes|miercoles|jueves|viernes|sabado|domingo) que viene\b", r"coming \1"),
    (r"\b(?:la )?(?:proxima|siguiente|otra) semana\b|\b(?:la )?semana que viene\b", "next week"),
    (r"\besta semana\b", "this week"),
    (r"\b(?:este )?fin de semana\b", "this weekend"),
    (r"\beste (lunes|martes|miercoles|jueves|viernes|sabado|domingo)\b", r"this \1"),
    (r"\blunes\b", "monday"), (r"\bmartes\b", "tuesday"), (r"\bmiercoles\b", "wednesday"),
    (r"\bjueves\b", "thursday"), (r"\bviernes\b", "friday"), (r"\bsabados?\b", "saturday"),
    (r"\bdomingos?\b", "sunday"),
    (r"\b(\d{1,2}) de (enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|"
     r"diciembre)\b", r"\2 \1"),
    (r"\benero\b", "january"), (r"\bfebrero\b", "february"), (r"\bmarzo\b", "march"), (r"\babril\b", "april"),
    (r"\bmayo\b", "may"), (r"\bjunio\b", "june"), (r"\bjulio\b", "july"), (r"\bagosto\b", "august"),
    (r"\bs(?:ep)?tiembre\b", "september"), (r"\boctubre\b", "october"), (r"\bnoviembre\b", "november"),
    (r"\bdiciembre\b", "december"),
    (r"\b(?:el )?dia (\d{1,2})\b", r"the \1th"),
    (r"\ben (una|dos|tres|\d) semanas?\b", lambda m: f"in {SPANISH_NUMBERS.get(m.group(1), m.group(1))} weeks"),
    (r"\b(a|de) la una\b", r"\1 la 1"),
    (r"\b(a|de) las (dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce)\b",
     lambda m: f"{m.group(1)} las {SPANISH_HOURS[m.group(2)]}"),
    (r"\b(?:como |tipo |mas o menos )a las?\b", "around"), (r"\bdespues de las?\b", "after"),
    (r"\bantes de las?\b", "before"), (r"\b(?:a|de) las?\b(?=\s*\d)", "at"), (r"^ ?las? (?=\d)", " at "),
    (r"\b(\d{1,2})(?::(\d{2}))? y media\b", r"\1:30"),
    (r"\ba\.? ?m\.?(?!\w)", "am"), (r"\bp\.? ?m\.?(?!\w)", "pm"),
)
SPANISH_NUMBERS = {"una": "1", "dos": "2", "tres": "3"}
SPANISH_HOURS = {word: str(number) for number, word in enumerate(
    ("dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"), start=2)}
PARTS_OF_DAY = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59)),
    "lunch": (time(11, 0), time(14, 0)),
}
# A standalone "am"/"pm" is a part of the day ("tmrw am"), but not in "I am free".
_PART_WORDS = re.compile(
    r"\b(?:in the |late |early )?(mornings?|afternoons?|evenings?|night|after work|lunch ?time|lunch)\b"
    r"|(?<!\bi )(?<!\d)(?<!\d )\b(am|pm|a\.m\.|p\.m\.)(?!\w)")
# A clock time: 1-2 digits not inside a longer number, minutes only after ":" or ".".
_CLOCK = re.compile(
    r"(?:\b(?:at|@|around|about|by|after|before)\s*)?(?<![\d/.:-])(\d{1,2})(?:[:.](\d{2}))?(?![\d/])\s*"
    r"(am|pm|a\.m\.|p\.m\.|a|p)?(?!\w)(?!\s*(?:/|st\b|nd\b|rd\b|th\b|days?\b|weeks?\b))")
_PHONE_LIKE = re.compile(r"\d{7,}|\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}")
_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_SOONEST = re.compile(r"\b(asap|as soon as|soonest|earliest|first (?:available|free|open)|next (?:available|free|open)|"
                      r"any ?time|whenever|any day|anything)\b")
_WEEK = re.compile(r"\b(this|next|the following|coming) week(?:end)?\b")
_WEEKDAY = re.compile(r"\b(?:(this|next|coming|the coming)\s+)?(" + "|".join(WEEKDAY_NAMES) + r")\b")


@dataclass(frozen=True)
class TimeRequest:
    """The days and times a person asked for. `exact` is a clock time on a single day."""

    first_day: Optional[date] = None
    last_day: Optional[date] = None
    from_time: time = time(0, 0)
    to_time: time = time(23, 59)
    exact: Optional[time] = None

    @property
    def single_day(self) -> bool:
        return self.first_day is not None and self.first_day == self.last_day


def _fold_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _normalise(text: str) -> str:
    text = " " + _fold_accents((text or "").lower().strip()) + " "
    for pattern, replacement in SPANISH_WORDS:
        text = re.sub(pattern, replacement, text)
    for pattern, replacement in _SPELLING.items():
        text = re.sub(pattern, replacement, text)
    return re.sub(r"\s+", " ", text)


def _take_part_of_day(text: str) -> Tuple[Optional[Tuple[time, time]], Optional[str], str]:
    """(time window, am/pm hint, the text without those words)."""
    match = _PART_WORDS.search(text)
    if not match:
        return None, None, text
    word = (match.group(1) or match.group(2)).replace(".", "")
    rest = text[: match.start()] + " " + text[match.end():]
    if word in ("am",) or word.startswith("morning"):
        return PARTS_OF_DAY["morning"], "am", rest
    if word in ("pm",) or word.startswith("afternoon"):
        return PARTS_OF_DAY["afternoon"], "pm", rest
    if word.startswith("lunch"):
        return PARTS_OF_DAY["lunch"], None, rest
    return PARTS_OF_DAY["evening"], "pm", rest


def _clock_hour(hour: int, minute: int, meridiem: Optional[str]) -> Optional[time]:
    """A clock time; a bare hour is read within clinic hours (8-11 am, 12 noon, 1-7 pm)."""
    if minute > 59 or hour > 23:
        return None
    if meridiem:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif 1 <= hour <= 7:
        hour += 12
    return time(hour, minute)


def _take_clock(text: str, meridiem_hint: Optional[str]) -> Tuple[Optional[time], str]:
    """A clock time when it is clearly one: 'at 3', '3pm', '10:30', or a number after a day name."""
    for match in _CLOCK.finditer(_YEAR.sub(lambda m: "#" * len(m.group(0)), text)):
        hour, minutes, meridiem = match.group(1), match.group(2), match.group(3)
        prefix = text[: match.start(1)]
        introduced = bool(re.search(r"(at|@|around|about|by|after|before)\s*$", prefix))
        after_day = bool(re.search(r"(" + "|".join(WEEKDAY_NAMES) + r"|today|tomorrow)\s*$", prefix))
        if not (minutes or meridiem or introduced or after_day):
            continue
        if after_day and not (minutes or meridiem or introduced) and int(hour) > 12:
            continue
        clock = _clock_hour(int(hour), int(minutes or 0), (meridiem or meridiem_hint or "")[:1] or None)
        if clock is not None:
            return clock, text[: match.start()] + " " + text[match.end():]
    return None, text


def _next_weekday(today: date, weekday: int, qualifier: Optional[str]) -> date:
    """Plain 'Tuesday' is the next Tuesday after today; 'next Tuesday' is the one in next week."""
    ahead = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=ahead)
    if qualifier == "next":
        next_monday = today + timedelta(days=7 - today.weekday())
        while day < next_monday:
            day += timedelta(days=7)
    return day


def _take_days(text: str, today: date) -> Tuple[Optional[date], Optional[date], str]:
    if re.search(r"\bday after tomorrow\b", text):
        day = today + timedelta(days=2)
        return day, day, text.replace("day after tomorrow", " ")
    for word, offset in (("yesterday", -1), ("today", 0), ("tonight", 0), ("tomorrow", 1)):
        if re.search(rf"\b{word}\b", text):
            day = today + timedelta(days=offset)
            return day, day, re.sub(rf"\b{word}\b", " ", text)
    match = _WEEKDAY.search(text)
    if match:
        day = _next_weekday(today, WEEKDAY_NAMES.index(match.group(2)), (match.group(1) or "").strip() or None)
        return day, day, text[: match.start()] + " " + text[match.end():]
    match = _WEEK.search(text)
    if match:
        monday = today - timedelta(days=today.weekday())
        if match.group(1) == "this" and today.weekday() < 5:
            return today + timedelta(days=1), monday + timedelta(days=6), text.replace(match.group(0), " ")
        start = monday + timedelta(days=7)
        return start, start + timedelta(days=6), text.replace(match.group(0), " ")
    return None, None, text


def _next_day_of_month(today: date, day_of_month: int) -> Optional[date]:
    """'the 4th': the next 4th of a month, from tomorrow on."""
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day_of_month)
        except ValueError:
            candidate = None
        if candidate and candidate > today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _explicit_date(text: str, now: datetime) -> Optional[date]:
    """A written date ('Dec 3', '12/3', 'the 4th', 'in 2 weeks') through dateparser."""
    rest = re.sub(r"\b(on|at|for|please|pls|plz|can|could|i|do|would|like|want|how|about|works?|is|good|fine|"
                  r"maybe|ok|okay|what|the|book|me|in|a|an|appointment|appt|consultation|visit|time|slot|one|"
                  r"option|free|am|available|yes|sure|thanks|thank|you|"
                  r"el|la|los|las|para|por|favor|porfa|quiero|quisiera|puede|podria|ser|una|cita|si|gracias|me|"
                  r"gustaria|esta|bien|mejor|dia|de)\b",
                  lambda m: m.group(0) if m.group(0) in ("in", "the") else " ", text)
    rest = re.sub(r"\s+", " ", rest).strip(" ,.!?")
    ordinal = re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)?(?: of (?:the|this|next) month)?", rest)
    if ordinal and re.search(r"st|nd|rd|th", rest):
        return _next_day_of_month(now.date(), int(ordinal.group(1)))
    if not rest or not re.search(r"\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|week|month", rest):
        return None
    parser = DateDataParser(languages=["en"], settings={
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": now.replace(tzinfo=None), "DATE_ORDER": "MDY",
        "RETURN_TIME_AS_PERIOD": True, "PREFER_DAY_OF_MONTH": "first"})
    data = parser.get_date_data(rest)
    if data.date_obj is None or data.period not in ("day", "week", "time"):
        return None
    return data.date_obj.date()


def parse_time_request(text: str, now: datetime) -> Optional[TimeRequest]:
    """What the person asked for, relative to `now` (clinic local time), or None when the text
    names no day or time at all. 'asap' and 'anytime' give an open request (the earliest slots).
    A written date wins over a weekday name ("Tue, Dec 8" is Dec 8 whatever day that is)."""
    if _PHONE_LIKE.search(text or ""):
        return None  # a phone number, not a time
    text = _normalise(text)
    _, hint, _ = _take_part_of_day(text)
    clock, text = _take_clock(text, hint)
    window, _, text = _take_part_of_day(text)
    first, last, text = _take_days(text, now.date())
    written = _explicit_date(text, now)
    if written is not None:
        first = last = written
    if first is None and clock is None and window is None:
        return TimeRequest() if _SOONEST.search(text) else None
    from_time, to_time = window or (time(0, 0), time(23, 59))
    return TimeRequest(first_day=first, last_day=last, from_time=from_time, to_time=to_time, exact=clock)
