"""Cutting a reply into text messages that arrive whole and read well.

Decision: texts are cut only at sentence ends (and line breaks), never inside a sentence. A
text holds as many whole sentences as fit into one SMS segment: 160 GSM-7 characters, or 70
when a character outside GSM-7 remains (the network then switches to UCS-2). Such a text
arrives as one message, is billed as one segment, and nothing can arrive out of order inside
it. A single sentence longer than one segment travels as its own text, which Twilio sends as a
concatenated SMS. A reply is at most three texts (`max_segments`); when whole sentences need
more, nothing is cut away (a crisis or clinical answer must stay whole): the sentences are
divided into three texts of about equal length instead.

Typographic punctuation (curly quotes, dashes, ellipsis, bullets) is replaced by its plain
form first, and accented letters outside GSM-7 lose their accent, so a single "’" does not
cut the space of a whole text to 70 characters.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import List, Sequence, Tuple

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # each takes two of the 160 characters
PLAIN_PUNCTUATION = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u2022": "-", "\u00b7": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
}
# Not after "a." or "p." of a Spanish time ("9:00 a. m."): that sentence goes on.
SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[ap]\.)\s+|(?<=[.!?][)\"'\]])\s+")  # "studies.) Next" splits too
LIST_ITEM = re.compile(r"(?:\d{1,2}:|-) ")  # numbered options, and bullets (• became -)
MAX_TWILIO_BODY = 1600  # Twilio refuses a longer body


def to_gsm_friendly(text: str) -> str:
    """`text` with typographic characters replaced so it stays GSM-7 where that is possible."""
    out = []
    for char in text:
        char = PLAIN_PUNCTUATION.get(char, char)
        if len(char) == 1 and char not in GSM7_BASIC and char not in GSM7_EXTENDED:
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
            char = folded or char
        out.append(char)
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENDED for char in text)


def sms_length(text: str) -> int:
    """Length in the units of its encoding: GSM-7 septets (extended characters count 2) or UCS-2."""
    if is_gsm7(text):
        return sum(2 if char in GSM7_EXTENDED else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def _continues_list(previous: str, line: str) -> bool:
    """A heading ("Reply with a number:") and its numbered or bulleted lines stay in one text."""
    last_line = previous.rsplit("\n", 1)[-1]
    return last_line.endswith(":") or bool(LIST_ITEM.match(line) and LIST_ITEM.match(last_line))


def _units(text: str) -> List[Tuple[str, str]]:
    """Sentences of `text`, each with the separator that preceded it ("", " " or "\n");
    a list of numbered options with its heading counts as one sentence."""
    units: List[Tuple[str, str]] = []
    for line in text.split("\n"):
        for index, sentence in enumerate(s for s in SENTENCE_END.split(line.strip()) if s):
            separator = "" if not units else (" " if index else "\n")
            if units and separator == "\n" and _continues_list(units[-1][0], sentence):
                units[-1] = (f"{units[-1][0]}\n{sentence}", units[-1][1])
                continue
            units.append((sentence, separator))
    return units


def _join(units: Sequence[Tuple[str, str]]) -> str:
    return "".join((sep if i else "") + unit for i, (unit, sep) in enumerate(units))


def _split_long_unit(unit: str, separator: str, limit: int) -> List[Tuple[str, str]]:
    """A sentence longer than `limit`, cut at spaces (or hard, for a single giant word)."""
    pieces: List[Tuple[str, str]] = []
    current = ""
    for word in unit.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and sms_length(candidate) > limit:
            pieces.append(current)
            current = word
        else:
            current = candidate
        while sms_length(current) > limit:
            pieces.append(current[:limit])
            current = current[limit:]
    if current:
        pieces.append(current)
    return [(piece, separator if i == 0 else " ") for i, piece in enumerate(pieces)]


def _greedy(units: Sequence[Tuple[str, str]], limit: int) -> List[str]:
    """Whole sentences packed, in order, into texts of at most `limit` (a longer sentence alone)."""
    chunks: List[List[Tuple[str, str]]] = []
    for unit, separator in units:
        pieces = [(unit, separator)]
        if len(unit) > MAX_TWILIO_BODY:  # only a sentence Twilio would refuse is cut at spaces
            pieces = _split_long_unit(unit, separator, MAX_TWILIO_BODY)
        for piece in pieces:
            if chunks and sms_length(_join(chunks[-1] + [piece])) <= limit:
                chunks[-1].append(piece)
            else:
                chunks.append([piece])
    return [_join(chunk) for chunk in chunks]


def _balanced(units: Sequence[Tuple[str, str]], parts: int) -> List[str]:
    """Sentences divided into `parts` consecutive texts, the longest as short as possible."""
    count = len(units)
    if count <= parts:
        return [unit for unit, _ in units]

    @lru_cache(maxsize=None)
    def best(start: int, remaining: int) -> Tuple[int, Tuple[int, ...]]:
        """(longest text, end index of each text) for units[start:] in `remaining` texts."""
        if remaining == 1:
            return sms_length(_join(units[start:])), (count,)
        options = []
        for end in range(start + 1, count - remaining + 2):
            longest_after, ends_after = best(end, remaining - 1)
            options.append((max(sms_length(_join(units[start:end])), longest_after), (end, *ends_after)))
        return min(options)

    ends = best(0, parts)[1]
    starts = (0, *ends[:-1])
    return [_join(units[a:b]) for a, b in zip(starts, ends)]


def split_into_segments(text: str, max_segments: int = 3, gsm_chars: int = 160, ucs2_chars: int = 70) -> List[str]:
    """`text` as at most `max_segments` texts, cut at sentence ends (see the module docstring)."""
    text = to_gsm_friendly(text).strip()
    if not text:
        return []
    limit = gsm_chars if is_gsm7(text) else ucs2_chars
    units = _units(text)
    chunks = _greedy(units, limit)
    if len(chunks) > max_segments:
        chunks = _balanced(units, max_segments)
    return [chunk.strip()[:MAX_TWILIO_BODY] for chunk in chunks if chunk.strip()]
