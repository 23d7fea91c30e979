"""The kind of past trauma a disclosure tells of picks the hotline its acknowledgement offers."""
import pytest

from intake.safety import default_detector
from intake.safety.trauma_kinds import trauma_kind


@pytest.mark.parametrize("text, kind", [
    ("I was raped when I was 19", "sexual_assault"),
    ("me violaron hace diez años", "sexual_assault"),
    ("my ex used to beat me but I left him 5 years ago", "domestic_violence"),
    ("mi ex me golpeaba pero ya me separé hace 5 años", "domestic_violence"),
    ("mi esposo me maltrataba, hace mucho que me divorcié", "domestic_violence"),
    ("I did two tours in Afghanistan", "military"),
    ("estuve en Irak en 2004 y perdí amigos", "military"),
    ("serví en la marina diez años", "military"),
    # A name is not a service: Marina is someone's daughter here.
    ("mi hija Marina tuvo un accidente de carro hace años", "other"),
    ("my father hit me when I was a kid", "other"),
])
def test_the_kind_of_trauma_told(text, kind):
    assert trauma_kind(default_detector().normalize(text)) == kind
