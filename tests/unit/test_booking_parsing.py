"""Free-text times, contact details and reference codes, as patients type them."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from intake.booking.contact import (clean_name, display_phone, normalize_email, normalize_phone,
                                    parse_contact_method, parse_visit_type)
from intake.booking.matching import choose_slot, match_time_request
from intake.booking.references import ALPHABET, new_reference, normalize_reference
from intake.booking.replies import confirmation_answer, declines_email
from intake.booking.time_request import TimeRequest, parse_time_request
from tests.unit.test_booking_schedule import at, make_schedule

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=LA)  # a Sunday


@pytest.mark.parametrize("text, day, exact, window", [
    ("next Tuesday afternoon", date(2026, 12, 1), None, (time(12), time(17))),
    ("Friday at 3", date(2026, 12, 4), time(15), None),
    ("tomorrow morning", date(2026, 11, 30), None, (time(0), time(12))),
    ("tmrw am", date(2026, 11, 30), None, (time(0), time(12))),
    ("fri 10:30am", date(2026, 12, 4), time(10, 30), None),
    ("thursday 11am works", date(2026, 12, 3), time(11), None),
    ("3pm tomorrow", date(2026, 11, 30), time(15), None),
    ("wed 2", date(2026, 12, 2), time(14), None),
    ("Dec 3", date(2026, 12, 3), None, None),
    ("12/3 at 2", date(2026, 12, 3), time(14), None),
    ("December 3rd at 10am", date(2026, 12, 3), time(10), None),
    ("the 4th", date(2026, 12, 4), None, None),
    ("jan 5 at 9", date(2027, 1, 5), time(9), None),
    ("Tue, Dec 1 at 10:00 AM", date(2026, 12, 1), time(10), None),
    ("can i do monday around noon", date(2026, 11, 30), time(12), None),
    ("this friday", date(2026, 12, 4), None, None),
])
def test_times_people_ask_for(text, day, exact, window):
    request = parse_time_request(text, NOW)
    assert request is not None, text
    assert request.first_day == day and request.last_day == day
    assert request.exact == exact
    if window:
        assert (request.from_time, request.to_time) == window


def test_next_weekday_means_the_one_in_next_week():
    monday = datetime(2026, 11, 30, 9, tzinfo=LA)
    assert parse_time_request("tuesday", monday).first_day == date(2026, 12, 1)
    assert parse_time_request("next tuesday", monday).first_day == date(2026, 12, 8)


def test_next_week_is_a_range_of_days():
    request = parse_time_request("sometime next week", NOW)
    assert (request.first_day, request.last_day) == (date(2026, 11, 30), date(2026, 12, 6))


@pytest.mark.parametrize("text", ["asap", "whenever works", "earliest you have", "first available"])
def test_soonest_requests_have_no_limits(text):
    assert parse_time_request(text, NOW) == TimeRequest()


@pytest.mark.parametrize("text", ["my name is bob", "(310) 555-0142", "3105550142", "i have 2 kids", "", "🙂",
                                  "<script>alert(1)</script>", "K7MXQ4"])
def test_text_without_a_time_is_not_a_time(text):
    assert parse_time_request(text, NOW) is None


def test_an_exact_free_time_is_the_slot():
    schedule = make_schedule()
    match = match_time_request(parse_time_request("Friday at 3", NOW), schedule, NOW, [], True)
    assert match.slot == at(2026, 12, 4, 15) and match.reason is None


def test_an_exact_taken_time_offers_the_nearest_ones():
    schedule = make_schedule()
    match = match_time_request(parse_time_request("Friday at 3", NOW), schedule, NOW, [at(2026, 12, 4, 15)], True)
    assert match.slot is None and match.reason == "taken"
    assert at(2026, 12, 4, 14) in match.options and at(2026, 12, 4, 15) not in match.options


@pytest.mark.parametrize("text, reason", [("saturday at 10", "closed"), ("dec 25 at 10", "holiday"),
                                          ("friday at 7pm", "closed"), ("tomorrow at 8am", "closed")])
def test_closed_times_offer_the_nearest_open_ones(text, reason):
    match = match_time_request(parse_time_request(text, NOW), make_schedule(), NOW, [], True)
    assert match.slot is None and match.reason == reason and match.options


def test_a_part_of_a_day_offers_the_free_times_in_it():
    match = match_time_request(parse_time_request("next tuesday afternoon", NOW), make_schedule(), NOW, [], True)
    assert match.reason is None and match.options[0] == at(2026, 12, 1, 13)
    assert all(option.date() == date(2026, 12, 1) and option.hour >= 12 for option in match.options)


def test_a_past_time_is_explained():
    monday_noon = datetime(2026, 11, 30, 12, tzinfo=LA)
    match = match_time_request(parse_time_request("today at 9am", monday_noon), make_schedule(), monday_noon, [], True)
    assert match.reason == "past" and match.options


@pytest.mark.parametrize("text, expected", [
    ("(310) 555-0142", "+13105550142"), ("310.555.0142", "+13105550142"), ("my number is 310 555 0142", "+13105550142"),
    ("+1 213 373 4253", "+12133734253"), ("1-213-373-4253", "+12133734253"), ("+44 20 7946 0958", "+442079460958"),
])
def test_valid_phone_numbers_are_stored_in_e164(text, expected):
    assert normalize_phone(text).value == expected


@pytest.mark.parametrize("text", ["12345", "555-555", "call me", "", "0000000000", "+1 123 456 7890", "9" * 400])
def test_invalid_phone_numbers_are_refused(text):
    assert not normalize_phone(text).ok


def test_phone_numbers_are_shown_the_way_people_read_them():
    assert display_phone("+13105550142") == "(310) 555-0142"


@pytest.mark.parametrize("text, expected", [("maria@example.com", "maria@example.com"),
                                            ("it's Maria.Lopez@Example.COM", "Maria.Lopez@example.com"),
                                            ("email: j+intake@mail.example.org.", "j+intake@mail.example.org")])
def test_valid_emails(text, expected):
    assert normalize_email(text).value == expected


@pytest.mark.parametrize("text", ["maria@", "not an email", "a@b", "x@example.com y@example.com", "", "a" * 300 + "@x.com",
                                  "<script>@x.com"])
def test_invalid_emails_are_refused(text):
    assert not normalize_email(text).ok


@pytest.mark.parametrize("text, expected", [
    ("Maria Lopez", "Maria Lopez"), ("my name is maria lopez", "Maria Lopez"), ("I'm Seán O'Brien", "Seán O'Brien"),
    ("Anne-Marie St. John", "Anne-Marie St. John"), ("José Álvarez", "José Álvarez"), ("李 小龍", "李 小龍"),
    ("it's  Jamal   Washington ", "Jamal Washington"),
])
def test_names(text, expected):
    assert clean_name(text).value == expected


@pytest.mark.parametrize("text, reason", [
    ("", "empty"), ("A" * 500, "too_long"), ("x" * 90 + " y", "too_long"),
    ("<img src=x onerror=alert(1)>", "not_a_name"), ("Robert'); DROP TABLE bookings;--", "not_a_name"),
    ("{{7*7}}", "not_a_name"), ("Maria 123", "not_a_name"), ("Madonna", "need_full_name"),
    ("http://evil.example", "not_a_name"), ("1 OR 1=1", "not_a_name"),
])
def test_names_that_are_refused_and_why(text, reason):
    checked = clean_name(text)
    assert checked.value is None and checked.reason == reason


@pytest.mark.parametrize("text, method", [("text me", "text"), ("call please", "call"), ("email", "email"),
                                          ("sms is best", "text"), ("a phone call", "call"), ("idk", None),
                                          ("text or call", None)])
def test_contact_methods(text, method):
    assert parse_contact_method(text) == method


@pytest.mark.parametrize("text, visit", [("in person", "in_person"), ("telehealth", "telehealth"),
                                         ("video please", "telehealth"), ("i'd rather come in", "in_person"),
                                         ("zoom", "telehealth"), ("at the clinic", "in_person"), ("whatever", None)])
def test_visit_types(text, visit):
    assert parse_visit_type(text) == visit


def test_reference_codes_avoid_ambiguous_characters():
    codes = {new_reference() for _ in range(500)}
    assert len(codes) > 495
    assert all(len(code) == 6 and not set(code) & set("0O1IL2Z5S8BUVD") for code in codes)
    assert set("".join(codes)) <= set(ALPHABET)


@pytest.mark.parametrize("text, code", [("K7MXQ4", "K7MXQ4"), ("ref: k7m-xq4", "K7MXQ4"), ("my code is K7M XQ4", "K7MXQ4"),
                                        ("matter K7MXQ4", "K7MXQ4"), ("hello", None), ("ABCDEF", None)])
def test_reference_codes_are_found_in_what_people_type(text, code):
    assert normalize_reference(text) == code


OFFERED = [at(2026, 12, 1, 9), at(2026, 12, 1, 10), at(2026, 12, 1, 11), at(2026, 12, 1, 13)]


@pytest.mark.parametrize("text, index", [("1", 0), ("option 2", 1), ("the second one", 1), ("2nd", 1),
                                         ("the last one", 3), ("#3", 2), ("i will take the first", 0),
                                         ("the one at 10", 1), ("11am", 2)])
def test_an_offered_time_is_picked_by_number_or_by_its_hour(text, index):
    match = choose_slot(text, OFFERED, make_schedule(), at(2026, 11, 30, 8), [], True)
    assert match.slot == OFFERED[index]


def test_a_button_sends_the_exact_slot_back():
    schedule = make_schedule()
    match = choose_slot(OFFERED[1].isoformat(), [], schedule, at(2026, 11, 30, 8), [], True)
    assert match.slot == OFFERED[1]


def test_a_button_for_a_slot_taken_meanwhile_offers_others():
    schedule = make_schedule()
    match = choose_slot(OFFERED[1].isoformat(), OFFERED, schedule, at(2026, 11, 30, 8), [OFFERED[1]], True)
    assert match.slot is None and match.reason == "taken" and OFFERED[1] not in match.options


@pytest.mark.parametrize("text", ["5", "banana", "12"])
def test_an_answer_that_is_no_time_is_none(text):
    assert choose_slot(text, OFFERED, make_schedule(), at(2026, 11, 30, 8), [], True) is None


def test_yesterday_is_in_the_past():
    match = match_time_request(parse_time_request("yesterday at 10am", NOW), make_schedule(), NOW, [], True)
    assert match.reason == "past" and match.options


@pytest.mark.parametrize("text, answer", [("yes", True), ("ok", True), ("looks good", True), ("send it", True),
                                          ("yes book it", True), ("that's right", True), ("no", False),
                                          ("nope", False), ("hmm", None), ("what?", None)])
def test_confirmation_replies(text, answer):
    assert confirmation_answer(text) is answer


@pytest.mark.parametrize("text, declines", [("skip", True), ("none", True), ("i don't have one", True),
                                            ("no thanks", True), ("rather not", True), ("maria@example.com", False),
                                            ("maria at example", False)])
def test_declining_to_give_an_email(text, declines):
    assert declines_email(text) is declines


@pytest.mark.parametrize("text, index", [("the 2nd one works for me", 1), ("I'll take the second one please", 1),
                                         ("sure, 3", 2), ("2 please thanks", 1), ("9 please", 0),
                                         ("the 10 am one", 1), ("lets do the last one", 3)])
def test_longer_ways_of_picking_an_offered_time(text, index):
    match = choose_slot(text, OFFERED, make_schedule(), at(2026, 11, 30, 8), [], True)
    assert match.slot == OFFERED[index]


@pytest.mark.parametrize("text, day, exact", [
    ("12/10 at 10:00", date(2026, 12, 10), time(10)), ("10:30 on 12/10", date(2026, 12, 10), time(10, 30)),
    ("Dec 10, 2026 at 10:00", date(2026, 12, 10), time(10)), ("December 10 2026", date(2026, 12, 10), None),
    ("Tue, Dec 8 at 10:00 AM", date(2026, 12, 8), time(10)), ("Thursday 12/10", date(2026, 12, 10), None),
    ("Friday, December 11 at 11 AM", date(2026, 12, 11), time(11)), ("I am free Tuesday at 2", date(2026, 12, 1), time(14)),
    ("3 pm friday", date(2026, 12, 4), time(15)), ("tomorrow at 8 pm", date(2026, 11, 30), time(20)),
])
def test_written_dates_years_and_am_pm_words(text, day, exact):
    request = parse_time_request(text, NOW)
    assert (request.first_day, request.exact) == (day, exact)


def test_i_am_is_not_the_morning():
    request = parse_time_request("i am free tuesday afternoon", NOW)
    assert (request.from_time, request.to_time) == (time(12), time(17))


def test_this_week_said_on_a_sunday_is_the_coming_week():
    request = parse_time_request("this week", NOW)
    assert (request.first_day, request.last_day) == (date(2026, 11, 30), date(2026, 12, 6))


@pytest.mark.parametrize("text, expected", [("Lopez, Maria", "Maria Lopez"), ("it's me Maria Lopez", "Maria Lopez"),
                                            ("Thanh Do", "Thanh Do"), ("Will Young", "Will Young")])
def test_more_ways_of_giving_a_name(text, expected):
    assert clean_name(text).value == expected


@pytest.mark.parametrize("text", ["why do you need my name", "what is this for?", "I don't want to give my name"])
def test_sentences_are_not_names(text):
    assert clean_name(text).reason == "not_a_name"


@pytest.mark.parametrize("text", ['a"b@example.com', "javascript:alert(1)//@example.com", "{{7*7}}@example.com",
                                  "=cmd|calc@example.com", "<b>x</b>@example.com"])
def test_emails_with_markup_or_formulas_are_refused(text):
    assert not normalize_email(text).ok


@pytest.mark.parametrize("text, method", [("texts please", "text"), ("send a text to my phone", "text"),
                                          ("leave a voice mail", "call"), ("don't call, text me", "text"),
                                          ("please don't text", None)])
def test_contact_methods_with_plurals_and_negation(text, method):
    assert parse_contact_method(text) == method


@pytest.mark.parametrize("text, visit", [("I can't come to the clinic", None), ("i'd rather not come in", None),
                                         ("I can't come in, video please", "telehealth")])
def test_visit_types_with_negation(text, visit):
    assert parse_visit_type(text) == visit


@pytest.mark.parametrize("text", ["yes but the phone is wrong", "ok wait", "correct my name please", "no"])
def test_corrections_at_the_confirmation_are_not_a_yes(text):
    assert confirmation_answer(text) is False
