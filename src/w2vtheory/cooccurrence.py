"""Windowed, distance-weighted co-occurrence counts C and the pair count N (PAPER.md section 2).

For every position p and offset d = 1..L with p + d in the same document, the weight L + 1 - d
is added to C[a, b] and C[b, a] (a, b the tokens at p and p + d).

Why the kernel looks the way it does: at V = 10k, C is 800 MB, so the straightforward loop is
bound by cache misses from scattered updates all over C. Instead, the tokens are processed in
chunks; within a chunk the positions are counting-sorted by their token, so all updates from
the occurrences of word a go to row a only (which stays in L1/L2 cache), and the only scattered
access left is reading the L following tokens of each position (one or two cache lines). Rows
are split between threads, so threads never write the same memory and all share one
accumulator: the memory is one V x V float64 matrix plus a chunk buffer, whatever the number of
threads. Only the forward half A[a, b] (a at p, b at p + d) is accumulated; C = A + A^T at the
end. Weights are integers and every partial sum stays far below 2^53, so float64 is exact and
the result does not depend on the thread count or the chunking.
"""

from __future__ import annotations

import logging

import numba
import numpy as np

from w2vtheory.errors import InputError

log = logging.getLogger(__name__)

# Tokens per chunk: the chunk's padded tokens (2-4 bytes each) and sorted positions (4 bytes each)
# stay small next to C, and large enough that the per-chunk overhead (O(V) work) is negligible.
DEFAULT_CHUNK_TOKENS = 1 << 23
# More row ranges than threads, so that a thread slowed down by other load does not hold up the rest.
_TASKS_PER_THREAD = 4
_SYMMETRIZE_BLOCK = 64


def check_window(window: int) -> int:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise InputError(f"window = {window!r}: the co-occurrence window must be an integer >= 1 (paper: 16)")
    return int(window)


def _check_offsets(doc_offsets: np.ndarray, n_tokens: int | None = None) -> np.ndarray:
    offsets = np.asarray(doc_offsets, dtype=np.int64)
    if offsets.ndim != 1 or len(offsets) < 1 or offsets[0] != 0 or np.any(np.diff(offsets) < 0):
        raise ValueError("doc_offsets must be a non-decreasing 1-d integer array starting at 0")
    if n_tokens is not None and offsets[-1] > n_tokens:
        raise ValueError(f"doc_offsets end at {offsets[-1]} but there are only {n_tokens} tokens")
    return offsets


