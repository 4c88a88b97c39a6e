"""Windowed, distance-weighted co-occurrence counts C and the pair count N (docs/paper.md section 2).

For every position p and offset d = 1..L with p + d in the same document, the weight L + 1 - d
is added to C[a, b] and C[b, a] (a, b the tokens at p and p + d).

Why the kernel looks the way it does: at V = 10k, C is 800 MB, so the straightforward loop is
bound by cache misses from updates scattered all over C. Instead the tokens are processed in
chunks of whole or partial documents; within a chunk the positions are counting-sorted by their
token, so all updates from the occurrences of word a land in one small private row (L1/L2
resident) that is then added to row a of the accumulator in one sequential sweep. The only
scattered access left is reading the L tokens after each position, and those reads are
prefetched a few positions ahead. Rows are split between threads, so threads never write the
same memory and share one accumulator: memory is one V x V float64 matrix plus the chunk
buffers, whatever the number of threads. Only the forward half A[a, b] (a at p, b at p + d) is
accumulated; C = A + A^T at the end. Weights are integers, so float64 sums are exact while
entries stay below 2^53 (at L = 16 all of C adds up to at most 272 per token: any corpus below
10^13 tokens), and the result does not depend on the thread count or the chunking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

import numba
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

from w2vtheory.corpus.store import NpyVectorReader, checked_offsets
from w2vtheory.errors import InputError

log = logging.getLogger(__name__)

# Tokens per chunk (its buffers take about 6 bytes a token). Smaller chunks make the neighbour
# reads cheaper, larger ones the sweep over C that ends each chunk rarer; 2^22-2^23 measured best
# at V = 10k.
DEFAULT_CHUNK_TOKENS = 1 << 23
# Far beyond any useful window (documents hold at most 50,000 tokens); a typo such as 10**9 is
# reported instead of running for hours.
MAX_WINDOW = 100_000
# Forward pair updates (about L per token) per thread before a second thread is started: some
# 0.3 s of work (docs/scaling.md, "Threads in counting"). Below it the whole count takes a fraction of a
# second and waiting for a second thread that the OS has not yet scheduled costs more than it saves.
PAIRS_PER_THREAD = 1 << 26
# Several row ranges (and document segments) per thread, handed out dynamically, so a thread
# slowed down by other load does not hold up the others.
_TASKS_PER_THREAD = 4
# How many sorted positions ahead the neighbour tokens are prefetched (measured: 16-32 is best).
_PREFETCH_DISTANCE = 32
_SYMMETRIZE_BLOCK = 256
# A word's private row is added entry by entry (over the neighbours it touched) when it can have
# at most V / this many neighbours in the chunk: a scattered add into the V x V accumulator is
# a cache miss, the cost of some 30-40 entries of a sequential sweep.
_SPARSE_SWEEP_RATIO = 32


def check_window(window: int) -> int:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or not 1 <= window <= MAX_WINDOW:
        raise InputError(
            f"window = {window!r}: the co-occurrence window must be an integer from 1 to {MAX_WINDOW} (paper: 16)"
        )
    return int(window)


def count_pairs(doc_offsets: np.ndarray, window: int) -> int:
    """N: the number of ordered pair instances, 2 * sum over documents of sum_{d=1..L} max(len - d, 0)."""
    window = check_window(window)
    lengths = np.diff(checked_offsets(doc_offsets))
    # A document of length n has n - d pairs at each offset d <= m = min(n - 1, L).
    reach = np.clip(lengths - 1, 0, window)
    return int(2 * np.sum(reach * lengths - reach * (reach + 1) // 2))


@intrinsic
def _prefetch(typingctx, array, index):  # type: ignore[no-untyped-def]
    """Hint the CPU to start loading array[index] into cache (LLVM's prefetch, read, high locality)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        array_type = signature.args[0]
        array_struct = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, array_struct, [args[1]])
        byte_pointer = ir.IntType(8).as_pointer()
        int32 = ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32])
        function = cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
        read, high_locality, data_cache = ir.Constant(int32, 0), ir.Constant(int32, 3), ir.Constant(int32, 1)
        builder.call(function, [builder.bitcast(pointer, byte_pointer), read, high_locality, data_cache])
        return context.get_dummy_value()

    return types.void(array, index), codegen


