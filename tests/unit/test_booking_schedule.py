"""The clinic schedule: slots, daylight-saving weeks, holidays, lead time, hours, priority window."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake.booking.schedule import Schedule, schedule_from_config
from intake.settings import load_settings

LA = ZoneInfo("America/Los_Angeles")
HOURS = {"mon": [("09:00", "12:00"), ("13:00", "17:00")], "tue": [("09:00", "12:00"), ("13:00", "17:00")],
         "wed": [("09:00", "12:00"), ("13:00", "17:00")], "thu": [("09:00", "12:00"), ("13:00", "17:00")],
         "fri": [("09:00", "12:00"), ("13:00", "16:00")]}


def make_schedule(**overrides) -> Schedule:
    raw = {"hours": HOURS, "slot_minutes": 60, "holidays": ["2026-12-25"], "min_lead_hours": 18,
           "horizon_days": 42, "priority_reserved_hours": 24, "offer_count": 4, **overrides}
    return schedule_from_config(raw, "America/Los_Angeles")


def at(y, mo, d, h=0, mi=0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LA)


def test_the_configured_clinic_schedule_loads():
    schedule = load_settings().schedule
    assert schedule.time_zone == "America/Los_Angeles"
    assert schedule.slot_minutes > 0 and schedule.hours


def test_a_day_has_slots_within_its_spans_and_none_across_lunch():
    slots = make_schedule().slots_on(date(2026, 12, 1))  # a Tuesday
    assert [s.hour for s in slots] == [9, 10, 11, 13, 14, 15, 16]
    assert all(s.tzinfo is not None for s in slots)


def test_a_slot_must_fit_before_closing():
    slots = make_schedule(slot_minutes=90).slots_on(date(2026, 12, 1))
    assert [(s.hour, s.minute) for s in slots] == [(9, 0), (10, 30), (13, 0), (14, 30)]


def test_weekends_and_holidays_have_no_slots():
    schedule = make_schedule()
    assert schedule.slots_on(date(2026, 12, 5)) == []  # Saturday
    assert schedule.slots_on(date(2026, 12, 6)) == []  # Sunday
    assert schedule.slots_on(date(2026, 12, 25)) == []  # holiday (a Friday)


@pytest.mark.parametrize("day, offset_hours", [(date(2027, 3, 12), -8), (date(2027, 3, 15), -7),
                                                (date(2026, 10, 30), -7), (date(2026, 11, 2), -8)])
def test_slots_stay_at_local_clock_times_across_daylight_saving_changes(day, offset_hours):
    """DST starts 14 Mar 2027 and ended 1 Nov 2026: 09:00 stays 09:00 local, UTC moves."""
    first = make_schedule().slots_on(day)[0]
    assert (first.hour, first.minute) == (9, 0)
    assert first.utcoffset() == timedelta(hours=offset_hours)


def test_the_week_of_the_spring_change_lists_each_workday_once():
    slots = list(make_schedule().slots_between(at(2027, 3, 13), at(2027, 3, 20)))
    assert sorted({s.date() for s in slots}) == [date(2027, 3, d) for d in (15, 16, 17, 18, 19)]
    assert len(slots) == 4 * 7 + 6


def test_lead_time_counts_real_hours_across_the_autumn_change():
    """Sat 31 Oct 2026 20:00 PDT + 37 h real time = Mon 2 Nov 08:00 PST (the night has 25 hours)."""
    schedule = make_schedule(min_lead_hours=37)
    assert schedule.earliest_bookable(at(2026, 10, 31, 20)) == datetime(2026, 11, 2, 8, tzinfo=LA)


def test_lead_time_keeps_the_next_morning_away_when_asked_in_the_evening():
    schedule = make_schedule()
    now = at(2026, 12, 1, 17, 30)  # Tue 17:30 + 18 h = Wed 11:30
    first = schedule.free_slots(now, [], priority=True)[0]
    assert first == at(2026, 12, 2, 13)
    assert schedule.unavailable_reason(at(2026, 12, 2, 10), now, [], True) == "too_soon"


def test_flagged_people_get_the_earliest_slots_and_others_start_after_the_priority_window():
    schedule = make_schedule()
    now = at(2026, 11, 30, 8)  # Monday 08:00: earliest bookable Tue 02:00
    assert schedule.free_slots(now, [], priority=True)[0] == at(2026, 12, 1, 9)
    assert schedule.free_slots(now, [], priority=False)[0] == at(2026, 12, 2, 9)
    assert schedule.unavailable_reason(at(2026, 12, 1, 9), now, [], priority=False) == "reserved"
    assert schedule.unavailable_reason(at(2026, 12, 1, 9), now, [], priority=True) is None


def test_taken_slots_are_skipped_and_the_offer_count_is_kept():
    schedule = make_schedule()
    now = at(2026, 11, 30, 8)
    taken = [at(2026, 12, 1, 9), at(2026, 12, 1, 11)]
    assert schedule.free_slots(now, taken, True) == [at(2026, 12, 1, 10), at(2026, 12, 1, 13),
                                                      at(2026, 12, 1, 14), at(2026, 12, 1, 15)]
    assert schedule.unavailable_reason(at(2026, 12, 1, 9), now, taken, True) == "taken"


def test_a_taken_slot_is_recognised_from_any_time_zone():
    schedule = make_schedule()
    now = at(2026, 11, 30, 8)
    taken_utc = [at(2026, 12, 1, 9).astimezone(ZoneInfo("UTC"))]
    assert schedule.unavailable_reason(at(2026, 12, 1, 9), now, taken_utc, True) == "taken"


@pytest.mark.parametrize("moment, reason", [
    (at(2026, 11, 29, 10), "past"),
    (at(2026, 12, 5, 10), "closed"),       # Saturday
    (at(2026, 12, 1, 12), "closed"),       # lunch
    (at(2026, 12, 1, 18), "closed"),       # after hours
    (at(2026, 12, 1, 9, 30), "closed"),    # not a slot start
    (at(2026, 12, 25, 10), "holiday"),
    (at(2027, 3, 1, 10), "too_far"),
])
def test_why_a_time_cannot_be_booked(moment, reason):
    assert make_schedule().unavailable_reason(moment, at(2026, 11, 30, 8), [], True) == reason


def test_nearest_free_slots_surround_the_asked_time():
    schedule = make_schedule()
    now = at(2026, 11, 30, 8)
    taken = [at(2026, 12, 2, 14)]
    nearest = schedule.nearest_free_slots(at(2026, 12, 2, 14), now, taken, True, count=3)
    assert nearest == [at(2026, 12, 2, 13), at(2026, 12, 2, 15), at(2026, 12, 2, 16)]


def test_unknown_day_names_in_the_configuration_are_refused():
    with pytest.raises(ValueError):
        schedule_from_config({"hours": {"monday": [["09:00", "17:00"]]}}, "America/Los_Angeles")
