"""Matching a requested time to the clinic's free slots, with the nearest ones when it is taken."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Collection, List, Optional

from intake.booking.schedule import Schedule
from intake.booking.time_request import TimeRequest, parse_time_request


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
        return day_ok and slot.time() == request.exact
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


_ORDINALS = {"first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3, "three": 3,
             "fourth": 4, "4th": 4, "four": 4, "fifth": 5, "5th": 5, "five": 5,
             # Spanish, accents folded
             "primera": 1, "primero": 1, "primer": 1, "segunda": 2, "segundo": 2, "dos": 2, "tercera": 3,
             "tercero": 3, "tres": 3, "cuarta": 4, "cuarto": 4, "cuatro": 4, "quinta": 5, "quinto": 5, "cinco": 5}
SPANISH_FILLERS = {"la", "el", "opcion", "numero", "esa", "ese", "esta", "este", "quiero", "me", "gustaria", "por",
                   "favor", "porfa", "si", "bien", "va", "dale", "una", "uno", "de", "con", "tomo", "prefiero",
                   "perfecto", "gracias", "ok", "sirve", "queda", "hora"}


def offered_choice(text: str, offered: List[datetime]) -> Optional[datetime]:
    """The offered slot picked by number ('2', 'option 2', 'the second one', 'the last one')."""
    folded = "".join(c for c in unicodedata.normalize("NFD", (text or "").lower()) if unicodedata.category(c) != "Mn")
    words = re.sub(r"[^a-z0-9 ]", " ", folded).split()
    fillers = {"the", "option", "number", "no", "one", "please", "pls", "plz", "that", "i", "ll", "take", "choice",
               "slot", "will", "want", "like", "d", "go", "with", "for", "me", "is", "fine", "good", "ok", "okay",
               "works", "work", "yes", "sure", "yeah", "thanks", "thank", "you", "it", "id", "lets", "let", "s",
               "do", "would", "great", "perfect", "one's", "time"} | SPANISH_FILLERS
    if not offered or not words or len(words) > 10:
        return None
    if words[-1] == "no" and len(words) > 1:  # "la segunda no": that one is refused
        return None
    words = ["last" if w in ("ultima", "ultimo") else "one" if w == "uno" else w for w in words]
    if words[-1] == "last" or "last" in words and set(words) - {"last"} <= fillers:
        return offered[-1]
    meaningful = [w for w in words if w not in fillers] or (["one"] if "one" in words else [])
    if len(meaningful) != 1:
        return None
    word = meaningful[0]
    position = int(word) if word.isdigit() and len(word) <= 2 else _ORDINALS.get(word)
    if position and 1 <= position <= len(offered):
        return offered[position - 1]
    return None


def parse_slot_value(value: str, schedule: Schedule) -> Optional[datetime]:
    """A slot start sent back by a button (ISO 8601 with offset), in clinic time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None
    return schedule.local(moment) if moment.tzinfo else None


def choose_slot(text: str, offered: List[datetime], schedule: Schedule, now: datetime,
                taken: Collection[datetime], priority: bool) -> Optional[SlotMatch]:
    """What the person's answer to 'when?' means: a button's slot, a number from the offered
    list, or a day/time in their own words. None when it names no time at all."""
    chosen = parse_slot_value(text, schedule) or offered_choice(text, offered)
    if chosen is not None:
        reason = schedule.unavailable_reason(chosen, now, taken, priority)
        if reason is None:
            return SlotMatch(slot=chosen)
        return SlotMatch(options=schedule.nearest_free_slots(chosen, now, taken, priority), reason=reason)
    request = parse_time_request(text, schedule.local(now))
    bare_hour = re.fullmatch(r"\D*?(\d{1,2})\D*", text or "")
    if request is None and bare_hour:  # "9 please": the hour of one of the offered times
        at_hour = parse_time_request(f"at {bare_hour.group(1)}", schedule.local(now))
        if at_hour and any(slot.time() == at_hour.exact for slot in offered):
            request = at_hour
    if request is None:
        return None
    if request.exact is not None and request.first_day is None:  # "the one at 10"
        same_time = [slot for slot in offered if slot.time() == request.exact]
        if len(same_time) == 1 and schedule.unavailable_reason(same_time[0], now, taken, priority) is None:
            return SlotMatch(slot=same_time[0])
    return match_time_request(request, schedule, now, taken, priority)
