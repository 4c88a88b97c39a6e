"""Words, documents and 50,000-token pieces (docs/paper.md section 2; the local corpus format in README.md).

Two tokenizers (corpus key `tokenizer`; docs/evaluation.md):
- `ascii` (the paper's, the default): a word is a maximal run of the letters a-z after lowercasing;
- `unicode`: the text is NFKC-normalised and case-folded, and a word is a letter of any script
  followed by letters and combining marks (without the marks, Devanagari or Thai words would break
  at every vowel sign); digits, apostrophes, hyphens and everything else separate words, as in
  `ascii` (so French elisions l'homme and qu'il give the noun and the pronoun their own counts).
Everything that is not part of a word separates words.
A document ends at a line that is empty or whitespace-only, and a document longer than
`MAX_DOCUMENT_TOKENS` is cut into consecutive pieces of that length (the last one shorter).

Corpora reach billions of tokens and may hold a 100 MB line (text8), so text is read in bounded
fragments and turned into a stream of word runs and document breaks (`DOCUMENT_BREAK`); nothing
here ever holds more than one fragment or one piece.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TextIO

MAX_DOCUMENT_TOKENS = 50_000

# Characters per read: bounds memory on files whose lines are arbitrarily long.
FRAGMENT_CHARS = 1 << 20

ASCII = "ascii"
UNICODE = "unicode"
TOKENIZERS = (ASCII, UNICODE)
DEFAULT_TOKENIZER = ASCII

_WORD = re.compile(r"[a-z]+")

# Marks the end of a document in a stream of word runs.
DOCUMENT_BREAK = None

WordRun = list[str] | None


def check_tokenizer(tokenizer: str) -> str:
    if tokenizer not in TOKENIZERS:
        raise ValueError(f"unknown tokenizer {tokenizer!r}; use one of {', '.join(TOKENIZERS)}")
    return tokenizer


def corpus_tokenizer(corpus: dict) -> str:
    """The tokenizer of a corpus config (`corpora.<name>`): its `tokenizer` key, else the default."""
    return check_tokenizer(corpus.get("tokenizer", DEFAULT_TOKENIZER))


def normalise(text: str, tokenizer: str = DEFAULT_TOKENIZER) -> str:
    """Text as the tokenizer sees it before finding words: lowercased (ascii), or NFKC-normalised,
    case-folded and normalised again (unicode; folding may leave text that NFKC changes, e.g.
    a final sigma before a combining mark). Also how benchmark words are matched to the vocabulary."""
    if check_tokenizer(tokenizer) == ASCII:
        return text.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _ranges(codepoints: list[int]) -> str:
    """A regex character-class body for a sorted list of code points, as ranges."""
    parts = []
    start = previous = codepoints[0]
    for codepoint in [*codepoints[1:], -1]:
        if codepoint != previous + 1:
            parts.append(re.escape(chr(start)) + (f"-{re.escape(chr(previous))}" if previous > start else ""))
            start = codepoint
        previous = codepoint
    return "".join(parts)


@cache
def _unicode_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(word, word-continuing character) of the unicode tokenizer, built once from this Python's
    Unicode database (about 0.3 s): letters are categories L*, combining marks M*."""
    letters, marks = [], []
    for codepoint in range(sys.maxunicode + 1):
        major = unicodedata.category(chr(codepoint))[0]
        if major == "L":
            letters.append(codepoint)
        elif major == "M":
            marks.append(codepoint)
    letter, continuing = _ranges(letters), _ranges(sorted(letters + marks))
    return re.compile(f"[{letter}][{continuing}]*"), re.compile(f"[{continuing}]")


def _word_pattern(tokenizer: str) -> re.Pattern[str]:
    return _WORD if check_tokenizer(tokenizer) == ASCII else _unicode_patterns()[0]


def _continues_word(character: str, tokenizer: str) -> bool:
    if tokenizer == ASCII:
        return "a" <= character <= "z"
    return _unicode_patterns()[1].fullmatch(character) is not None


def tokenize(text: str, tokenizer: str = DEFAULT_TOKENIZER) -> list[str]:
    """The words of `text`: ascii lowercases, then every maximal run of a-z is a word; unicode as
    in the module docstring."""
    return _word_pattern(tokenizer).findall(normalise(text, tokenizer))


def _complete_words(text: str, tokenizer: str) -> tuple[list[str], str]:
    """Words of a fragment (normalised here), holding back a trailing word that the next fragment
    may continue. The held-back word is already normalised, and normalising is idempotent, so
    passing it back in front of the next raw fragment gives the words of the joined text."""
    normalised = normalise(text, tokenizer)
    words = _word_pattern(tokenizer).findall(normalised)
    if words and _continues_word(normalised[-1], tokenizer):
        return words, words.pop()
    return words, ""


def read_word_runs(
    stream: TextIO, fragment_chars: int = FRAGMENT_CHARS, tokenizer: str = DEFAULT_TOKENIZER
) -> Iterator[WordRun]:
    """Word runs of a text stream with `DOCUMENT_BREAK` at every blank line.

    The stream is read in fragments of at most `fragment_chars` characters, never splitting a
    word across two runs. Lowercasing is per character, so lowercasing fragments one by one
    gives the same words as lowercasing the whole text (unicode: see _complete_words).
    """
    check_tokenizer(tokenizer)
    carry = ""
    line_is_blank = True
    while fragment := stream.readline(fragment_chars):
        if not fragment.isspace():
            line_is_blank = False
        words, carry = _complete_words(carry + fragment, tokenizer)
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

    Empty documents (consecutive breaks, documents without words) yield nothing.
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