class _ChunkLayout(NamedTuple):
    """Where each document piece of a chunk goes in the padded chunk.

    Piece i owns positions [owned_from[i], owned_to[i]) (their forward pairs are counted in this
    chunk) and copies tokens [owned_from[i], copy_to[i]) (up to L more when the document goes on
    into the next chunk) to padded[padded_from[i]:], followed by one end marker. Segments
    (pieces segment_bounds[s]..segment_bounds[s+1]) are the units of parallel packing.
    """

    owned_from: np.ndarray
    owned_to: np.ndarray
    copy_to: np.ndarray
    padded_from: np.ndarray
    padded_size: int
    segment_bounds: np.ndarray


def _chunk_layout(offsets: np.ndarray, own_start: int, own_end: int, window: int, n_segments: int) -> _ChunkLayout:
    first = int(np.searchsorted(offsets, own_start, side="right")) - 1
    stop = int(np.searchsorted(offsets, own_end, side="left"))
    owned_from = np.maximum(offsets[first:stop], own_start)
    owned_to = np.minimum(offsets[first + 1 : stop + 1], own_end)
    nonempty = owned_to > owned_from
    owned_from, owned_to = owned_from[nonempty], owned_to[nonempty]
    copy_to = np.minimum(offsets[first + 1 : stop + 1][nonempty], owned_to + window)
    sizes = copy_to - owned_from + 1
    padded_from = np.zeros(len(sizes), dtype=np.int64)
    np.cumsum(sizes[:-1], out=padded_from[1:])
    owned_before = np.concatenate([[0], np.cumsum(owned_to - owned_from)])
    targets = np.linspace(0, owned_before[-1], n_segments + 1)
    segment_bounds = np.unique(np.searchsorted(owned_before, targets, side="left"))
    segment_bounds[0], segment_bounds[-1] = 0, len(sizes)
    return _ChunkLayout(owned_from, owned_to, copy_to, padded_from, int(sizes.sum()), segment_bounds)


@numba.njit(parallel=True, cache=True)
def _copy_and_count(
    tokens: np.ndarray,
    owned_from: np.ndarray,
    owned_to: np.ndarray,
    copy_to: np.ndarray,
    padded_from: np.ndarray,
    segment_bounds: np.ndarray,
    vocab_size: int,
    padded: np.ndarray,
    word_counts: np.ndarray,
) -> bool:
    """Copy each piece to `padded` followed by an end marker (the value vocab_size), and count the
    owned positions of each word per segment (word_counts[segment, word]). Returns False if a
    token is out of range (it is then copied as an end marker, so nothing writes out of bounds)."""
    n_segments = len(segment_bounds) - 1
    in_range = np.ones(n_segments, dtype=np.bool_)
    for segment in numba.prange(n_segments):
        counts = word_counts[segment]
        for piece in range(segment_bounds[segment], segment_bounds[segment + 1]):
            cursor = padded_from[piece]
            n_owned = owned_to[piece] - owned_from[piece]
            for position in range(owned_from[piece], copy_to[piece]):
                token = tokens[position]
                if token < 0 or token >= vocab_size:
                    in_range[segment] = False
                    token = vocab_size
                padded[cursor] = token
                cursor += 1
            padded[cursor] = vocab_size
            start = padded_from[piece]
            for index in range(start, start + n_owned):
                counts[padded[index]] += 1
    return in_range.all()


@numba.njit(parallel=True, cache=True)
def _sort_positions(
    padded: np.ndarray,
    owned_from: np.ndarray,
    owned_to: np.ndarray,
    padded_from: np.ndarray,
    segment_bounds: np.ndarray,
    next_slot: np.ndarray,
    positions: np.ndarray,
) -> None:
    """Counting sort of the owned padded indices by token; next_slot[segment, word] is where the
    segment's first occurrence of word goes, so the order within a word stays ascending."""
    for segment in numba.prange(len(segment_bounds) - 1):
        slots = next_slot[segment]
        for piece in range(segment_bounds[segment], segment_bounds[segment + 1]):
            start = padded_from[piece]
            for index in range(start, start + owned_to[piece] - owned_from[piece]):
                word = padded[index]
                positions[slots[word]] = index
                slots[word] += 1


@numba.njit(inline="always")
def _add_neighbours(  # type: ignore[no-untyped-def]
    padded, positions, first, stop, window, vocab_size, n_positions, local
):
    """local[b] += L + 1 - d for each of the sorted positions first..stop - 1 and b at offset d."""
    for slot in range(first, stop):
        if slot + _PREFETCH_DISTANCE < n_positions:
            _prefetch(padded, positions[slot + _PREFETCH_DISTANCE] + 1)
        start = positions[slot]
        for offset in range(1, window + 1):
            neighbour = padded[start + offset]
            if neighbour == vocab_size:  # end of the document
                break
            local[neighbour] += window + 1 - offset


