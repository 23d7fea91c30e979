"""The per-process queue of turns: how many run at once, in which order, and what a message
that goes away while waiting leaves behind (nothing)."""
from __future__ import annotations

import asyncio
from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from rasa_addons.runtime import turn_queue
from rasa_addons.runtime.turn_queue import TurnQueue, in_turn


async def _turns(queue: TurnQueue, names: List[str], urgent: set, log: List[str], gate: asyncio.Event) -> None:
    async def one(name: str) -> None:
        async with queue.turn(urgent=name in urgent):
            log.append(f"start {name}")
            await gate.wait()
            await asyncio.sleep(0)
            log.append(f"end {name}")

    tasks = []
    for name in names:
        tasks.append(asyncio.create_task(one(name)))
        await asyncio.sleep(0)  # each arrives after the one before
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(*tasks)


def test_at_most_the_limit_run_at_once_and_the_rest_start_in_arrival_order():
    log: List[str] = []
    queue = TurnQueue(2)

    async def run() -> None:
        await _turns(queue, ["a", "b", "c", "d", "e"], set(), log, asyncio.Event())

    asyncio.run(run())
    starts = [entry[6:] for entry in log if entry.startswith("start")]
    assert starts == ["a", "b", "c", "d", "e"]
    running = peak = 0
    for entry in log:
        running += 1 if entry.startswith("start") else -1
        peak = max(peak, running)
    assert peak == 2
    assert queue.running == 0 and queue.waiting == 0


def test_a_crisis_message_takes_the_first_free_place():
    log: List[str] = []
    asyncio.run(_turns(TurnQueue(1), ["a", "b", "c", "crisis"], {"crisis"}, log, asyncio.Event()))
    starts = [entry[6:] for entry in log if entry.startswith("start")]
    assert starts == ["a", "crisis", "b", "c"]


def test_a_message_that_goes_away_while_waiting_leaves_no_place_taken():
    async def run() -> TurnQueue:
        queue = TurnQueue(1)
        first_may_end = asyncio.Event()

        async def first() -> None:
            async with queue.turn():
                await first_may_end.wait()

        async def later() -> None:
            async with queue.turn():
                pass

        running = asyncio.create_task(first())
        await asyncio.sleep(0)
        gone, kept = asyncio.create_task(later()), asyncio.create_task(later())
        await asyncio.sleep(0)
        assert queue.waiting == 2
        gone.cancel()
        first_may_end.set()
        await running
        await asyncio.wait_for(kept, timeout=5)  # the place went past the cancelled one
        with pytest.raises(asyncio.CancelledError):
            await gone
        return queue

    queue = asyncio.run(run())
    assert queue.running == 0 and queue.waiting == 0


def test_a_place_handed_to_a_message_that_has_just_gone_is_passed_on():
    async def run() -> TurnQueue:
        queue = TurnQueue(1)
        done: List[str] = []

        async def later(name: str) -> None:
            async with queue.turn():
                done.append(name)

        async with queue.turn():
            handed, after = asyncio.create_task(later("handed")), asyncio.create_task(later("after"))
            await asyncio.sleep(0)
        # The place is now handed to `handed`, which has not resumed yet, and goes away before it does.
        handed.cancel()
        await asyncio.wait_for(after, timeout=5)
        assert done == ["after"]
        return queue

    queue = asyncio.run(run())
    assert queue.running == 0 and queue.waiting == 0


def test_the_limit_is_at_least_one():
    with pytest.raises(ValueError):
        TurnQueue(0)


def test_a_channel_turn_waits_in_the_process_queue_and_returns_its_result(monkeypatch):
    monkeypatch.setattr(turn_queue, "_queue", TurnQueue(1))
    seen: List[str] = []

    async def on_new_message(message: UserMessage) -> str:
        seen.append(message.text)
        assert turn_queue.process_queue().running == 1
        return "answered"

    result = asyncio.run(in_turn(on_new_message)(UserMessage("hello", CollectingOutputChannel(), "person")))
    assert result == "answered" and seen == ["hello"]
    assert turn_queue.process_queue().running == 0


def test_a_crisis_only_the_model_reads_is_urgent_in_the_queue(monkeypatch):
    seen = []

    class Recording(TurnQueue):
        def turn(self, urgent: bool = False):
            seen.append(urgent)
            return super().turn(urgent=urgent)

    monkeypatch.setattr(turn_queue, "_queue", Recording(1))

    async def on_new_message(message: UserMessage) -> None:
        return None

    for text in ("i want to f***ing die", "how long is a session"):
        asyncio.run(in_turn(on_new_message)(UserMessage(text, CollectingOutputChannel(), "person")))
    assert seen == [True, False]
