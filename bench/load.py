"""The load generator: scripted conversations over Rasa's REST channel, timed on the client side.

Each simulated person is a thread with its own HTTP session (kept alive, like a browser) that
sends its conversations' messages one after another, waiting for each reply, with a fresh
sender id per conversation. Latency is the wall-clock time of one POST, from sending to the
last byte of the reply; throughput is the messages answered over the wall time of the run.
Threads are enough: the client only waits on sockets, and the GIL is released meanwhile.

A run ends after a number of conversations per person, or at the end of a time window. The
concurrent runs use the window: every person starts a new conversation when one ends, so the
stated number of conversations is in flight for the whole measurement. With a fixed number of
conversations per person, the run's end was a drain in which fewer and fewer were in flight; with
two Sanic workers, whose kept-alive connections are not shared out evenly, one worker could sit
idle for a third of the run while the other finished its people (measured: the first person
done at 15.2 s of 23.3 s).
"""
from __future__ import annotations

import math
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import requests

from bench.conversations import Conversation, reply_mismatches

REQUEST_TIMEOUT_S = 120


@dataclass
class LoadResult:
    """Per-message latencies and the run's wall time for one load run."""

    clients: int
    conversations: int
    latencies_ms: List[float] = field(default_factory=list)
    # The same latencies by position in the script, to see which turns are slow.
    latencies_by_turn: Dict[int, List[float]] = field(default_factory=dict)
    errors: int = 0
    wall_s: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        """Messages answered per second over the whole run."""
        return self.messages / self.wall_s if self.wall_s else 0.0

    def percentile(self, fraction: float) -> Optional[float]:
        """Latency percentile in ms (linear interpolation between the closest ranks); None
        when no message was answered."""
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else None
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[round(fraction * 100) - 1]

    def record(self, turn: int, latency_ms: float) -> None:
        self.latencies_ms.append(latency_ms)
        self.latencies_by_turn.setdefault(turn, []).append(latency_ms)

    def median_by_turn(self, conversation: Conversation) -> List[Tuple[int, str, Optional[float]]]:
        """(turn number from 1, message, median latency ms) for each turn of the script."""
        return [(turn + 1, message, round(statistics.median(self.latencies_by_turn[turn]), 1)
                 if self.latencies_by_turn.get(turn) else None)
                for turn, message in enumerate(conversation.messages)]

    def summary(self) -> Dict[str, Optional[float]]:
        """The figures of the run, rounded for the report and the JSON file."""
        def rounded(value: Optional[float], digits: int) -> Optional[float]:
            return None if value is None else round(value, digits)

        return {"clients": self.clients, "conversations": self.conversations, "messages": self.messages,
                "errors": self.errors, "wall_s": round(self.wall_s, 2),
                "throughput_msg_s": round(self.throughput, 2),
                "p50_ms": rounded(self.percentile(0.50), 1), "p95_ms": rounded(self.percentile(0.95), 1),
                "p99_ms": rounded(self.percentile(0.99), 1)}


def send(session: requests.Session, rasa_url: str, sender: str, message: str) -> Tuple[float, Optional[str]]:
    """POST one message; returns (latency ms, the reply's texts joined or None on failure)."""
    started = time.perf_counter()
    try:
        response = session.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                                timeout=REQUEST_TIMEOUT_S)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return elapsed_ms, "\n".join(m.get("text", "") for m in response.json() if m.get("text"))
    except (requests.RequestException, ValueError):
        return (time.perf_counter() - started) * 1000, None


def check_conversation(rasa_url: str, conversation: Conversation, sender_prefix: str) -> List[str]:
    """Run the conversation once (the warm-up) and return the replies that were not as scripted."""
    sender = f"{sender_prefix}-check-{uuid.uuid4().hex[:12]}"
    with requests.Session() as session:
        replies = [send(session, rasa_url, sender, message)[1] for message in conversation.messages]
    return reply_mismatches(conversation, replies)


def run_load(rasa_url: str, conversation: Conversation, clients: int, sender_prefix: str,
             conversations_per_client: Optional[int] = None, window_s: Optional[float] = None) -> LoadResult:
    """`clients` people at once, each holding conversations in a row: `conversations_per_client`
    of them, or as many as fit in `window_s` seconds. In a window, only replies that arrive
    within it count, and the wall time is the window."""
    if (conversations_per_client is None) == (window_s is None):
        raise ValueError("give either conversations_per_client or window_s")
    result = LoadResult(clients=clients, conversations=0)
    lock = threading.Lock()
    start_together = threading.Barrier(clients + 1, timeout=60)
    # Set on Ctrl-C or an error so the people stop after their current message instead of
    # finishing their conversations while the orchestrator waits to stop the servers.
    stop = threading.Event()
    # The window's end, set once every person has started (a list so that the people see it change).
    deadline = [math.inf]

    def more_conversations(done: int) -> bool:
        return done < conversations_per_client if conversations_per_client is not None else True

    def person() -> None:
        with requests.Session() as session:
            start_together.wait()
            done = 0
            while more_conversations(done):
                sender = f"{sender_prefix}-{uuid.uuid4().hex[:12]}"
                with lock:
                    result.conversations += 1
                for turn, message in enumerate(conversation.messages):
                    if stop.is_set():
                        return
                    latency_ms, reply = send(session, rasa_url, sender, message)
                    if time.perf_counter() > deadline[0]:
                        return
                    with lock:
                        if reply is None:
                            result.errors += 1
                        else:
                            result.record(turn, latency_ms)
                done += 1

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(person) for _ in range(clients)]
        try:
            start_together.wait()
            started = time.perf_counter()
            if window_s is not None:
                deadline[0] = started + window_s
            for future in futures:
                future.result()
            result.wall_s = window_s if window_s is not None else time.perf_counter() - started
        except BaseException:
            stop.set()
            start_together.abort()
            raise
    return result
