"""Marks that last one turn (on its output channel): one failure message per turn, however many
parts of the turn failed, and the action server known not to answer (rasa_addons.runtime.remote_actions)."""
from __future__ import annotations

from rasa.core.channels.channel import OutputChannel

# Each turn has its own output channel object (one per request or message), so a mark on it
# lasts exactly one turn.
_TOLD = "_intake_failure_told"


def marked(output: OutputChannel, mark: str) -> bool:
    """Whether this turn (its output channel) carries `mark`."""
    return bool(getattr(output, mark, False))


def mark(output: OutputChannel, name: str) -> None:
    """Put `name` on this turn; it ends with the turn's output channel."""
    setattr(output, name, True)


async def tell_once(output: OutputChannel, recipient: str, text: str) -> None:
    """Send `text` unless this turn was already told about a failure."""
    if marked(output, _TOLD):
        return
    mark(output, _TOLD)
    await output.send_text_message(recipient, text)
