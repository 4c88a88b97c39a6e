"""Words, documents and 50,000-token pieces (docs/paper.md section 2; the local corpus format in README.md).

A word is a maximal run of the letters a-z after lowercasing; everything else separates words.
A document ends at a line that is empty or whitespace-only, and a document longer than
`MAX_DOCUMENT_TOKENS` is cut into consecutive pieces of that length (the last one shorter).

Corpora reach billions of tokens and may hold a 100 MB line (text8), so text is read in bounded
fragments and turned into a stream of word runs and document breaks (`DOCUMENT_BREAK`); nothing
here ever holds more than one fragment or one piece.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

MAX_DOCUMENT_TOKENS = 50_000

# Characters per read: bounds memory on files whose lines are arbitrarily long.
FRAGMENT_CHARS = 1 << 20

_WORD = re.compile(r"[a-z]+")

# Marks the end of a document in a stream of word runs.
DOCUMENT_BREAK = None

WordRun = list[str] | None


def tokenize(text: str) -> list[str]:
    """Lowercase, then every maximal run of a-z is a word."""
    return _WORD.findall(text.lower())


def _complete_words(lowered: str) -> tuple[list[str], str]:
    """Words of a lowercased fragment, holding back a trailing word that the next fragment may continue."""
    words = _WORD.findall(lowered)
    if words and "a" <= lowered[-1] <= "z":
        return words, words.pop()
    return words, ""


def read_word_runs(stream: TextIO, fragment_chars: int = FRAGMENT_CHARS) -> Iterator[WordRun]:
    """Word runs of a text stream with `DOCUMENT_BREAK` at every blank line.

    The stream is read in fragments of at most `fragment_chars` characters, never splitting a
    word across two runs. Lowercasing is per character, so lowercasing fragments one by one
    gives the same words as lowercasing the whole text.
    """
    carry = ""
    line_is_blank = True
    while fragment := stream.readline(fragment_chars):
        if not fragment.isspace():
            line_is_blank = False
        words, carry = _complete_words(carry + fragment.lower())
        if words:
            yield words
        if fragment.endswith("\n"):
            if line_is_blank:
                yield DOCUMENT_BREAK
            line_is_blank = True
    if carry:
        yield [carry]


def cut_pieces(runs: Iterable[WordRun], limit: int = MAX_DOCUMENT_TOKENS) -> Iterator[list[str]]:
    """Documents of a run stream, each cut into consecutive pieces of at most `limit` words.

    Empty documents (consecutive breaks, documents without a-z words) yield nothing.
    """
    piece: list[str] = []
    for run in runs:
        if run is DOCUMENT_BREAK:
            if piece:
                yield piece
                piece = []
            continue
        piece.extend(run)
        while len(piece) >= limit:
            yield piece[:limit]
            piece = piece[limit:]
    if piece:
        yield piece
