"""The web chat's shared rooms (socket.io over Redis pub/sub) under attack and outage (issue 26):
a pickle written to the channel runs nothing, and with the Redis stopped mid-conversation the
chat is still answered, the crisis reply first (rasa_addons/channels/shared_rooms.py). The test
starts its own redis-server on a free port."""
from __future__ import annotations

import asyncio
import pickle
import subprocess
import time
from pathlib import Path

import pytest
import redis

from rasa_addons.channels.socketio import shared_rooms_channel
from tests.support.stack import free_port, start_stack
from tests.support.webchat import WebChat, joined


@pytest.fixture(scope="module")
def own_redis():
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield server, client
    server.kill()
    server.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, own_redis):
    client = own_redis[1]
    port = client.connection_pool.connection_kwargs["port"]
    running = start_stack(tmp_path_factory.mktemp("redis-outage"),
                          extra_env={"INTAKE_SOCKETIO_REDIS_URL": f"redis://127.0.0.1:{port}/0"})
    yield running
    running.stop_all()


class OpensAFile:
    """Unpickling this creates a file: what an attacker's payload would do, harmlessly."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def say_and_read(stack, text: str) -> str:
    async def scenario() -> str:
        chat = WebChat(stack.rasa_url)
        await chat.open()
        try:
            await chat.say(text)
            return joined(await chat.messages())
        finally:
            await chat.close()

    return asyncio.run(scenario())


def test_a_pickle_on_the_shared_channel_runs_nothing(stack, own_redis, tmp_path):
    assert "automated" in say_and_read(stack, "hello")  # the server is subscribed and answering
    marker = tmp_path / "unpickled"
    listeners = own_redis[1].publish(shared_rooms_channel(), pickle.dumps(OpensAFile(marker)))
    assert listeners >= 1
    time.sleep(1.0)  # the server's listener has read it by now
    assert not marker.exists()
    assert "automated" in say_and_read(stack, "hello")  # and it still serves


def test_with_redis_stopped_mid_conversation_the_chat_is_still_answered_crisis_first(stack, own_redis):
    server = own_redis[0]

    async def scenario() -> list:
        chat = WebChat(stack.rasa_url)
        await chat.open()
        try:
            await chat.say("hello")
            assert "automated" in joined(await chat.messages())
            server.terminate()
            server.wait()
            await chat.say("I want to kill myself")
            return await chat.messages()
        finally:
            await chat.close()

    crisis = asyncio.run(scenario())
    assert "988" in crisis[0]["text"] and "911" in crisis[0]["text"]
    assert crisis[-1]["text"] == "Are you safe right now?"
