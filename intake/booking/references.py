"""Short booking reference codes that survive being read aloud or typed on a phone.

The alphabet leaves out characters people confuse (0/O/D, 1/I/L, 2/Z, 5/S, 8/B, U/V), so a code
read over the phone or copied from an SMS is typed back correctly.
"""
from __future__ import annotations

import re
import secrets
from typing import Optional

ALPHABET = "ACEFGHJKMNPQRTWXY34679"
LENGTH = 6


def new_reference() -> str:
    """A random code such as 'K7MXQ4' (about 113 million possible codes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_reference(text: str) -> Optional[str]:
    """The code found in what the person typed ('ref: k7m-xq4' -> 'K7MXQ4'), or None."""
    words = [re.sub(r"[^A-Za-z0-9]", "", w).upper() for w in re.split(r"[\s,;:]+", text or "")]
    words = [w for w in words if w]
    candidates = words + [a + b for a, b in zip(words, words[1:])]
    # A code usually holds a digit; prefer such words over ordinary ones ("matter").
    candidates.sort(key=lambda word: not any(c.isdigit() for c in word))
    for candidate in candidates:
        if len(candidate) == LENGTH and all(c in ALPHABET for c in candidate):
            return candidate
    return None
