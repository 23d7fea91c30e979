"""Contact details for a booking, checked before anything is stored.

Each parser takes what the person typed and returns a clean value or a reason it was refused,
so the assistant can re-ask with a clear explanation. Phone numbers are stored in E.164
(+13105550142), US by default; email addresses are checked for syntax only (no network).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

import phonenumbers
from email_validator import EmailNotValidError, validate_email

NAME_MAX_LENGTH = 80
# Lower-case words inside a name that stay lower case ("María de la Cruz", "Juan y Ortega").
NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "van", "von"})
CONTACT_METHODS = ("call", "text", "email")
VISIT_TYPES = ("in_person", "telehealth")
_NAME_LEAD_INS = re.compile(
    r"^\s*(?:(?:hi|hello|hey)[,!.\s]+)?(?:my\s+(?:full\s+)?name\s+is|my\s+name'?s|name\s*[:=-]|"
    r"it'?s|it\s+is|i'?m|i\s+am|this\s+is|call\s+me|"
    r"(?:hola[,!.\s]+)?(?:me\s+llamo|mi\s+nombre\s+(?:completo\s+)?es|soy|nombre\s*:))\s+",
    re.IGNORECASE,
)
# Markup, code and query syntax never belong in a name; refusing them keeps the front-desk
# screens and the database free of anything that could be executed.
_INJECTION = re.compile(
    r"[<>{}\[\]\\;=`|$%*#@]|--|/\*|\b(?:select|insert|update|delete|drop|union|script|javascript)\b.*\b"
    r"(?:from|into|table|set|where|alert|src)\b|https?:|www\.",
    re.IGNORECASE,
)
# Words that make a sentence, not a name ("why do you need my name").
_NOT_NAME_WORDS = re.compile(r"\b(why|what|how|who|where|when|you|your|my|need|want|name|not|don'?t|please|"
                             r"thanks|hello|idk|por ?qu[eé]|para qu[eé]|nombre|necesita[ns]?|quiero|gracias|"
                             r"no s[eé]|prefiero|no|ni|s[eé]|bien|estoy|siento|duele|pues|hora|cita|acuerdo)\b",
                             re.IGNORECASE)
_NAME_ALLOWED = re.compile(r"^[^\W\d_]+(?:[ '’.\-]{1,2}[^\W\d_]+)*\.?$")


@dataclass(frozen=True)
class Checked:
    """A cleaned value, or None with the reason it was refused."""

    value: Optional[str]
    reason: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.value is not None


def clean_name(text: str) -> Checked:
    """A person's full name: letters with spaces, apostrophes, hyphens or dots, 2-80 characters.

    Reasons: "empty", "too_long", "not_a_name" (markup, code, digits), "need_full_name"."""
    text = unicodedata.normalize("NFC", (text or "")).strip()
    if not text:
        return Checked(None, "empty")
    if len(text) > NAME_MAX_LENGTH + 20:
        return Checked(None, "too_long")
    if _INJECTION.search(text) or re.search(r"\d", text):
        return Checked(None, "not_a_name")
    name = _NAME_LEAD_INS.sub("", text).strip(" .,!")
    name = re.sub(r"^me\s+", "", name, flags=re.IGNORECASE)  # "it's me Maria Lopez"
    last_first = re.fullmatch(r"([^,]+),\s*([^,]+)", name)
    if last_first:  # "Lopez, Maria"
        name = f"{last_first.group(2)} {last_first.group(1)}"
    name = re.sub(r"\s+", " ", name)
    if "?" in text or len(name.split(" ")) > 5 or _NOT_NAME_WORDS.search(name):
        return Checked(None, "not_a_name")
    if len(name) > NAME_MAX_LENGTH:
        return Checked(None, "too_long")
    if not _NAME_ALLOWED.match(name) or len(name) < 2:
        return Checked(None, "not_a_name")
    if name.split(" ")[0] in NAME_PARTICLES:  # "soy de Guadalajara": where from, not who
        return Checked(None, "not_a_name")
    if " " not in name:
        return Checked(None, "need_full_name")
    parts = name.split(" ")
    return Checked(" ".join(part if not part.islower() or (index and part in NAME_PARTICLES)
                            else part[:1].upper() + part[1:] for index, part in enumerate(parts)))


def normalize_phone(text: str, region: str = "US") -> Checked:
    """The first valid phone number in `text`, in E.164. Reasons: "empty", "invalid"."""
    text = (text or "").strip()
    if not text:
        return Checked(None, "empty")
    if len(text) > 200:
        return Checked(None, "invalid")
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        return Checked(phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Checked(None, "invalid")
    if phonenumbers.is_valid_number(number):
        return Checked(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return Checked(None, "invalid")


def display_phone(e164: str) -> str:
    """A stored number as people read it: +13105550142 -> (310) 555-0142."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


