"""What a listing is found by, kept in the database so a search is one query.

A listing's names (its title, who offers it, its kind of work, its one-line
summary) are written three ways, each in a column of its own:
- `search_words`: the text itself, folded (NFKC, lower case, one space between
  words), for the kiosk's keyboard: 保洁, 红色物业, 100%;
- `search_letters`: their pinyin initials (保洁 → bj), for letters typed on a grid;
  Latin letters and digits stay as they are (Excel文员 → excelwy);
- `search_keys`: those initials as a phone keypad types them (bj → 25), as
  Chinese IPTV search works with a remote's digit keys (2 ABC, 3 DEF … 9 WXYZ).
A query is folded the same way and each of its words matched as a substring of
the one column it can be found in (`column_for`), so 保洁, bj and 25 all find
小区绿化保洁, and each row costs one short comparison.

A listing's body is not searched: a short word in long free text matches by
accident (25 in 每小时25元) more often than by meaning; and names alone are short
enough for PostgreSQL to search a city's listings from an index without reading
their rows (models.FEED_INDEX_INCLUDES).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from pypinyin import Style, lazy_pinyin
from sqlalchemy import ColumnElement, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

PHONE_KEYS = {"2": "abc", "3": "def", "4": "ghi", "5": "jkl", "6": "mno"}
PHONE_KEYS |= {"7": "pqrs", "8": "tuv", "9": "wxyz"}
KEY_OF_LETTER = {letter: key for key, letters in PHONE_KEYS.items() for letter in letters}
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


# Between the parts of a title's search text (`title_text`): a folded query never
# holds it, so no match runs from one part into the next.
PART_SEPARATOR = "\n"


class SearchParts(NamedTuple):
    """The three ways a listing's names are written, by the column each goes in."""

    search_words: str
    search_letters: str
    search_keys: str


def search_parts(names: Iterable[str | None]) -> SearchParts:
    """The names, their initials and their keys."""
    words = _joined(names)
    letters = initials(words)
    return SearchParts(words, letters, phone_keys(letters))


def title_text(title: str) -> str:
    """A title written the three ways in one text: a search lists the listings whose
    title matches first."""
    return PART_SEPARATOR.join(search_parts([title]))


def column_for(term: str) -> str:
    """The one part a query word can be found in: digits are keys typed on a remote
    (a name's own digits stay digits there), Latin letters are initials (a name's
    own Latin words stay whole there), anything else is the words themselves."""
    if term.isdigit():
        return "search_keys"
    if term.isascii() and term.isalpha():
        return "search_letters"
    return "search_words"


def query_terms(query: str) -> list[str]:
    """The words of a query, each to be found somewhere in a listing's search text."""
    return fold(query).split()


class _Position(FunctionElement[int]):
    """Where a text first holds another, from 1; 0 where it doesn't."""

    type = Integer()
    inherit_cache = True


@compiles(_Position)
def _instr(element: _Position, compiler: SQLCompiler, **kw: object) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_Position, "postgresql")
def _strpos(element: _Position, compiler: SQLCompiler, **kw: object) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


def contains(column: ColumnElement[str], term: str) -> ColumnElement[bool]:
    """Whether a search column holds a query word.

    A plain substring search, not LIKE: PostgreSQL's LIKE steps through Chinese
    text a byte at a time and costs twice as much a row as strpos, and a search
    at city scale runs it on every listing in scope (docs/benchmarks.md)."""
    return _Position(column, term) > 0
