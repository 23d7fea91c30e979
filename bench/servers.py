"""Launching the assistants under benchmark and measuring their start-up time and peak memory.

Built on tests/support/stack.py (free ports, the stack's environment, process groups, stopping)
so the benchmark starts Rasa exactly as the integration tests do, with the stack's choice of
model, credentials and endpoints (ours, the `rasa init` assistant, or Postgres + Redis); what it
adds is a start-up clock that stops only when the server has answered a real message, and the
peak memory of the server's processes.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import requests

from tests.support.stack import START_TIMEOUT_S, RasaStack, free_port


@dataclass
class BenchStack(RasaStack):
    """A Rasa server (and, for ours, its action server) started for one benchmark run: the test
    stack (its model, credentials and endpoints fields choose what runs) with a start-up clock."""

    startup_s: Optional[float] = None

    def start_rasa(self) -> None:
        """Start the Rasa server and record the seconds from spawn to a first real reply."""
        started = time.monotonic()
        super().start_rasa()
        self._wait_for_first_reply()
        self.startup_s = time.monotonic() - started

    def _wait_for_first_reply(self) -> None:
        """`/status` answers once the model is loaded; a message also proves the channel and
        everything a first turn touches (tracker store, lock store, action server) work."""
        deadline = time.monotonic() + START_TIMEOUT_S
        sender = f"bench-startup-{uuid.uuid4().hex[:12]}"
        while time.monotonic() < deadline:
            if self.processes["rasa"].poll() is not None:
                raise RuntimeError(f"rasa exited before its first reply:\n{self.log_tail('rasa')}")
            try:
                response = self.post_rest({"sender": sender, "message": "hi"})
                if response.ok and response.json():
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"rasa gave no first reply within {START_TIMEOUT_S} s:\n{self.log_tail('rasa')}")

    def rasa_peak_rss_mb(self) -> Dict[str, float]:
        """Peak resident memory (VmHWM) of the Rasa server's process tree: the sum, the largest
        single process and the process count (Sanic forks one process per worker)."""
        pids = process_tree(self.processes["rasa"].pid)
        peaks = [peak for peak in (vm_hwm_kb(pid) for pid in pids) if peak is not None]
        return {"sum_mb": sum(peaks) / 1024, "max_process_mb": max(peaks, default=0) / 1024,
                "processes": len(peaks)}


def start_bench_stack(workdir: Path, model: Path, with_actions: bool, credentials: Optional[Path] = None,
                      endpoints: Optional[Path] = None, extra_env: Optional[Dict[str, str]] = None,
                      production_env: Optional[Dict[str, str]] = None) -> BenchStack:
    """Start an action server (ours only) and then a Rasa server, both on free loopback ports.

    The action server is up before Rasa's clock starts, so start-up time is the Rasa server's own.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    stack = BenchStack(workdir=workdir, rasa_port=free_port(), actions_port=free_port(),
                       extra_env=dict(extra_env or {}), model=model, endpoints=endpoints,
                       production_env=production_env)
    if credentials:
        stack.credentials = credentials
    try:
        if with_actions:
            stack.start_actions()
        stack.start_rasa()
    except BaseException:
        stack.stop_all()
        raise
    return stack


def process_tree(root_pid: int) -> List[int]:
    """The process and all its descendants, from the parent ids in /proc."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name in field 2 may contain spaces; the parent id follows its ")".
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def vm_hwm_kb(pid: int) -> Optional[int]:
    """The peak resident set size of one process in kB, or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