@numba.njit(inline="always")
def _add_neighbours_tracked(  # type: ignore[no-untyped-def]
    padded, positions, first, stop, window, vocab_size, n_positions, local, touched
):
    """_add_neighbours that also lists each neighbour the first time it is seen (weights are >= 1,
    so a zero entry has not been touched); returns how many were listed."""
    n_touched = 0
    for slot in range(first, stop):
        if slot + _PREFETCH_DISTANCE < n_positions:
            _prefetch(padded, positions[slot + _PREFETCH_DISTANCE] + 1)
        start = positions[slot]
        for offset in range(1, window + 1):
            neighbour = padded[start + offset]
            if neighbour == vocab_size:
                break
            if local[neighbour] == 0:
                touched[n_touched] = neighbour
                n_touched += 1
            local[neighbour] += window + 1 - offset
    return n_touched


@numba.njit(parallel=True, cache=True)
def _accumulate_rows(
    padded: np.ndarray,
    positions: np.ndarray,
    word_starts: np.ndarray,
    task_bounds: np.ndarray,
    window: int,
    vocab_size: int,
    local_rows: np.ndarray,
    touched_rows: np.ndarray,
    forward: np.ndarray,
) -> None:
    """forward[a, b] += L + 1 - d for each sorted position of a with b at offset d.

    Each task (a contiguous word range) owns its rows, so threads never write the same entry.
    A word's updates go to the task's private row local_rows[task] (zero on entry and on exit;
    uint32 where the chunk cannot overflow it: 40 kB at V = 10k), which is then added to
    forward[a]: in one sequential sweep over all V entries when the word is frequent in the
    chunk, else entry by entry over the neighbours listed in touched_rows[task] (a word seen n
    times has at most n L neighbours; sweeping V entries for each rare word would make every
    chunk cost V^2 whatever its size).
    """
    n_positions = word_starts[-1]
    sparse_limit = vocab_size // _SPARSE_SWEEP_RATIO
    for task in numba.prange(len(task_bounds) - 1):
        local = local_rows[task]
        touched = touched_rows[task]
        for word in range(task_bounds[task], task_bounds[task + 1]):
            first, stop = word_starts[word], word_starts[word + 1]
            if first == stop:
                continue
            row = forward[word]
            if (stop - first) * window <= sparse_limit:
                n_touched = _add_neighbours_tracked(
                    padded, positions, first, stop, window, vocab_size, n_positions, local, touched
                )
                for index in range(n_touched):
                    neighbour = touched[index]
                    row[neighbour] += local[neighbour]
                    local[neighbour] = 0
            else:
                _add_neighbours(padded, positions, first, stop, window, vocab_size, n_positions, local)
                for neighbour in range(vocab_size):
                    row[neighbour] += local[neighbour]
                    local[neighbour] = 0


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


