"""A text the assistant sent on its own (the front desk's message, a reminder) that did not go out.

Rasa's HTTP API puts an output channel's error into its answer ("... Error: <message>"), so the
console can tell "the text was not delivered" from "Rasa could not be reached" by this message
(intake.handoff.rasa_api.NotDelivered) and never shows "Sent." for a text the person never got.
"""

TEXT_NOT_DELIVERED = "the text message was not delivered: Twilio refused it or could not be reached"


class TextNotDelivered(RuntimeError):
    """Raised by the SMS output channel when Twilio refused a text or could not be reached."""

    def __init__(self) -> None:
        super().__init__(TEXT_NOT_DELIVERED)