_EMAIL_FORBIDDEN = re.compile(r"[\"'`{}|=<>\\;,()\[\]]|javascript:|^[=+@-]", re.IGNORECASE)


def normalize_email(text: str) -> Checked:
    """The one email address in `text`, normalised. It must be a whole word of its own (nothing
    is cut out of a longer token) and carry no quotes, markup or formula characters, which
    RFC 5322 allows but no patient's address needs. Reasons: "empty", "invalid"."""
    text = (text or "").strip()
    if not text:
        return Checked(None, "empty")
    tokens = [t.strip(".,;:!?") for t in text.split() if "@" in t]
    if len(text) > 254 or len(tokens) != 1 or _EMAIL_FORBIDDEN.search(tokens[0]):
        return Checked(None, "invalid")
    try:
        result = validate_email(tokens[0], check_deliverability=False)
    except EmailNotValidError:
        return Checked(None, "invalid")
    return Checked(result.normalized)


_METHODS = {
    "text": re.compile(r"\b(texts?|txts?|sms|messages?|msgs?|texting|mensajes?(?! de voz)( de texto)?|textos?|"
                       r"m[aá]nd(?:en|e)me un (?:mensaje|texto)|whats ?app)\b", re.IGNORECASE),
    "email": re.compile(r"\b(e-?mails?|(?<!voice )mail|correos?(?! de voz)( electr[oó]nicos?)?)\b", re.IGNORECASE),
    "call": re.compile(r"\b(call|calls|calling|ring|phone call|voice ?mail|voicemail|ll[aá]m(?:en|e|ar)(?:me)?|"
                       r"llamadas?|por tel[eé]fono|(?:correo|mensaje|buz[oó]n) de voz)\b", re.IGNORECASE),
}
_VISIT_TYPES = {
    "telehealth": re.compile(r"\b(tele-?health|video|zoom|online|virtual|remote|remotely|from home|telemedicine|"
                             r"videollamada|por video|en l[ií]nea|desde (?:mi )?casa|telesalud|a distancia)\b",
                             re.IGNORECASE),
    "in_person": re.compile(r"\b(in[- ]person|in the (?:clinic|office)|at the (?:clinic|office)|office|clinic|"
                            r"come in|visit you|face to face|onsite|on site|en persona|presencial|"
                            r"en la (?:cl[ií]nica|oficina)|ir a la cl[ií]nica|cara a cara)\b", re.IGNORECASE),
}
# A negation shortly before a choice, in the same clause (a comma ends it).
_NEGATION = re.compile(r"\b(not|no|never|can'?t|cannot|don'?t|won'?t|couldn'?t|rather not|unable to|nunca|prefiero no|no puedo)\b"
                       r"(?:\s+[\w']+){0,3}\s*$", re.IGNORECASE)


def _one_choice(text: str, choices: dict) -> Optional[str]:
    """The one choice named and not negated ("I can't come to the clinic" names none)."""
    found = []
    for name, pattern in choices.items():
        match = pattern.search(text or "")
        if match and not _NEGATION.search(text[: match.start()]):
            found.append(name)
    return found[0] if len(found) == 1 else None


def parse_contact_method(text: str) -> Optional[str]:
    """"call", "text" or "email" when exactly one is named, else None."""
    return _one_choice(text, _METHODS)


def parse_visit_type(text: str) -> Optional[str]:
    """"in_person" or "telehealth" when exactly one is named, else None."""
    return _one_choice(text, _VISIT_TYPES)
