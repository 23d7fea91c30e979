"""A few turns at a time per Rasa server process; the other messages wait in arrival order.

Why: a Rasa server answers every message it receives at once, interleaving them on one event
loop. A turn that calls the action server (a screening step calls it two to four times) goes to
the back of the line each time it waits for an answer, behind every other message in progress.
With 20 conversations at once, `make bench` measured a p95 latency of 1.76 s against a median of
0.59 s: the screening turns. Letting only a few turns run at once and the rest wait their turn in
order makes each message's wait about the same, the work ahead of it: p95 0.94 s, median 0.64 s,
at the same throughput. It does not add work or lose messages; it only changes who waits.

A message the safety decision reads as a crisis (or a check-in) does not wait behind the others: it takes the
first free place, so its crisis reply goes out as soon as a turn ends.

How many run at once: INTAKE_TURNS_AT_ONCE, set for every server process from
config/server-threads.env (which gives the measurements), or read from that file when a server
was started without it.
"""
from __future__ import annotations

import asyncio
import os
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Deque, Optional

from rasa.core.channels.channel import UserMessage

from intake.settings import server_process_settings
from rasa_addons.safety_guard import crisis_category

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class TurnQueue:
    """At most `limit` turns at once; the others start in the order they arrived, urgent ones first.

    A turn that ends hands its place straight to the first one waiting, so a message that
    arrives later cannot overtake one that is already waiting (asyncio.Semaphore in Python 3.10
    lets it)."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"turns at once must be 1 or more, not {limit}")
        self.limit = limit
        self.running = 0
        self._urgent: Deque[asyncio.Future] = deque()
        self._waiting: Deque[asyncio.Future] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for line in (self._urgent, self._waiting) for place in line if not place.done())

    @asynccontextmanager
    async def turn(self, urgent: bool = False) -> AsyncIterator[None]:
        await self._take_place(self._urgent if urgent else self._waiting)
        try:
            yield
        finally:
            self._hand_on_place()

    async def _take_place(self, line: Deque[asyncio.Future]) -> None:
        if self.running < self.limit and not self.waiting:
            self.running += 1
            return
        place = asyncio.get_running_loop().create_future()
        line.append(place)
        try:
            await place
        except asyncio.CancelledError:  # the request went away while it waited
            if place.done() and not place.cancelled():
                self._hand_on_place()  # its place had just been handed over: pass it on
            else:
                line.remove(place)
            raise

    def _hand_on_place(self) -> None:
        for line in (self._urgent, self._waiting):
            while line:
                place = line.popleft()
                if not place.done():
                    place.set_result(None)
                    return
        self.running -= 1


_queue: Optional[TurnQueue] = None


def turns_at_once() -> int:
    """INTAKE_TURNS_AT_ONCE from the environment, else from config/server-threads.env."""
    value = os.environ.get("INTAKE_TURNS_AT_ONCE")
    return int(value if value is not None else server_process_settings()["INTAKE_TURNS_AT_ONCE"])


def process_queue() -> TurnQueue:
    """The queue of this server process (each Sanic worker is a process with its own)."""
    global _queue
    if _queue is None:
        _queue = TurnQueue(turns_at_once())
    return _queue


def in_turn(on_new_message: OnNewMessage) -> OnNewMessage:
    """`on_new_message` that waits for its turn in this process's queue."""

    async def handle(message: UserMessage) -> Any:
        async with process_queue().turn(urgent=crisis_category(message.text or "") is not None):
            return await on_new_message(message)

    return handle
