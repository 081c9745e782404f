"""Deterministic safety checks that run before any topic is matched.

An acute emergency must get 112 and despair must get 113, whatever the
classifier thinks. These patterns catch the clear cases; the trained
``emergency`` and ``despair`` intents catch the rest.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.nlp.text import fold, has_letters


class Crisis(str, Enum):
    """The kinds of crisis the assistant answers before anything else."""

    EMERGENCY = "emergency"
    DESPAIR = "despair"


_EMERGENCY = re.compile(
    r"\b("
    r"(ik|hij|zij|ze|je|u|mijn \w+) (krijg|krijgt|heb|heeft) (bijna |echt |nu )?geen "
    r"(lucht|adem)( meer)?"
    r"|kan (bijna |echt |nu )?niet (meer )?(ademen|ademhalen)"
    r"|(ademt|ademde) niet( meer)?"
    r"|(ik|hij|zij|ze) (stik|stikt)\b"
    r"|stikt\b"
    r"|(verslikt|verslik) (zich|me|mij)? ?(en|nu)? ?(wordt|word|is|ziet)? ?"
    r"(helemaal )?blauw"
    r"|(wordt|word|is) (helemaal )?blauw"
    r"|bewusteloos"
    r"|reageert niet( meer)?"
    r"|gevallen en (kan|kom|komt) niet"
    r"|bel (een )?ambulance|112 bellen|moet ik 112"
    r"|help+ (ik|hij|zij|ze|mijn)"
    r")"
)
_NOT_ACUTE = re.compile(
    r"\b(bang|angst|vrees|later|straks|einde|eind|uiteindelijk|ooit|zal|zullen|"
    r"gaat het|ga ik|gaan we|kan het|hoe gaat|hoe verloopt|overlijden|sterven)\b"
)
_DESPAIR = re.compile(
    r"\b("
    r"zelfmoord|suicide|zelfdoding|suicidaal"
    r"|(er|het) een (eind|einde) aan (maken|te maken|wil maken)"
    r"|(eind|einde) aan mijn leven"
    r"|wil (echt |gewoon )?(niet meer leven|dood|niet meer verder|niet meer)\s*$"
    r"|wil (echt |gewoon )?(niet meer leven|dood|sterven)"
    r"|zie het (echt |allemaal )?niet meer zitten"
    r"|mezelf (van kant|iets aan) (doen|te doen)"
    r"|(mijn|het) leven (heeft )?geen zin( meer)?"
    r"|heeft (allemaal )?geen zin meer"
    r"|kan (het )?niet meer aan"
    r"|hou het niet meer vol"
    r")"
)


def detect_crisis(text: str) -> Crisis | None:
    """Return the crisis a message clearly states, or None.

    Args:
        text: the user's message as typed.

    Returns:
        ``Crisis.EMERGENCY`` for an acute emergency now, ``Crisis.DESPAIR`` for
        despair or thoughts of suicide, otherwise None.
    """
    folded = " ".join(fold(text).split())
    if _EMERGENCY.search(folded) and not _NOT_ACUTE.search(folded):
        return Crisis.EMERGENCY
    if _DESPAIR.search(folded):
        return Crisis.DESPAIR
    return None


def is_unreadable(text: str) -> bool:
    """Whether a message holds nothing to understand: empty, emoji or junk."""
    stripped = text.strip()
    if not stripped or not has_letters(stripped):
        return True
    letters = sum(char.isalpha() for char in stripped)
    return letters / len(stripped) < 0.3
