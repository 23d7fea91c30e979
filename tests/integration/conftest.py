"""Fixtures shared by the integration modules that run the SMS channel."""
from __future__ import annotations

import pytest

from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn, start_standin


@pytest.fixture(scope="module")
def twilio() -> TwilioStandIn:
    """A Twilio Messages API stand-in on loopback, one per module (its texts are that module's)."""
    standin = start_standin(ACCOUNT_SID, AUTH_TOKEN)
    yield standin
    standin.stop()
