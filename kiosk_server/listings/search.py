"""What a listing is found by, kept in the database so a search is one query.

A listing's searchable text is written three ways in its `search_text`:
- the text itself, folded (NFKC, lower case, one space between words), for the
  kiosk's keyboard: 保洁, 红色物业, 100%;
- the pinyin initials of its names (保洁 → bj), for letters typed on a grid;
- those initials as a phone keypad types them (bj → 25), as Chinese IPTV
  search works with a remote's digit keys (2 ABC, 3 DEF … 9 WXYZ).
A query is folded the same way and each of its words matched as a substring,
so 保洁, bj and 25 all find 小区绿化保洁. The three parts are joined by a line
break, which a folded query never holds, so no match runs from one part into
the next. The long text (a listing's body) is in the first part only: its
initials would make every short search match nearly everything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pypinyin import Style, lazy_pinyin

PHONE_KEYS = {"2": "abc", "3": "def", "4": "ghi", "5": "jkl", "6": "mno"}
PHONE_KEYS |= {"7": "pqrs", "8": "tuv", "9": "wxyz"}
KEY_OF_LETTER = {letter: key for key, letters in PHONE_KEYS.items() for letter in letters}
PART_SEPARATOR = "\n"
# Runs of anything but letters, digits and CJK characters end a word.
_NOT_A_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Full-width forms to plain ones, lower case, and one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _initial(syllable: str) -> str:
    # lazy_pinyin hands back what has no pinyin unchanged, a character at a time.
    return syllable[0] if syllable else " "


def initials(folded: str) -> str:
    """Each character's pinyin initial; letters and digits stay as they are, and
    anything else breaks the word.

    pypinyin reads whole phrases, so a character with two readings gets the one
    its neighbours call for (银行 → yh, 行走 → xz)."""
    words = _NOT_A_WORD.sub(" ", folded).strip()
    syllables = lazy_pinyin(words, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    return "".join(_initial(syllable) for syllable in syllables)


def phone_keys(letters: str) -> str:
    """Initials as typed on a phone keypad; digits stay, anything else breaks the word."""
    return "".join(KEY_OF_LETTER.get(char, char if char.isdigit() else " ") for char in letters)


def _joined(fields: Iterable[str | None]) -> str:
    return " ".join(folded for field in fields if field and (folded := fold(field)))


def search_text(names: Iterable[str | None], long_text: str | None = None) -> str:
    """The column a search matches: the text, the names' initials and their keys."""
    folded_names = _joined(names)
    letters = initials(folded_names)
    words = _joined((folded_names, long_text))
    return PART_SEPARATOR.join((words, letters, phone_keys(letters)))


def query_terms(query: str) -> list[str]:
    """The words of a query, each to be found somewhere in a listing's search text."""
    return fold(query).split()
