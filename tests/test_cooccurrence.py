"""The co-occurrence kernel against a naive pure-Python reference (docs/paper.md section 2)."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.corpus import cooccurrence
from w2vtheory.corpus.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.corpus.store import NpyVectorReader
from w2vtheory.errors import InputError


def reference_cooccurrence(tokens: np.ndarray, offsets: np.ndarray, vocab_size: int, window: int) -> np.ndarray:
    """The definition, one pair at a time."""
    counts = np.zeros((vocab_size, vocab_size))
    for doc in range(len(offsets) - 1):
        words = [int(token) for token in tokens[offsets[doc] : offsets[doc + 1]]]
        for position, a in enumerate(words):
            for offset in range(1, window + 1):
                if position + offset < len(words):
                    b = words[position + offset]
                    counts[a, b] += window + 1 - offset
                    counts[b, a] += window + 1 - offset
    return counts


def random_corpus(rng: np.random.Generator, vocab_size: int, n_documents: int, max_length: int):
    """Documents of random length, including empty and one-token ones, with skewed word frequencies."""
    lengths = rng.integers(0, max_length + 1, size=n_documents)
    lengths[rng.integers(n_documents)] = 0
    lengths[rng.integers(n_documents)] = 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    weights = 1.0 / np.arange(1, vocab_size + 1)
    tokens = rng.choice(vocab_size, size=offsets[-1], p=weights / weights.sum()).astype(np.uint16)
    return tokens, offsets


@pytest.mark.parametrize("window", [1, 2, 5, 16])
@pytest.mark.parametrize("vocab_size", [1, 3, 17])
def test_matches_reference_exactly(window, vocab_size):
    rng = np.random.default_rng(100 * window + vocab_size)
    for _ in range(3):
        tokens, offsets = random_corpus(rng, vocab_size, n_documents=8, max_length=40)
        expected = reference_cooccurrence(tokens, offsets, vocab_size, window)
        np.testing.assert_array_equal(count_cooccurrence(tokens, offsets, vocab_size, window), expected)


@pytest.mark.parametrize("chunk_tokens", [1, 2, 7, 50])
def test_chunks_that_cut_documents_give_the_same_counts(chunk_tokens):
    rng = np.random.default_rng(chunk_tokens)
    tokens, offsets = random_corpus(rng, 11, n_documents=6, max_length=16)
    expected = reference_cooccurrence(tokens, offsets, 11, 4)
    for n_threads in (1, 2):
        result = count_cooccurrence(tokens, offsets, 11, 4, n_threads, chunk_tokens=chunk_tokens, pairs_per_thread=1)
        np.testing.assert_array_equal(result, expected)


def test_threads_do_not_change_the_result():
    rng = np.random.default_rng(5)
    tokens, offsets = random_corpus(rng, 300, n_documents=50, max_length=2_000)
    single = count_cooccurrence(tokens, offsets, 300, 16, 1, chunk_tokens=10_000)
    threaded = count_cooccurrence(tokens, offsets, 300, 16, 2, chunk_tokens=10_000, pairs_per_thread=1)
    default = count_cooccurrence(tokens, offsets, 300, 16)
    np.testing.assert_array_equal(single, threaded)
    np.testing.assert_array_equal(single, default)
    np.testing.assert_array_equal(single, single.T)
    assert single.dtype == np.float64 and single.flags.c_contiguous


def test_rare_and_frequent_words_give_the_same_counts():
    """Frequent words add their private row in one sweep, rare ones neighbour by neighbour; both exact."""
    rng = np.random.default_rng(11)
    tokens, offsets = random_corpus(rng, 400, n_documents=20, max_length=600)
    window = 5
    n_occurrences = np.bincount(tokens, minlength=400)
    sparse = n_occurrences * window <= 400 // cooccurrence._SPARSE_SWEEP_RATIO
    assert sparse[n_occurrences > 0].any() and not sparse.all()
    expected = reference_cooccurrence(tokens, offsets, 400, window)
    for n_threads in (1, 2):
        result = count_cooccurrence(tokens, offsets, 400, window, n_threads, chunk_tokens=997, pairs_per_thread=1)
        np.testing.assert_array_equal(result, expected)


def test_threads_start_only_for_enough_pairs():
    assert cooccurrence.paying_threads(0, 8) == 1
    assert cooccurrence.paying_threads(cooccurrence.PAIRS_PER_THREAD - 1, 8) == 1
    assert cooccurrence.paying_threads(3 * cooccurrence.PAIRS_PER_THREAD, 8) == 3
    assert cooccurrence.paying_threads(100 * cooccurrence.PAIRS_PER_THREAD, 8) == 8


def test_total_weight_formula():
    """Sum of C = 2 * sum over documents and offsets d <= L of (len - d)(L + 1 - d)."""
    rng = np.random.default_rng(9)
    tokens, offsets = random_corpus(rng, 50, n_documents=20, max_length=100)
    window = 7
    lengths = np.diff(offsets)
    expected = 2 * sum(max(n - d, 0) * (window + 1 - d) for n in lengths for d in range(1, window + 1))
    assert count_cooccurrence(tokens, offsets, 50, window).sum() == expected


def test_input_dtypes_and_memory_maps(tmp_path):
    rng = np.random.default_rng(11)
    tokens, offsets = random_corpus(rng, 20, n_documents=6, max_length=25)
    expected = reference_cooccurrence(tokens, offsets, 20, 3)
    np.save(tmp_path / "tokens.npy", tokens.astype(np.uint32))
    mapped = np.load(tmp_path / "tokens.npy", mmap_mode="r")
    np.testing.assert_array_equal(count_cooccurrence(mapped, offsets, 20, 3), expected)
    np.testing.assert_array_equal(count_cooccurrence(tokens.astype(np.int64), offsets, 20, 3), expected)
    reader = NpyVectorReader(tmp_path / "tokens.npy")
    for chunk_tokens in (1, 10, 1 << 20):
        np.testing.assert_array_equal(count_cooccurrence(reader, offsets, 20, 3, chunk_tokens=chunk_tokens), expected)


def test_long_windows_use_wide_private_rows():
    """Window 1000 overflows uint32 private rows beyond 8,581 tokens per chunk; the int64 rows
    used for the whole-corpus chunk must agree with the uint32 rows of small chunks."""
    rng = np.random.default_rng(4)
    tokens, offsets = random_corpus(rng, 30, n_documents=10, max_length=2_000)
    wide = count_cooccurrence(tokens, offsets, 30, 1_000, chunk_tokens=1 << 20)
    narrow = count_cooccurrence(tokens, offsets, 30, 1_000, chunk_tokens=4_000)
    np.testing.assert_array_equal(wide, narrow)
    lengths = np.diff(offsets)
    assert wide.sum() == 2 * sum(max(n - d, 0) * (1_001 - d) for n in lengths for d in range(1, 1_001))


def test_window_longer_than_every_document():
    tokens = np.array([0, 1, 2, 1], dtype=np.uint16)
    offsets = np.array([0, 3, 4], dtype=np.int64)
    np.testing.assert_array_equal(
        count_cooccurrence(tokens, offsets, 3, 100), reference_cooccurrence(tokens, offsets, 3, 100)
    )
    single_tokens = np.array([0, 1], dtype=np.uint16)
    assert not count_cooccurrence(single_tokens, np.array([0, 1, 2]), 2, 5).any()
    assert not count_cooccurrence(np.zeros(0, dtype=np.uint16), np.array([0]), 2, 5).any()


def test_invalid_window_and_tokens():
    tokens, offsets = np.array([0, 1], dtype=np.uint16), np.array([0, 2])
    for window in (0, -3, 2.5):
        with pytest.raises(InputError, match="window"):
            count_cooccurrence(tokens, offsets, 2, window)
        with pytest.raises(InputError, match="window"):
            count_pairs(offsets, window)
    with pytest.raises(ValueError, match="outside"):
        count_cooccurrence(np.array([0, 5], dtype=np.uint16), offsets, 2, 1)


def test_count_pairs_by_brute_force():
    rng = np.random.default_rng(2)
    for window in (1, 3, 16, 100):
        lengths = rng.integers(0, 40, size=15)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        brute = sum(2 for n in lengths for p in range(n) for d in range(1, window + 1) if p + d < n)
        assert count_pairs(offsets, window) == brute
    assert count_pairs(np.array([0, 1, 1]), 4) == 0
