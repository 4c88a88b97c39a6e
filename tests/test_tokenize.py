import io

import pytest

from w2vtheory.corpus.tokenize import (
    DOCUMENT_BREAK,
    MAX_DOCUMENT_TOKENS,
    cut_pieces,
    read_word_runs,
    tokenize,
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
