"""Fixtures shared by the integration modules that run the SMS channel."""
from __future__ import annotations

import pytest

from tests.support.stack import RasaStack, start_stack
from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn, sms_environment, start_standin


@pytest.fixture(scope="session")
def twilio() -> TwilioStandIn:
    """A Twilio Messages API stand-in on loopback, one per run. Tests read the texts of their own
    phone numbers since a mark (`twilio.mark()`, `sent_to(phone, since)`), never all of them."""
    standin = start_standin(ACCOUNT_SID, AUTH_TOKEN)
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def sms_stack(tmp_path_factory, twilio) -> RasaStack:
    """Rasa, the action server and the web app with the SMS channel configured and texting the
    stand-in: one per run, shared by the SMS, SMS-handoff and console modules (each test uses
    phone numbers of its own), since each stack costs half a minute to start."""
    running = start_stack(tmp_path_factory.mktemp("sms_stack"), extra_env=sms_environment(twilio))
    yield running
    running.stop_all()
