"""When the front desk answers: weekly hours in the clinic's zone, weekends, DST and holidays."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from intake.handoff.hours import DeskHours, desk_hours_reply, desk_is_open, next_opening, urgent_flag_reply
from intake.settings import settings

LA = ZoneInfo("America/Los_Angeles")
WEEKDAYS_9_TO_5 = {day: ["09:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
HOURS = DeskHours.from_config("America/Los_Angeles", WEEKDAYS_9_TO_5, ["2026-12-24", "2026-12-25", "2027-01-01"])


def la(*args: int) -> datetime:
    return datetime(*args, tzinfo=LA)


@pytest.mark.parametrize("moment,is_open", [
    (la(2026, 12, 1, 9, 0), True),  # Tuesday, opening minute
    (la(2026, 12, 1, 16, 59), True),
    (la(2026, 12, 1, 17, 0), False),  # closing time is closed
    (la(2026, 12, 1, 8, 59), False),
    (la(2026, 12, 5, 12, 0), False),  # Saturday
    (la(2026, 12, 6, 12, 0), False),  # Sunday
    (la(2026, 12, 24, 12, 0), False),  # holiday on a Thursday
])
def test_open_and_closed(moment, is_open):
    assert HOURS.is_open(moment) is is_open


def test_utc_and_naive_times_are_read_on_the_clinic_clock():
    assert HOURS.is_open(datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc))  # 09:30 in Los Angeles
    assert not HOURS.is_open(datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc))  # 08:30
    assert HOURS.is_open(datetime(2026, 12, 1, 17, 30))  # naive: UTC


def test_next_opening_over_a_weekend():
    assert HOURS.next_opening(la(2026, 12, 4, 17, 30)) == la(2026, 12, 7, 9, 0)  # Friday evening -> Monday
    assert HOURS.next_opening(la(2026, 12, 5, 10, 0)) == la(2026, 12, 7, 9, 0)
    assert HOURS.next_opening(la(2026, 12, 1, 10, 0)) == la(2026, 12, 1, 10, 0)  # open: now


def test_next_opening_skips_the_holidays():
    assert HOURS.next_opening(la(2026, 12, 23, 18, 0)) == la(2026, 12, 28, 9, 0)  # Thu, Fri holidays, weekend
    assert HOURS.next_opening(la(2026, 12, 31, 18, 0)) == la(2027, 1, 4, 9, 0)


def test_a_dst_week_keeps_nine_on_the_clinic_clock():
    """Clocks go forward on Sunday 14 March 2027: 9:00 is 17:00 UTC on Friday, 16:00 UTC on Monday."""
    friday_evening = datetime(2027, 3, 13, 2, 0, tzinfo=timezone.utc)  # Fri 12 March, 18:00 PST
    opening = HOURS.next_opening(friday_evening)
    assert opening == la(2027, 3, 15, 9, 0)
    assert opening.astimezone(timezone.utc) == datetime(2027, 3, 15, 16, 0, tzinfo=timezone.utc)
    assert not HOURS.is_open(datetime(2027, 3, 15, 15, 30, tzinfo=timezone.utc))  # 08:30 PDT
    assert HOURS.is_open(datetime(2027, 3, 15, 16, 0, tzinfo=timezone.utc))  # 09:00 PDT
    # and back in November: 9:00 PST is 17:00 UTC again
    assert HOURS.next_opening(la(2027, 11, 6, 12, 0)).astimezone(timezone.utc) == \
        datetime(2027, 11, 8, 17, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment,expected", [
    (la(2026, 12, 4, 18, 0), "They will answer from Monday at 9:00 AM (Los Angeles time)."),
    (la(2026, 12, 1, 18, 0), "They will answer from tomorrow at 9:00 AM (Los Angeles time)."),
    (la(2026, 12, 1, 7, 15), "They will answer from 9:00 AM today (Los Angeles time)."),
    (la(2026, 12, 23, 18, 0), "They will answer from Monday at 9:00 AM (Los Angeles time)."),
    (la(2026, 12, 20, 12, 0), "They will answer from tomorrow at 9:00 AM (Los Angeles time)."),
])
def test_the_reply_says_when_the_desk_answers(moment, expected):
    assert HOURS.reply(moment) == f"The front desk is closed now. {expected}"


def test_a_long_closure_names_the_date():
    hours = DeskHours.from_config("America/Los_Angeles", WEEKDAYS_9_TO_5,
                                  [f"2027-01-{d:02d}" for d in range(4, 16)])
    assert hours.reply(la(2027, 1, 1, 18, 0)).endswith("from Monday, January 18 at 9:00 AM (Los Angeles time).")


def test_open_now_and_never_open():
    assert HOURS.reply(la(2026, 12, 1, 10, 0)) == "The front desk is open now."
    never = DeskHours.from_config("America/Los_Angeles", {})
    assert never.next_opening(la(2026, 12, 1, 10, 0)) is None
    assert never.reply(la(2026, 12, 1, 10, 0)) == "The front desk is closed now."


def test_an_unknown_day_is_refused():
    with pytest.raises(ValueError):
        DeskHours.from_config("America/Los_Angeles", {"monday": ["09:00", "17:00"]})


def test_the_configured_hours_and_holidays_are_the_clinic_files():
    clinic = settings().clinic
    christmas = la(2026, 12, 25, 10, 0)  # a Friday, and a booking holiday in config/clinic.yml
    assert "2026-12-25" in settings().booking["holidays"]
    assert not desk_is_open(christmas)
    assert desk_is_open(la(2026, 12, 1, 10, 0)) is ("tue" in clinic.front_desk_hours)
    assert next_opening(christmas) == la(2026, 12, 28, 9, 0)
    assert desk_hours_reply(christmas).endswith("from Monday at 9:00 AM (Los Angeles time).")


def test_an_urgent_flag_in_desk_hours_says_it_was_flagged():
    assert urgent_flag_reply(la(2026, 12, 1, 10, 0), HOURS) == "I've also flagged this as urgent for our clinic team."


@pytest.mark.parametrize("moment,when", [
    (la(2026, 12, 5, 23, 30), "until Monday at 9:00 AM (Los Angeles time)"),  # Saturday night
    (la(2026, 12, 1, 18, 0), "until tomorrow at 9:00 AM (Los Angeles time)"),
])
def test_an_urgent_flag_out_of_hours_says_nobody_may_see_it_and_to_call_now(moment, when):
    reply = urgent_flag_reply(moment, HOURS)
    assert "closed now" in reply and when in reply
    assert "call or text 988 now" in reply and "911" in reply
    never = urgent_flag_reply(moment, DeskHours.from_config("America/Los_Angeles", {}))
    assert "until the desk opens" in never and "988" in never
