"""How many messages one conversation, and one address, may send in a minute.

A script sending hundreds of messages a second would take the servers from everyone else. Each
Rasa process counts, in memory, the messages of the last minute per conversation and per client
address (intake.client_address); one over either limit gets `slow_down_reply()` and is not read,
except a message that reads as a risk: a person in crisis is never told to wait
(rasa_addons/channels/message_rate.py). The limits are far above what a person types or clicks.
A client on this machine itself is not counted (the embedded default and the tests talk from
there; intake.client_address.counted_address). With
several processes each counts alone, so a flood is held to the limit times the process count.
"""
from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Callable, Deque

from intake.outage_replies import reply
from intake.settings import settings

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # the oldest keys are forgotten beyond this: memory stays bounded under a flood


@dataclass(frozen=True)
class RateLimits:
    per_conversation: int = 60
    per_address: int = 300


def rate_limits() -> RateLimits:
    """`limits.messages_per_minute_per_conversation` and `..._per_address` in config/clinic.yml."""
    section = settings().section("limits")
    limits = RateLimits(int(section.get("messages_per_minute_per_conversation", RateLimits.per_conversation)),
                        int(section.get("messages_per_minute_per_address", RateLimits.per_address)))
    if limits.per_conversation < 1 or limits.per_address < 1:
        raise ValueError("limits.messages_per_minute_per_*: at least 1")
    return limits


class SlidingWindow:
    """Counts events per key over the last `window` seconds and says whether one more fits."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, max_keys: int = MAX_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._events: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def allow(self, key: str) -> bool:
        """True, and counted, when `key` has fewer than `limit` events in the window; else False
        (a refused event is not counted, so a flood that stops is let through a window later)."""
        now = self.clock()
        events = self._events.pop(key, None) or deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        self._events[key] = events  # most recently used last
        if len(self._events) > self.max_keys:
            self._events.popitem(last=False)
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True


def slow_down_reply(language: str = "en") -> str:
    """The reply to a message over a limit, in the conversation's language, with where help is."""
    return reply("slow_down", language)