def paying_threads(n_forward_pairs: int, n_threads: int, pairs_per_thread: int = PAIRS_PER_THREAD) -> int:
    """How many of `n_threads` to use for `n_forward_pairs` updates: one per `pairs_per_thread`.

    Every parallel step ends when its slowest thread does; on a shared machine a thread may wait
    tens of milliseconds for a core, so a thread pays only for work well beyond that.
    """
    return max(1, min(n_threads, n_forward_pairs // pairs_per_thread))


def _count_chunk(
    read: Callable[[int, int], np.ndarray],
    layout: _ChunkLayout,
    window: int,
    vocab_size: int,
    positions: np.ndarray,
    local_rows: np.ndarray,
    touched_rows: np.ndarray,
    forward: np.ndarray,
) -> None:
    if len(layout.owned_from) == 0:
        return
    base = int(layout.owned_from[0])
    tokens = read(base, int(layout.copy_to[-1]))
    padded = np.empty(layout.padded_size, dtype=np.uint16 if vocab_size < (1 << 16) else np.uint32)
    n_segments = len(layout.segment_bounds) - 1
    word_counts = np.zeros((n_segments, vocab_size + 1), dtype=np.int64)
    if not _copy_and_count(
        tokens, layout.owned_from - base, layout.owned_to - base, layout.copy_to - base, layout.padded_from,
        layout.segment_bounds, vocab_size, padded, word_counts,
    ):  # fmt: skip
        raise ValueError(f"a token id is outside [0, {vocab_size}): tokens must be restricted to the vocabulary")
    word_counts = word_counts[:, :vocab_size]
    word_starts = np.zeros(vocab_size + 1, dtype=np.int64)
    np.cumsum(word_counts.sum(axis=0), out=word_starts[1:])
    next_slot = word_starts[:-1] + np.cumsum(word_counts, axis=0) - word_counts
    _sort_positions(
        padded, layout.owned_from, layout.owned_to, layout.padded_from, layout.segment_bounds, next_slot, positions
    )
    tasks = _balanced_tasks(word_starts, len(local_rows))
    _accumulate_rows(padded, positions, word_starts, tasks, window, vocab_size, local_rows, touched_rows, forward)


def _slicer(array: np.ndarray) -> Callable[[int, int], np.ndarray]:
    """array[start:stop] as a function (a memory map stays a map, seen as a plain array)."""
    return lambda start, stop: array[start:stop]


def count_cooccurrence(
    tokens: np.ndarray | NpyVectorReader,
    doc_offsets: np.ndarray,
    vocab_size: int,
    window: int,
    n_threads: int | None = None,
    *,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
    pairs_per_thread: int = PAIRS_PER_THREAD,
) -> np.ndarray:
    """The symmetric float64 V x V matrix C (exact integer values) of docs/paper.md section 2.

    `tokens` holds word ids in [0, vocab_size) (any integer dtype up to 32 bits, or int64): an
    array, or a reader of a .npy file, of which only one chunk at a time is then in memory;
    document i is tokens[doc_offsets[i]:doc_offsets[i + 1]].
    n_threads (None: numba's default thread count) is an upper bound: a thread is used per
    `pairs_per_thread` forward pairs (see `paying_threads`).
    """
    window = check_window(window)
    if vocab_size < 1:
        raise ValueError(f"vocab_size = {vocab_size} must be positive")
    if chunk_tokens < 1 or pairs_per_thread < 1:
        raise ValueError(f"chunk_tokens = {chunk_tokens} and pairs_per_thread = {pairs_per_thread} must be positive")
    offsets = checked_offsets(doc_offsets, len(tokens))
    read = tokens.read if isinstance(tokens, NpyVectorReader) else _slicer(np.asarray(tokens))
    if not np.issubdtype(tokens.dtype, np.integer) or tokens.dtype == np.uint64:
        raise ValueError(f"tokens must be an integer array (not {tokens.dtype}) of word ids")
    n_tokens = int(offsets[-1])
    n_forward_pairs = count_pairs(offsets, window) // 2
    threads = paying_threads(n_forward_pairs, _resolve_threads(n_threads), pairs_per_thread)
    log.info("counting %d forward pairs with %d thread(s)", n_forward_pairs, threads)
    # Padded indices stay below 2 chunk_tokens + window + 1 (one end marker per piece).
    index_dtype = np.int32 if 2 * chunk_tokens + window + 1 < 2**31 else np.int64
    positions = np.empty(min(chunk_tokens, n_tokens), dtype=index_dtype)
    # Within a chunk a private row entry grows by at most L (L + 1) / 2 per position.
    local_bound = min(chunk_tokens, max(n_tokens, 1)) * (window * (window + 1) // 2)
    local_dtype = np.uint32 if local_bound < 2**32 else np.int64
    local_rows = np.zeros((threads * _TASKS_PER_THREAD, vocab_size), dtype=local_dtype)
    touched_rows = np.empty((threads * _TASKS_PER_THREAD, vocab_size // _SPARSE_SWEEP_RATIO + 1), dtype=np.int32)
    forward = np.zeros((vocab_size, vocab_size), dtype=np.float64)
    previous_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    previous_chunksize = numba.set_parallel_chunksize(1)
    try:
        for own_start in range(0, n_tokens, chunk_tokens):
            own_end = min(own_start + chunk_tokens, n_tokens)
            layout = _chunk_layout(offsets, own_start, own_end, window, threads * _TASKS_PER_THREAD)
            _count_chunk(read, layout, window, vocab_size, positions, local_rows, touched_rows, forward)
        _add_transpose_in_place(forward)
    finally:
        numba.set_parallel_chunksize(previous_chunksize)
        numba.set_num_threads(previous_threads)
    return forward
