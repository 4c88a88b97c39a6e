"""Vocabulary selection and out-of-vocabulary deletion (docs/paper.md section 2).

The corpus lexicon is already sorted by count (descending, ties alphabetical) and the corpus
tokens are lexicon ranks, so the vocabulary is the first `vocab_size` lexicon rows and a token
is in the vocabulary exactly when its rank is below `vocab_size`. Keeping the rank as the word
id means restricted tokens need no remapping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

import numba
import numpy as np
import pandas as pd

from w2vtheory.atomic import write_text
from w2vtheory.corpus.store import NpyVectorReader, checked_offsets, npy_vector_writer
from w2vtheory.errors import InputError

_UINT16_LIMIT = 1 << 16
# Tokens per block when deleting out-of-vocabulary words (64 MB of uint32 input).
RESTRICT_BLOCK_TOKENS = 1 << 24


def read_lexicon(path: str | os.PathLike[str], max_rows: int | None = None) -> tuple[list[str], np.ndarray]:
    """Words and int64 counts of a `word<TAB>count` file (lexicon.tsv or vocab.tsv), in file order.

    Words such as "nan" or "null" are kept as text, never parsed as missing values.
    """
    try:
        table = pd.read_csv(
            path,
            sep="\t",
            header=None,
            names=["word", "count"],
            dtype={"word": str, "count": np.int64},
            nrows=max_rows,
            keep_default_na=False,
            na_filter=False,
            quoting=3,  # csv.QUOTE_NONE: a word never carries quotes
            engine="c",
        )
    except (ValueError, pd.errors.ParserError) as error:
        raise InputError(f"{path}: not a 'word<TAB>count' table ({error}); rebuild it from the corpus") from error
    return table["word"].tolist(), table["count"].to_numpy(dtype=np.int64)


def select_vocabulary(
    lexicon_words: Sequence[str],
    lexicon_counts: np.ndarray,
    vocab_size: int,
    *,
    lexicon_path: str | os.PathLike[str] = "the corpus lexicon",
) -> tuple[list[str], np.ndarray]:
    """The `vocab_size` most frequent words and their counts: the lexicon's first rows.

    `lexicon_words` may hold only the lexicon's first rows; a shorter list than `vocab_size` means
    the corpus has fewer distinct words than requested.
    """
    if vocab_size < 1:
        raise InputError(f"vocab_size = {vocab_size}: it must be a positive integer")
    if len(lexicon_words) != len(lexicon_counts):
        raise ValueError(f"{len(lexicon_words)} words but {len(lexicon_counts)} counts")
    if vocab_size > len(lexicon_words):
        raise InputError(
            f"vocab_size = {vocab_size} but {lexicon_path} lists only {len(lexicon_words):,} distinct words; "
            f"set vocab_size to at most {len(lexicon_words):,} or use a larger corpus"
        )
    return list(lexicon_words[:vocab_size]), np.asarray(lexicon_counts[:vocab_size], dtype=np.int64)


def write_vocabulary(path: str | os.PathLike[str], words: Sequence[str], counts: np.ndarray) -> None:
    """`word<TAB>count`, one line per word, in the given (vocabulary) order."""
    write_text(path, "".join(f"{word}\t{int(count)}\n" for word, count in zip(words, counts, strict=True)))


def restricted_token_dtype(vocab_size: int) -> type[np.unsignedinteger]:
    """uint16 when every id (and one spare value) fits, else uint32."""
    return np.uint16 if vocab_size < _UINT16_LIMIT else np.uint32


@numba.njit(parallel=True, cache=True)
def _in_vocabulary_per_document(tokens: np.ndarray, doc_offsets: np.ndarray, vocab_size: int) -> np.ndarray:
    n_documents = len(doc_offsets) - 1
    kept = np.zeros(n_documents, dtype=np.int64)
    for doc in numba.prange(n_documents):
        n_kept = 0
        for position in range(doc_offsets[doc], doc_offsets[doc + 1]):
            if tokens[position] < vocab_size:
                n_kept += 1
        kept[doc] = n_kept
    return kept


@numba.njit(parallel=True, cache=True)
def _copy_in_vocabulary(
    tokens: np.ndarray, doc_offsets: np.ndarray, new_offsets: np.ndarray, vocab_size: int, out: np.ndarray
) -> None:
    for doc in numba.prange(len(doc_offsets) - 1):
        cursor = new_offsets[doc]
        for position in range(doc_offsets[doc], doc_offsets[doc + 1]):
            token = tokens[position]
            if token < vocab_size:
                out[cursor] = token
                cursor += 1


def document_blocks(offsets: np.ndarray, block_tokens: int) -> Iterator[tuple[int, int]]:
    """Consecutive document ranges [first, stop) of at most block_tokens tokens (or one longer document)."""
    first, n_documents = 0, len(offsets) - 1
    while first < n_documents:
        stop = int(np.searchsorted(offsets, offsets[first] + block_tokens, side="right")) - 1
        stop = min(max(stop, first + 1), n_documents)
        yield first, stop
        first = stop


def restricted_blocks(
    read: Callable[[int, int], np.ndarray], offsets: np.ndarray, vocab_size: int, block_tokens: int
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """(first, stop, kept tokens, kept tokens per document) of consecutive document blocks;
    read(start, stop) gives the tokens start..stop - 1."""
    dtype = restricted_token_dtype(vocab_size)
    for first, stop in document_blocks(offsets, block_tokens):
        base = int(offsets[first])
        tokens = read(base, int(offsets[stop]))
        local_offsets = offsets[first : stop + 1] - base
        kept_per_document = _in_vocabulary_per_document(tokens, local_offsets, vocab_size)
        new_local = np.zeros(len(local_offsets), dtype=np.int64)
        np.cumsum(kept_per_document, out=new_local[1:])
        kept = np.empty(int(new_local[-1]), dtype=dtype)
        _copy_in_vocabulary(tokens, local_offsets, new_local, vocab_size, kept)
        yield first, stop, kept, kept_per_document


def _offsets_of(kept_per_document: np.ndarray) -> np.ndarray:
    offsets = np.zeros(len(kept_per_document) + 1, dtype=np.int64)
    np.cumsum(kept_per_document, out=offsets[1:])
    return offsets


def restrict_tokens(
    tokens: np.ndarray, doc_offsets: np.ndarray, vocab_size: int, *, block_tokens: int = RESTRICT_BLOCK_TOKENS
) -> tuple[np.ndarray, np.ndarray]:
    """Delete out-of-vocabulary tokens (ids >= vocab_size) so that their neighbours close up.

    Returns the kept tokens (uint16 when vocab_size < 65,536, else uint32) and int64 offsets with
    one entry per input document (a document left empty stays as an empty range).
    """
    offsets = checked_offsets(doc_offsets, len(tokens))
    kept_per_document = np.zeros(len(offsets) - 1, dtype=np.int64)
    parts = [np.zeros(0, dtype=restricted_token_dtype(vocab_size))]
    for first, stop, kept, kept_counts in restricted_blocks(
        lambda start, stop: tokens[start:stop], offsets, vocab_size, block_tokens
    ):
        parts.append(kept)
        kept_per_document[first:stop] = kept_counts
    return np.concatenate(parts), _offsets_of(kept_per_document)


def restrict_token_file(
    tokens_path: str | os.PathLike[str],
    doc_offsets: np.ndarray,
    vocab_size: int,
    output_path: str | os.PathLike[str],
    *,
    block_tokens: int = RESTRICT_BLOCK_TOKENS,
) -> np.ndarray:
    """`restrict_tokens` from one .npy file to another (written atomically), a block of documents
    at a time: memory holds one block, not the corpus. Returns the new offsets."""
    reader = NpyVectorReader(tokens_path)
    offsets = checked_offsets(doc_offsets, len(reader))
    kept_per_document = np.zeros(len(offsets) - 1, dtype=np.int64)
    with npy_vector_writer(output_path, restricted_token_dtype(vocab_size)) as writer:
        for first, stop, kept, kept_counts in restricted_blocks(reader.read, offsets, vocab_size, block_tokens):
            writer.write(kept)
            kept_per_document[first:stop] = kept_counts
    return _offsets_of(kept_per_document)
