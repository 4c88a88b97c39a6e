import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from w2vtheory.corpus import build_token_store, tokenize_corpus
from w2vtheory.corpus.store import encode_in_batches, frequency_order
from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError


def naive_store(text: str, limit: int = 50_000) -> tuple[list[tuple[str, int]], list[int], list[int]]:
    """Lexicon, tokens and offsets straight from the definition, holding everything in memory."""
    documents = re.split(r"\n[^\S\n]*\n", "\n" + text.replace("\r\n", "\n") + "\n")
    pieces = []
    for document in documents:
        words = re.findall("[a-z]+", document.lower())
        pieces += [words[i : i + limit] for i in range(0, len(words), limit)]
    counts = Counter(word for piece in pieces for word in piece)
    lexicon = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    rank = {word: i for i, (word, _) in enumerate(lexicon)}
    tokens = [rank[word] for piece in pieces for word in piece]
    offsets = np.cumsum([0] + [len(piece) for piece in pieces]).tolist()
    return lexicon, tokens, offsets


def random_text(rng: np.random.Generator, n_lines: int) -> str:
    vocabulary = ["the", "The", "cat's", "DOG", "a", "b2b", "x", "café", "naïve", "over-run", "nan", "null", "zz"]
    separators = [" ", " ", ", ", ". ", "\t", "--", "3"]
    weights = np.linspace(2, 0.2, len(vocabulary))  # skewed word frequencies
    lines = []
    for _ in range(n_lines):
        kind = rng.random()
        if kind < 0.15:
            lines.append("")
        elif kind < 0.2:
            lines.append(" \t ")
        elif kind < 0.23:
            lines.append("123 ... !!")
        else:
            n = int(rng.integers(1, 30))
            words = rng.choice(vocabulary, size=n, p=weights / weights.sum())
            lines.append("".join(f"{w}{rng.choice(separators)}" for w in words))
    return "\r\n".join(lines) if rng.random() < 0.3 else "\n".join(lines)


def store_paths(directory: Path) -> dict[str, Path]:
    return {
        name: directory / file
        for name, file in [
            ("lexicon", "lexicon.tsv"),
            ("tokens", "tokens.npy"),
            ("doc_offsets", "doc_offsets.npy"),
            ("provenance", "provenance.json"),
        ]
    }


def build_local(tmp_path: Path, text: str | bytes) -> dict:
    source = tmp_path / "corpus.txt"
    source.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return tokenize_corpus({"source": "local", "path": str(source)}, "test", source, **store_paths(tmp_path / "store"))


@pytest.mark.parametrize("seed", range(5))
def test_store_matches_naive_implementation(tmp_path: Path, seed: int) -> None:
    text = random_text(np.random.default_rng(seed), n_lines=400)
    provenance = build_local(tmp_path, text)
    lexicon, tokens, offsets = naive_store(text)
    words, counts = read_lexicon(tmp_path / "store/lexicon.tsv")
    stored_tokens, stored_offsets = np.load(tmp_path / "store/tokens.npy"), np.load(tmp_path / "store/doc_offsets.npy")
    assert list(zip(words, counts.tolist())) == lexicon
    assert stored_tokens.dtype == np.uint32 and stored_offsets.dtype == np.int64
    assert stored_tokens.tolist() == tokens
    assert stored_offsets.tolist() == offsets
    assert provenance["n_tokens"] == len(tokens) and provenance["n_documents"] == len(offsets) - 1
    assert provenance["n_types"] == len(lexicon)
    assert json.loads((tmp_path / "store/provenance.json").read_text()) == provenance


def test_small_batches_give_the_same_store(tmp_path: Path) -> None:
    """Merging many batches (words first seen in different batches) must not change the result."""
    pieces = [["b", "a", "c"], ["c", "c"], ["d", "a"], ["b"], ["e", "d", "b"]]
    for batch_tokens, directory in [(1, "one"), (1000, "all")]:
        paths = store_paths(tmp_path / directory)
        build_token_store(
            encode_in_batches(pieces, batch_tokens), paths["lexicon"], paths["tokens"], paths["doc_offsets"], "x"
        )
    for name in ("lexicon.tsv", "tokens.npy", "doc_offsets.npy"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "all" / name).read_bytes()
    assert (tmp_path / "one/lexicon.tsv").read_text() == "b\t3\nc\t3\na\t2\nd\t2\ne\t1\n"
    assert np.load(tmp_path / "one/tokens.npy").tolist() == [0, 2, 1, 1, 1, 3, 2, 0, 4, 3, 0]
    assert np.load(tmp_path / "one/doc_offsets.npy").tolist() == [0, 3, 5, 7, 8, 11]


def test_frequency_order_breaks_ties_alphabetically() -> None:
    words = ["pear", "apple", "zebra", "fig", "banana"]
    counts = np.array([2, 5, 2, 5, 1])
    assert [words[i] for i in frequency_order(words, counts)] == ["apple", "fig", "pear", "zebra", "banana"]


def test_long_document_is_cut_and_empty_documents_dropped(tmp_path: Path) -> None:
    text = "\n\n 12 \n\n" + " ".join(["alpha", "beta"] * 60_000) + "\n\n\n...\n\nomega\n"
    provenance = build_local(tmp_path, text)
    offsets = np.load(tmp_path / "store/doc_offsets.npy")
    assert np.diff(offsets).tolist() == [50_000, 50_000, 20_000, 1]
    assert provenance["n_documents"] == 4 and provenance["n_tokens"] == 120_001
    assert (tmp_path / "store/lexicon.tsv").read_text() == "alpha\t60000\nbeta\t60000\nomega\t1\n"


def test_lexicon_words_that_look_like_missing_values_survive(tmp_path: Path) -> None:
    build_local(tmp_path, "nan null na none true nan")
    words, counts = read_lexicon(tmp_path / "store/lexicon.tsv")
    assert words == ["nan", "na", "none", "null", "true"] and counts.tolist() == [2, 1, 1, 1, 1]


def test_provenance_records_the_file(tmp_path: Path) -> None:
    provenance = build_local(tmp_path, "Some words here.\n")
    assert provenance["source"] == "local" and provenance["path"] == str(tmp_path / "corpus.txt")
    assert provenance["sha256"] == hashlib.sha256(b"Some words here.\n").hexdigest()


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"caf\xe9 latin-1 text\n", "not UTF-8"),
        (b"abc\x00\x01\x02def", "binary"),
        ("12 34 ... !!\n\n\u00e9\u00e8\n".encode(), "no words"),
    ],
)
def test_bad_local_files_raise_input_error_naming_the_path(
    tmp_path: Path, content: bytes | None, complaint: str
) -> None:
    source = tmp_path / "corpus.txt"
    if content is not None:
        source.write_bytes(content)
    with pytest.raises(InputError, match=complaint) as error:
        tokenize_corpus({"source": "local", "path": str(source)}, "test", source, **store_paths(tmp_path / "store"))
    assert str(source) in str(error.value)
    assert not any((tmp_path / "store").rglob("*")), "no output and no scratch file may be left behind"
