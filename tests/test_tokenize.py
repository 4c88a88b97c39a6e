import io
import re

import pytest

from w2vtheory.corpus.tokenize import (
    DOCUMENT_BREAK,
    MAX_DOCUMENT_TOKENS,
    corpus_tokenizer,
    cut_pieces,
    normalise,
    read_word_runs,
    tokenize,
)

# Every kind of character the two tokenizers treat differently, in documents and long lines.
MIXED_TEXT = (
    "Straße café CAFE\u0301 naïve Ångström \ufb01nd \u212aelvin \u0130stanbul ΟΔΟΣ Σοφία\n"
    "l'homme qu'il e-mail x2y ٣ हिन्दी 東京 ÆSIR\n\n" + "ö" * 40 + " Mädchen über\n \t \nDOCUMENT two\n"
)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello, World!", ["hello", "world"]),
        ("don't stop", ["don", "t", "stop"]),
        ("3rd place in 2024, x2y", ["rd", "place", "in", "x", "y"]),
        ("café naïve Ångström", ["caf", "na", "ve", "ngstr", "m"]),
        ("UPPER lower MiXeD", ["upper", "lower", "mixed"]),
        ("e-mail_address snake_case", ["e", "mail", "address", "snake", "case"]),
        # lowercasing first: KELVIN SIGN lowers to "k", DOTTED CAPITAL I to "i" + a combining dot
        ("\u212aelvin \u0130stanbul", ["kelvin", "i", "stanbul"]),
        ("", []),
        ("123 !!! ---", []),
    ],
)
def test_tokenize_hand_cases(text: str, words: list[str]) -> None:
    assert tokenize(text) == words


def runs(text: str, fragment_chars: int = 1 << 20) -> list:
    return list(read_word_runs(io.StringIO(text), fragment_chars))


def test_blank_and_whitespace_lines_end_documents() -> None:
    text = "One two\nthree\n\n\n \t \nFour\n\n"
    assert runs(text) == [
        ["one", "two"],
        ["three"],
        DOCUMENT_BREAK,
        DOCUMENT_BREAK,
        DOCUMENT_BREAK,
        ["four"],
        DOCUMENT_BREAK,
    ]
    assert list(cut_pieces(runs(text))) == [["one", "two", "three"], ["four"]]


def test_documents_without_words_are_dropped() -> None:
    assert list(cut_pieces(runs("a\n\n123 ...\n\nb"))) == [["a"], ["b"]]


def test_small_fragments_never_split_words() -> None:
    text = "Alpha betagamma delta\nepsilon\n\n" + "x" * 50 + " zeta\n"
    for fragment_chars in (1, 2, 3, 7, 1000):
        assert list(cut_pieces(runs(text, fragment_chars))) == [
            ["alpha", "betagamma", "delta", "epsilon"],
            ["x" * 50, "zeta"],
        ]


def test_whitespace_line_longer_than_a_fragment_is_blank() -> None:
    assert list(cut_pieces(runs("a\n" + " " * 10 + "\nb\n", fragment_chars=3))) == [["a"], ["b"]]


def test_a_line_with_a_word_after_spaces_is_not_blank() -> None:
    assert list(cut_pieces(runs("a\n      b\nc\n", fragment_chars=3))) == [["a", "b", "c"]]


def test_cut_into_consecutive_pieces() -> None:
    words = [f"w{i}" for i in range(7)]
    assert list(cut_pieces([words[:3], words[3:], DOCUMENT_BREAK, ["z"]], limit=3)) == [
        words[0:3],
        words[3:6],
        words[6:7],
        ["z"],
    ]


def test_real_limit_cuts_a_120k_token_document() -> None:
    text = " ".join(["word"] * 120_000)
    assert [len(piece) for piece in cut_pieces([tokenize(text)])] == [MAX_DOCUMENT_TOKENS, MAX_DOCUMENT_TOKENS, 20_000]


# --- tokenizers ----------------------------------------------------------------------------------


def todays_ascii_documents(text: str) -> list[list[str]]:
    """The a-z rule as it stood before the tokenizer setting: whole documents, lowercased, a-z runs."""
    documents = re.split(r"\n[ \t]*\n", text)
    return [words for document in documents if (words := re.findall("[a-z]+", document.lower()))]


@pytest.mark.parametrize("fragment_chars", [1, 2, 3, 5, 8, 1 << 20])
def test_ascii_reproduces_the_a_to_z_rule_token_for_token(fragment_chars: int) -> None:
    for tokenizer in ({}, {"tokenizer": "ascii"}):
        pieces = cut_pieces(
            read_word_runs(io.StringIO(MIXED_TEXT), fragment_chars, tokenizer=corpus_tokenizer(tokenizer))
        )
        assert list(pieces) == todays_ascii_documents(MIXED_TEXT)
    assert tokenize(MIXED_TEXT, "ascii") == tokenize(MIXED_TEXT) == re.findall("[a-z]+", MIXED_TEXT.lower())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # NFKC and case folding: ß folds to ss, the ligature fi and the Kelvin sign to letters,
        # a combining accent composes with its letter
        ("Straße \ufb01nd \u212aelvin CAFE\u0301 Café", ["strasse", "find", "kelvin", "café", "café"]),
        # Greek: both sigmas fold to σ
        ("ΟΔΟΣ Σοφία", ["οδοσ", "σοφία"]),
        # apostrophes, hyphens and digits separate, in any script's digits
        ("l'homme qu'il e-mail x2y ab٣cd", ["l", "homme", "qu", "il", "e", "mail", "x", "y", "ab", "cd"]),
        # combining vowel signs stay inside a Devanagari word; scripts without spaces are not segmented
        ("हिन्दी भाषा 東京は", ["हिन्दी", "भाषा", "東京は"]),
        # a mark with no letter before it starts no word
        ("\u0301abc", ["abc"]),
        ("", []),
        ("123 !!! ---", []),
    ],
)
def test_unicode_hand_cases(text: str, words: list[str]) -> None:
    assert tokenize(text, "unicode") == words


@pytest.mark.parametrize("fragment_chars", [1, 2, 3, 5, 8, 1 << 20])
def test_unicode_fragments_give_the_words_of_the_whole_text(fragment_chars: int) -> None:
    """Even a combining accent read in the fragment after its letter joins it."""
    documents = [tokenize(document, "unicode") for document in re.split(r"\n[ \t]*\n", MIXED_TEXT)]
    pieces = cut_pieces(read_word_runs(io.StringIO(MIXED_TEXT), fragment_chars, tokenizer="unicode"))
    assert list(pieces) == [words for words in documents if words]
    assert documents[-2][-3:] == ["ö" * 40, "mädchen", "über"] and documents[-1] == ["document", "two"]


def test_benchmark_words_are_normalised_like_corpus_words() -> None:
    assert normalise("Straße", "unicode") == "strasse" == tokenize("STRASSE", "unicode")[0]
    assert normalise("Straße", "ascii") == "straße"
    assert normalise("Mädchen", "unicode") == normalise("MA\u0308DCHEN", "unicode") == "mädchen"


def test_an_unknown_tokenizer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tokenizer 'utf8'"):
        tokenize("x", "utf8")
