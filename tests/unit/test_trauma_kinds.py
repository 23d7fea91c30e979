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
    ("mi marido me maltrataba", "domestic_violence"),
    ("me pegaba mi esposo cuando vivíamos juntos", "domestic_violence"),
    ("mi exnovio me golpeó hace años", "domestic_violence"),
    ("mi ex me violaba", "sexual_assault"),
    # A parent's violence is not a partner's: the domestic-violence hotline is for partners.
    ("sufrí violencia intrafamiliar de niño, mi papá nos pegaba", "other"),
    ("I did two tours in Afghanistan", "military"),
    ("estuve en Irak en 2004 y perdí amigos", "military"),
    ("serví en la marina diez años", "military"),
    ("estuve en combate en Irak", "military"),
    # A name, a harbour and a verb are not a service.
    ("mi hija Marina tuvo un accidente de carro hace años", "other"),
    ("vivíamos en la marina del rey cuando pasó el incendio", "other"),
    ("de niña mi padrastro me golpeaba. ¿la ketamina combate los recuerdos?", "other"),
    ("my father hit me when I was a kid", "other"),
])
def test_the_kind_of_trauma_told(text, kind):
    assert trauma_kind(default_detector().normalize(text)) == kind
