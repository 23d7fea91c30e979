"""The message rate limits' counting and the client address behind trusted proxies."""
from __future__ import annotations

from intake.client_address import client_address, counted_address
from intake.rate_limits import SlidingWindow, rate_limits, slow_down_reply


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_limit_in_a_window_and_more_once_the_window_moves_on():
    clock = Clock()
    window = SlidingWindow(limit=3, window=60, clock=clock)
    assert [window.allow("a") for _ in range(4)] == [True, True, True, False]
    assert window.allow("b")  # another conversation is not held up
    clock.now += 30
    assert not window.allow("a")  # refused messages do not count, but the first three still do
    clock.now += 31
    assert window.allow("a") and window.allow("a") and window.allow("a") and not window.allow("a")


def test_memory_stays_bounded_under_a_flood_of_new_keys():
    window = SlidingWindow(limit=1, window=60, max_keys=100, clock=Clock())
    for key in range(10_000):
        window.allow(f"flood-{key}")
    assert len(window._events) == 100


def test_the_shipped_limits_are_far_above_what_a_person_sends():
    limits = rate_limits()
    assert limits.per_conversation >= 30 and limits.per_address >= limits.per_conversation


def test_the_reply_keeps_the_crisis_numbers():
    assert "988" in slow_down_reply() and "911" in slow_down_reply()


def test_only_what_the_trusted_proxies_wrote_is_believed():
    assert client_address(None, "198.51.100.4", proxies=0) == "198.51.100.4"
    assert client_address("203.0.113.9", "10.0.0.2", proxies=0) == "10.0.0.2"  # a client's own claim
    assert client_address("203.0.113.9", "10.0.0.2", proxies=1) == "203.0.113.9"
    assert client_address("6.6.6.6, 203.0.113.9", "10.0.0.2", proxies=1) == "203.0.113.9"
    assert client_address("6.6.6.6, 203.0.113.9, 10.0.0.7", "10.0.0.2", proxies=2) == "203.0.113.9"
    assert client_address(None, "10.0.0.2", proxies=2) == "10.0.0.2"  # fewer hops than configured


def test_only_a_client_on_this_machine_itself_goes_uncounted():
    assert counted_address(None, "127.0.0.1", proxies=0) is None  # make run, the tests
    assert counted_address(None, "127.0.0.1", proxies=1) is None
    assert counted_address("203.0.113.9", "127.0.0.1", proxies=1) == "203.0.113.9"  # a local proxy's client
    # A client that writes 127.0.0.1 itself is counted, whatever the proxy count.
    assert counted_address("127.0.0.1", "10.0.0.2", proxies=0) == "10.0.0.2"
    assert counted_address("127.0.0.1, 203.0.113.9", "10.0.0.2", proxies=1) == "203.0.113.9"
    assert counted_address("127.0.0.1", "10.0.0.2", proxies=2) is not None
