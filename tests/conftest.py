"""Shared fixtures: one real Rasa + action server stack per test run, reused by all tests."""
from __future__ import annotations

import uuid

import pytest

from tests.support.stack import RasaStack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> RasaStack:
    """The real Rasa server and action server on free loopback ports, started once per run."""
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    running.stop_all()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id for each test."""
    return f"test-{uuid.uuid4().hex[:12]}"
