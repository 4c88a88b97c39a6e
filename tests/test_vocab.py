"""Vocabulary selection and out-of-vocabulary deletion (docs/paper.md section 2)."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.corpus.vocab import (
    read_lexicon,
    restrict_token_file,
    restrict_tokens,
    restricted_token_dtype,
    select_vocabulary,
    write_vocabulary,
)
from w2vtheory.errors import InputError

WORDS = ["the", "of", "and", "cat", "dog"]
COUNTS = np.array([9, 5, 5, 2, 1])


def test_select_vocabulary_takes_the_first_lexicon_rows():
    words, counts = select_vocabulary(WORDS, COUNTS, 3)
    assert words == ["the", "of", "and"]
    np.testing.assert_array_equal(counts, [9, 5, 5])
    assert select_vocabulary(WORDS, COUNTS, 5)[0] == WORDS


def test_vocabulary_larger_than_the_lexicon_names_file_and_sizes():
    with pytest.raises(InputError) as error:
        select_vocabulary(WORDS, COUNTS, 6, lexicon_path="resources/corpora/tiny/lexicon.tsv")
    message = str(error.value)
    assert "resources/corpora/tiny/lexicon.tsv" in message and "vocab_size = 6" in message
    assert "only 5 distinct words" in message
    with pytest.raises(InputError, match="vocab_size"):
        select_vocabulary(WORDS, COUNTS, 0)


def test_lexicon_round_trip_keeps_words_that_look_like_missing_values(tmp_path):
    words = ["the", "nan", "null", "na", "none"]
    write_vocabulary(tmp_path / "vocab.tsv", words, np.array([5, 4, 3, 2, 1]))
    read_words, read_counts = read_lexicon(tmp_path / "vocab.tsv")
    assert read_words == words
    np.testing.assert_array_equal(read_counts, [5, 4, 3, 2, 1])
    assert read_lexicon(tmp_path / "vocab.tsv", max_rows=2)[0] == ["the", "nan"]


def test_malformed_lexicon_is_an_input_error(tmp_path):
    (tmp_path / "bad.tsv").write_text("the\tmany\n")
    with pytest.raises(InputError, match="bad.tsv"):
        read_lexicon(tmp_path / "bad.tsv")


def test_restrict_tokens_deletes_oov_and_closes_up_neighbours():
    # Vocabulary size 3: ids 3 and 4 are out of vocabulary.
    tokens = np.array([0, 3, 1, 4, 4, 2, 3, 3, 0, 1], dtype=np.uint32)
    offsets = np.array([0, 6, 8, 8, 10], dtype=np.int64)  # the second document is all OOV, the third empty
    restricted, new_offsets = restrict_tokens(tokens, offsets, 3)
    np.testing.assert_array_equal(restricted, [0, 1, 2, 0, 1])
    np.testing.assert_array_equal(new_offsets, [0, 3, 3, 3, 5])
    assert restricted.dtype == np.uint16 and new_offsets.dtype == np.int64


def test_restrict_tokens_matches_a_mask_on_random_documents(tmp_path):
    rng = np.random.default_rng(7)
    lengths = rng.integers(0, 50, size=30)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    tokens = rng.integers(0, 40, size=offsets[-1]).astype(np.uint32)
    np.save(tmp_path / "tokens.npy", tokens)
    mapped = np.load(tmp_path / "tokens.npy", mmap_mode="r")
    restricted, new_offsets = restrict_tokens(mapped, offsets, 25)
    for doc in range(len(lengths)):
        piece = tokens[offsets[doc] : offsets[doc + 1]]
        np.testing.assert_array_equal(restricted[new_offsets[doc] : new_offsets[doc + 1]], piece[piece < 25])


def test_token_dtype_follows_the_vocabulary_size():
    assert restricted_token_dtype(65_535) == np.uint16
    assert restricted_token_dtype(65_536) == np.uint32


@pytest.mark.parametrize("block_tokens", [1, 3, 7, 1 << 20])
def test_restricting_a_token_file_block_by_block_matches_restricting_in_memory(tmp_path, block_tokens):
    rng = np.random.default_rng(block_tokens)
    lengths = rng.integers(0, 12, size=40)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    tokens = rng.integers(0, 30, size=offsets[-1]).astype(np.uint32)
    np.save(tmp_path / "tokens.npy", tokens)
    expected_tokens, expected_offsets = restrict_tokens(tokens, offsets, 20)
    new_offsets = restrict_token_file(
        tmp_path / "tokens.npy", offsets, 20, tmp_path / "restricted.npy", block_tokens=block_tokens
    )
    restricted = np.load(tmp_path / "restricted.npy")
    np.testing.assert_array_equal(restricted, expected_tokens)
    np.testing.assert_array_equal(new_offsets, expected_offsets)
    assert restricted.dtype == np.uint16
    in_blocks, _ = restrict_tokens(tokens, offsets, 20, block_tokens=block_tokens)
    np.testing.assert_array_equal(in_blocks, expected_tokens)
