"""One failure message per turn, however many parts of the turn failed."""
from __future__ import annotations

from rasa.core.channels.channel import OutputChannel

# Each turn has its own output channel object (one per request or message), so a mark on it
# lasts exactly one turn.
_TOLD = "_intake_failure_told"


async def tell_once(output: OutputChannel, recipient: str, text: str) -> None:
    """Send `text` unless this turn was already told about a failure."""
    if getattr(output, _TOLD, False):
        return
    setattr(output, _TOLD, True)
    await output.send_text_message(recipient, text)