def count_pairs(doc_offsets: np.ndarray, window: int) -> int:
    """N: the number of ordered pair instances, 2 * sum over documents of sum_{d=1..L} max(len - d, 0)."""
    window = check_window(window)
    lengths = np.diff(_check_offsets(doc_offsets))
    # A document of length n has n - d pairs at each offset d <= m = min(n - 1, L).
    reach = np.clip(lengths - 1, 0, window)
    return int(2 * np.sum(reach * lengths - reach * (reach + 1) // 2))


def _chunk_dtype(vocab_size: int) -> type[np.unsignedinteger]:
    # The value vocab_size marks a document end in the padded chunk, so it must fit too.
    return np.uint16 if vocab_size < (1 << 16) else np.uint32


@numba.njit(cache=True)
def _pack_chunk(
    tokens: np.ndarray,
    doc_offsets: np.ndarray,
    first_doc: int,
    own_start: int,
    own_end: int,
    window: int,
    vocab_size: int,
    padded: np.ndarray,
    word_starts: np.ndarray,
    positions: np.ndarray,
) -> int:
    """Copy the chunk's tokens into `padded`, each document followed by `window` end markers,
    and counting-sort the padded indices of the positions in [own_start, own_end) by token.

    Positions own their forward pairs; the last document also brings the up to `window` tokens
    after own_end, so that pairs reaching into the next chunk are counted here. Afterwards
    positions[word_starts[a]:word_starts[a + 1]] are the (ascending) padded indices of word a.
    Returns the number of padded entries used.
    """
    word_starts[:] = 0
    cursor = 0
    doc = first_doc
    while doc < len(doc_offsets) - 1 and doc_offsets[doc] < own_end:
        owned_from = max(doc_offsets[doc], own_start)
        owned_to = min(doc_offsets[doc + 1], own_end)
        if owned_from < owned_to:
            copy_to = min(doc_offsets[doc + 1], owned_to + window)
            for position in range(owned_from, copy_to):
                token = tokens[position]
                if token < 0 or token >= vocab_size:
                    raise ValueError("token id out of range: every token must be below vocab_size")
                padded[cursor] = token
                cursor += 1
            for position in range(owned_from, owned_to):
                word_starts[tokens[position] + 1] += 1
            for _ in range(window):
                padded[cursor] = vocab_size
                cursor += 1
        doc += 1
    for word in range(vocab_size):
        word_starts[word + 1] += word_starts[word]
    next_slot = word_starts[:-1].copy()
    padded_index = 0
    doc = first_doc
    while doc < len(doc_offsets) - 1 and doc_offsets[doc] < own_end:
        owned_from = max(doc_offsets[doc], own_start)
        owned_to = min(doc_offsets[doc + 1], own_end)
        if owned_from < owned_to:
            copy_to = min(doc_offsets[doc + 1], owned_to + window)
            for position in range(owned_from, owned_to):
                token = tokens[position]
                positions[next_slot[token]] = padded_index
                next_slot[token] += 1
                padded_index += 1
            padded_index += copy_to - owned_to + window
        doc += 1
    return cursor


@numba.njit(parallel=True, cache=True)
def _accumulate_rows(
    padded: np.ndarray,
    positions: np.ndarray,
    word_starts: np.ndarray,
    task_bounds: np.ndarray,
    window: int,
    vocab_size: int,
    forward: np.ndarray,
) -> None:
    """forward[a, b] += L + 1 - d for each sorted position of a with b at offset d; the tasks
    (contiguous word ranges) own disjoint rows, so threads never write the same entry."""
    for task in numba.prange(len(task_bounds) - 1):
        for word in range(task_bounds[task], task_bounds[task + 1]):
            row = forward[word]
            for slot in range(word_starts[word], word_starts[word + 1]):
                start = positions[slot]
                for offset in range(1, window + 1):
                    neighbour = padded[start + offset]
                    if neighbour == vocab_size:  # end of the document
                        break
                    row[neighbour] += window + 1 - offset


@numba.njit(parallel=True, cache=True)
def _add_transpose_in_place(matrix: np.ndarray) -> None:
    """matrix <- matrix + matrix^T, in cache-sized tiles."""
    size = matrix.shape[0]
    block = _SYMMETRIZE_BLOCK
    n_blocks = (size + block - 1) // block
    for block_row in numba.prange(n_blocks):
        row_end = min(size, (block_row + 1) * block)
        for block_col in range(block_row, n_blocks):
            col_end = min(size, (block_col + 1) * block)
            for i in range(block_row * block, row_end):
                for j in range(max(i, block_col * block), col_end):
                    total = matrix[i, j] + matrix[j, i]
                    matrix[i, j] = total
                    matrix[j, i] = total


def _balanced_tasks(word_starts: np.ndarray, n_tasks: int) -> np.ndarray:
    """Boundaries of contiguous word ranges with about equal numbers of positions."""
    targets = np.linspace(0, word_starts[-1], n_tasks + 1)
    bounds = np.searchsorted(word_starts, targets, side="left")
    bounds[0], bounds[-1] = 0, len(word_starts) - 1
    return np.unique(bounds).astype(np.int64)


def _resolve_threads(n_threads: int | None) -> int:
    available = numba.config.NUMBA_NUM_THREADS
    if n_threads is None:
        return available
    if n_threads < 1:
        raise InputError(f"threads = {n_threads}: use at least 1 thread")
    if n_threads > available:
        log.info("asked for %d threads but numba has %d; using %d", n_threads, available, available)
    return min(n_threads, available)


def count_cooccurrence(
    tokens: np.ndarray,
    doc_offsets: np.ndarray,
    vocab_size: int,
    window: int,
    n_threads: int | None = None,
    *,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> np.ndarray:
    """The symmetric float64 V x V matrix C (exact integer values) of PAPER.md section 2.

    `tokens` holds word ids in [0, vocab_size) (any unsigned or signed integer dtype, may be
    memory-mapped); document i is tokens[doc_offsets[i]:doc_offsets[i + 1]].
    n_threads=None uses numba's default thread count.
    """
    window = check_window(window)
    if vocab_size < 1:
        raise ValueError(f"vocab_size = {vocab_size} must be positive")
    if chunk_tokens < 1:
        raise ValueError(f"chunk_tokens = {chunk_tokens} must be positive")
    offsets = _check_offsets(doc_offsets, len(tokens))
    tokens = np.asarray(tokens)  # a memory map stays a map, seen as a plain array
    if not np.issubdtype(tokens.dtype, np.integer) or tokens.dtype == np.uint64:
        raise ValueError(f"tokens must be an integer array (not {tokens.dtype}) of word ids")
    threads = _resolve_threads(n_threads)
    forward = np.zeros((vocab_size, vocab_size), dtype=np.float64)
    word_starts = np.zeros(vocab_size + 1, dtype=np.int64)
    # Padded indices stay below chunk_tokens * (window + 1) + 2 * window (one end marker run per document).
    index_dtype = np.int32 if chunk_tokens * (window + 1) + 2 * window < 2**31 else np.int64
    positions = np.empty(min(chunk_tokens, int(offsets[-1])), dtype=index_dtype)
    padded = np.empty(0, dtype=_chunk_dtype(vocab_size))
    previous_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        for own_start in range(0, int(offsets[-1]), chunk_tokens):
            own_end = min(own_start + chunk_tokens, int(offsets[-1]))
            first_doc = int(np.searchsorted(offsets, own_start, side="right")) - 1
            last_doc = int(np.searchsorted(offsets, own_end, side="left"))
            needed = (own_end - own_start) + (last_doc - first_doc + 1) * window + window
            if len(padded) < needed:
                padded = np.empty(needed, dtype=padded.dtype)
            _pack_chunk(
                tokens, offsets, first_doc, own_start, own_end, window, vocab_size, padded, word_starts, positions
            )
            tasks = _balanced_tasks(word_starts, threads * _TASKS_PER_THREAD)
            _accumulate_rows(padded, positions, word_starts, tasks, window, vocab_size, forward)
        _add_transpose_in_place(forward)
    finally:
        numba.set_num_threads(previous_threads)
    return forward
