"""The CPU training step as one fused numba kernel: sampling, forward, backward and SGD update
(`fused_sgd_step` with the authors' corpus sampler, `proportional_sgd_step` with pairs drawn from
alias tables, `w2vtheory.training.proportional_sampler`; both share phases 2 and 3).

A plain PyTorch step spends its time allocating and walking B x d temporaries several times over;
here each pair is touched once per phase, in preallocated buffers:

1. (parallel over fixed chunks of the batch) draw the positive pair and its negative exactly as
   `w2vtheory.training.sampler` does, with a counter-based generator keyed by (step key, pair index);
   compute x = w_i . w_j at the pre-step W, the coefficient g of the gradient dL/dw_i = g w_j,
   dL/dw_j = g w_i and, on steps that log it, the weighted loss; store (i, j, g). The
   proportional kernel draws a chunk's pairs before its dot products, so that its table reads
   overlap.
2. (parallel over fixed blocks of entries, then over rows) sort the terms by the row they update
   with a counting sort, then sum each row's terms while that row is in cache. No two threads
   write the same row and each row sums its terms in entry order whatever the thread count: the
   step is deterministic and reads only the pre-step W (plain SGD). Summing in row order keeps
   each row in cache, where adding each entry to two scattered rows would not.
3. (parallel over rows) W -= lr * gradient, and the buffer is zeroed for the next step.

Both kernels allow floating-point reassociation and fused multiply-adds (fastmath "reassoc",
"contract"), so the d-long dot products and updates vectorise (docs/scaling.md, "Training
kernels", has the measured gains). NaN and infinity keep their meaning, so divergence is still seen.

The loss is summed per chunk and the chunks in order, so it does not depend on the threads either.

`expected_loss_slopes` is exact mode's elementwise pass on the CPU (the two V x d x V products
around it are BLAS calls).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

# Fixed number of batch chunks in phase 1 and of entry blocks in phase 2 (independent of the thread
# count, for determinism).
N_CHUNKS = 64

_LOG2 = np.log(2.0)


@numba.njit(inline="always")
def _splitmix64(value: np.uint64) -> np.uint64:
    value = value + np.uint64(0x9E3779B97F4A7C15)
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


@numba.njit(inline="always")
def _random(key: np.uint64, pair: int, stream: int) -> np.uint64:
    return _splitmix64(key + np.uint64(4 * pair + stream))


@numba.njit(inline="always")
def _offset_group(index_in_document: int, length: int) -> int:
    """Same mapping as w2vtheory.training.sampler.offset_group."""
    root = np.sqrt((2.0 * length - 1.0) ** 2 - 8.0 * index_in_document)
    m = int(np.floor(((2.0 * length - 1.0) - root) / 2.0))
    if m * length - m * (m + 1) // 2 > index_in_document:
        m -= 1
    if (m + 1) * length - (m + 1) * (m + 2) // 2 <= index_in_document:
        m += 1
    return m + 1


@numba.njit(inline="always")
def _draw_pair(key, pair, tokens, doc_starts, doc_lengths, pair_offsets):
    """(centre, context, distance, negative context) of pair number `pair` of the step."""
    n_forward = np.uint64(pair_offsets[-1])
    instance = np.int64(_random(key, pair, 0) % n_forward)
    doc = np.searchsorted(pair_offsets, instance, side="right") - 1
    index_in_document = instance - pair_offsets[doc]
    length = doc_lengths[doc]
    distance = _offset_group(index_in_document, length)
    first = doc_starts[doc] + index_in_document - ((distance - 1) * length - distance * (distance - 1) // 2)
    a = np.int64(tokens[first])
    b = np.int64(tokens[first + distance])
    negative = np.int64(tokens[np.int64(_random(key, pair, 2) % np.uint64(len(tokens)))])
    if _random(key, pair, 1) & np.uint64(1):
        return b, a, distance, negative
    return a, b, distance, negative


@numba.njit(parallel=True, cache=True)
def sample_pairs(key, n_pairs, tokens, doc_starts, doc_lengths, pair_offsets):
    """The pairs the fused step draws for step key `key` (for tests and diagnostics)."""
    out = np.empty((n_pairs, 4), dtype=np.int64)
    for pair in prange(n_pairs):
        centre, context, distance, negative = _draw_pair(key, pair, tokens, doc_starts, doc_lengths, pair_offsets)
        out[pair, 0] = centre
        out[pair, 1] = context
        out[pair, 2] = distance
        out[pair, 3] = negative
    return out


@numba.njit(inline="always")
def _loss_and_slope(x: float, positive: bool, sgns: bool, with_loss: bool = True) -> tuple[float, float]:
    """Per-pair loss and its derivative in x (w2vtheory.training.losses); SGNS from one exponential. Without
    `with_loss` the loss is returned as 0: a step needs only the slope, and SGNS then skips its
    logarithm."""
    if sgns:
        # softplus(+-x) = max(+-x, 0) + log1p(e) and sigmoid(|x|) = 1 / (1 + e), e = exp(-|x|)
        e = np.exp(-abs(x))
        sigmoid_of_x = 1.0 / (1.0 + e) if x >= 0.0 else e / (1.0 + e)
        slope = sigmoid_of_x - 1.0 if positive else sigmoid_of_x
        if not with_loss:
            return 0.0, slope
        return max(-x if positive else x, 0.0) + np.log1p(e) - _LOG2, slope
    slope = 0.5 * x - 1.0 if positive else 0.5 * x + 1.0
    if not with_loss:
        return 0.0, slope
    return (-x if positive else x) + 0.25 * x * x, slope


@numba.njit(inline="always")
def _pair_weights(i, j, negative, table, has_table, positive_factor, centre_factor, context_factor):
    """(q+(i, j), q-(i, negative)) of w2vtheory.training.reweighting.PairWeights."""
    if has_table:
        return table[i, j], table[i, negative]
    positive_weight = positive_factor[i] * positive_factor[j]
    negative_weight = 0.5 * (centre_factor[i] * context_factor[negative] + centre_factor[negative] * context_factor[i])
    return positive_weight, negative_weight


@numba.njit(inline="always")
def _dot(W, i, j):
    total = W[i, 0] * W[j, 0]
    for column in range(1, W.shape[1]):
        total += W[i, column] * W[j, column]
    return total


@numba.njit(parallel=True, cache=True, fastmath={"reassoc", "contract"})
def fused_sgd_step(
    W,
    gradient,
    key,
    batch_size,
    tokens,
    doc_starts,
    doc_lengths,
    pair_offsets,
    window,
    table,
    has_table,
    positive_factor,
    centre_factor,
    context_factor,
    negative_weight,
    sgns,
    gradient_scale,
    lr,
    with_loss,
    entry_rows,
    entry_columns,
    entry_coefficients,
    chunk_losses,
    sort_buffers,
):
    """One SGD step in place on W; returns the batch loss sum_b (psi+ l+ + psi- l-)/B at the pre-step W
    if `with_loss`, else 0.

    `gradient` (like W, zero on entry and on return) and the other buffers
    (`w2vtheory.training.steppers.KernelBuffers`) are preallocated by the caller; `gradient_scale`
    multiplies the derivative of the batch loss (1/|min_loss|: the step descends the normalised loss).
    """
    half_window = (window + 1) / 2.0
    chunk = (batch_size + N_CHUNKS - 1) // N_CHUNKS
    for c in prange(N_CHUNKS):
        chunk_loss = 0.0
        for pair in range(c * chunk, min((c + 1) * chunk, batch_size)):
            i, j, distance, negative = _draw_pair(key, pair, tokens, doc_starts, doc_lengths, pair_offsets)
            q_positive, q_negative = _pair_weights(
                i, j, negative, table, has_table, positive_factor, centre_factor, context_factor
            )
            psi_positive = q_positive * (window + 1 - distance) / half_window
            psi_negative = negative_weight * q_negative
            loss_positive, slope_positive = _loss_and_slope(_dot(W, i, j), True, sgns, with_loss)
            loss_negative, slope_negative = _loss_and_slope(_dot(W, i, negative), False, sgns, with_loss)
            chunk_loss += psi_positive * loss_positive + psi_negative * loss_negative
            entry_rows[pair] = i
            entry_columns[pair] = j
            entry_coefficients[pair] = gradient_scale * psi_positive * slope_positive / batch_size
            entry_rows[batch_size + pair] = i
            entry_columns[batch_size + pair] = negative
            entry_coefficients[batch_size + pair] = gradient_scale * psi_negative * slope_negative / batch_size
        chunk_losses[c] = chunk_loss
    _apply_entries(W, gradient, entry_rows, entry_columns, entry_coefficients, lr, sort_buffers)
    return chunk_losses.sum() / batch_size


@numba.njit(parallel=True, cache=True, fastmath={"reassoc", "contract"})
def _apply_entries(W, gradient, entry_rows, entry_columns, entry_coefficients, lr, sort_buffers):
    """Phases 2 and 3: sort the terms of the entries (i, j, g) by the row they update (g w_j for
    row i, g w_i for row j), sum each row's terms into its row of `gradient`, then
    W -= lr * gradient and zero the buffer.

    A counting sort over fixed blocks of entries: count each block's terms per row (`block_counts`,
    n_blocks x V), turn the counts into each block's first slot among the row's terms, then place;
    every row's terms end up in entry order, whatever the thread count. `sort_buffers` holds
    block_counts, row_starts (V + 1), partners and term_coefficients (two per entry), which receive
    the sorted terms. The sums run over parts with equal numbers of terms, since frequent words own
    most of them.
    """
    block_counts, row_starts, partners, term_coefficients = sort_buffers
    vocab_size, dim = W.shape
    n_entries = len(entry_rows)
    n_blocks = block_counts.shape[0]
    block = (n_entries + n_blocks - 1) // n_blocks
    for b in prange(n_blocks):
        counts = block_counts[b]
        counts[:] = 0
        for entry in range(b * block, min((b + 1) * block, n_entries)):
            counts[entry_rows[entry]] += 1
            counts[entry_columns[entry]] += 1
    for row in prange(vocab_size):
        total = 0
        for b in range(n_blocks):
            count = block_counts[b, row]
            block_counts[b, row] = total
            total += count
        row_starts[row + 1] = total
    row_starts[0] = 0
    for row in range(vocab_size):
        row_starts[row + 1] += row_starts[row]
    for b in prange(n_blocks):
        cursor = block_counts[b]
        for entry in range(b * block, min((b + 1) * block, n_entries)):
            row, column = entry_rows[entry], entry_columns[entry]
            coefficient = entry_coefficients[entry]
            at = row_starts[row] + cursor[row]
            cursor[row] += 1
            partners[at] = column
            term_coefficients[at] = coefficient
            at = row_starts[column] + cursor[column]
            cursor[column] += 1
            partners[at] = row
            term_coefficients[at] = coefficient
    n_terms = row_starts[vocab_size]
    first_terms = row_starts[:vocab_size]
    for part in prange(n_blocks):
        low = np.searchsorted(first_terms, part * n_terms // n_blocks)
        high = vocab_size if part == n_blocks - 1 else np.searchsorted(first_terms, (part + 1) * n_terms // n_blocks)
        for row in range(low, high):
            for term in range(row_starts[row], row_starts[row + 1]):
                coefficient = term_coefficients[term]
                partner = partners[term]
                for k in range(dim):
                    gradient[row, k] += coefficient * W[partner, k]
    for row in prange(vocab_size):
        for k in range(dim):
            W[row, k] -= lr * gradient[row, k]
            gradient[row, k] = 0.0


@numba.njit(inline="always")
def _uniform_slot(value, n_slots):
    """floor(value * n_slots / 2^64) for a uniform 64-bit `value` and n_slots < 2^32: a uniform slot
    (relative bias below n_slots / 2^64) from multiplications, where `value % n_slots` would divide."""
    low = (value & np.uint64(0xFFFFFFFF)) * n_slots
    high = (value >> np.uint64(32)) * n_slots + (low >> np.uint64(32))
    return np.int64(high >> np.uint64(32))


@numba.njit(inline="always")
def _draw_alias(key, pair, stream, records):
    """Pair (row, column) from the records of an alias table (w2vtheory.training.proportional_sampler.AliasTable;
    codes row << 16 | column)."""
    slot = _uniform_slot(_random(key, pair, stream), np.uint64(records.shape[0]))
    bits = _random(key, pair, stream + 1) >> np.uint64(32)
    code = np.int64(records[slot, 1] if bits < np.uint64(records[slot, 0]) else records[slot, 2])
    return code >> 16, code & 0xFFFF


@numba.njit(inline="always")
def _draw_index(key, pair, stream, records):
    """An index from the records of a `w2vtheory.training.proportional_sampler.ProductTable` factor: one
    64-bit number gives the slot (its low 32 bits times V <= 65,535, shifted: bias below 2e-5
    relative) and the threshold draw (its high 32 bits)."""
    value = _random(key, pair, stream)
    slot = np.int64(((value & np.uint64(0xFFFFFFFF)) * np.uint64(records.shape[0])) >> np.uint64(32))
    return np.int64(records[slot, 1] if (value >> np.uint64(32)) < np.uint64(records[slot, 0]) else records[slot, 2])


@numba.njit(parallel=True, cache=True, fastmath={"reassoc", "contract"})
def proportional_sgd_step(
    W,
    gradient,
    key,
    batch_size,
    negative_count,
    positive_records,
    negative_records,
    negative_row_records,
    negative_column_records,
    product_negatives,
    positive_total,
    negative_total,
    sgns,
    gradient_scale,
    lr,
    with_loss,
    entry_rows,
    entry_columns,
    entry_coefficients,
    chunk_losses,
    sort_buffers,
):
    """One SGD step in place on W with `batch_size` positive pairs drawn in proportion to A+ and
    `negative_count` negative pairs in proportion to A- (every positive pair weighs Z+ =
    `positive_total` / batch_size, every negative Z- / negative_count); returns the batch loss at the
    pre-step W (0 without `with_loss`). Negatives come from `negative_records` (an alias table over
    pairs) or, if `product_negatives`, as a row index from `negative_row_records` and a column index
    from `negative_column_records`. Entries: positives first, then negatives. Same buffers, phases
    and determinism as `fused_sgd_step`."""
    chunk = (batch_size + N_CHUNKS - 1) // N_CHUNKS
    negative_chunk = (negative_count + N_CHUNKS - 1) // N_CHUNKS
    # every pair carries its sign's total over the pairs drawn
    positive_coefficient = gradient_scale * positive_total / batch_size
    negative_coefficient = gradient_scale * negative_total / negative_count
    positive_weight = positive_total / batch_size
    negative_weight = negative_total / negative_count
    for c in prange(N_CHUNKS):
        chunk_loss = 0.0
        first, last = c * chunk, min((c + 1) * chunk, batch_size)
        negative_first = c * negative_chunk
        negative_last = min((c + 1) * negative_chunk, negative_count)
        # Draws first, in a loop of independent table reads, so that many cache misses are in
        # flight at once; the dot products follow on pairs already in the buffers.
        for pair in range(first, last):
            i, j = _draw_alias(key, pair, 0, positive_records)
            entry_rows[pair] = i
            entry_columns[pair] = j
        if product_negatives:
            for pair in range(negative_first, negative_last):
                entry_rows[batch_size + pair] = _draw_index(key, pair, 2, negative_row_records)
                entry_columns[batch_size + pair] = _draw_index(key, pair, 3, negative_column_records)
        else:
            for pair in range(negative_first, negative_last):
                m, n = _draw_alias(key, pair, 2, negative_records)
                entry_rows[batch_size + pair] = m
                entry_columns[batch_size + pair] = n
        for pair in range(first, last):
            loss, slope = _loss_and_slope(_dot(W, entry_rows[pair], entry_columns[pair]), True, sgns, with_loss)
            chunk_loss += positive_weight * loss
            entry_coefficients[pair] = positive_coefficient * slope
        for entry in range(batch_size + negative_first, batch_size + negative_last):
            loss, slope = _loss_and_slope(_dot(W, entry_rows[entry], entry_columns[entry]), False, sgns, with_loss)
            chunk_loss += negative_weight * loss
            entry_coefficients[entry] = negative_coefficient * slope
        chunk_losses[c] = chunk_loss
    _apply_entries(W, gradient, entry_rows, entry_columns, entry_coefficients, lr, sort_buffers)
    return chunk_losses.sum()


_TILE = 64


@numba.njit(parallel=True, cache=True, fastmath={"reassoc", "contract"})
def expected_loss_slopes(gram, positive, negative, sgns, slopes):
    """The expected loss sum_ij [A+ l+(x_ij) + A- l-(x_ij)] at x = gram and, into `slopes`,
    S = A+ l+'(x) + A- l-'(x), for symmetric tables: one pass over the upper triangle in 64 x 64
    tiles, each mirrored while still in cache, with one exponential and one log per pair for SGNS.
    Returns the loss (float64)."""
    n = gram.shape[0]
    n_tiles = (n + _TILE - 1) // _TILE
    row_totals = np.zeros(n_tiles)
    for order in prange(n_tiles):
        # Tile rows alternate from the two ends (0, n-1, 1, n-2, ...): row r holds n - r tiles, so each
        # thread's contiguous share of this order does about the same work.
        tile_row = order // 2 if order % 2 == 0 else n_tiles - 1 - order // 2
        total = 0.0
        row_start = tile_row * _TILE
        row_end = min(row_start + _TILE, n)
        for tile_column in range(tile_row, n_tiles):
            column_start = tile_column * _TILE
            column_end = min(column_start + _TILE, n)
            for i in range(row_start, row_end):
                for j in range(max(column_start, i), column_end):
                    x = gram[i, j]
                    a_positive = positive[i, j]
                    a_negative = negative[i, j]
                    if sgns:
                        e = np.exp(-abs(x))
                        log_term = np.log1p(e) - _LOG2
                        sigmoid = 1.0 / (1.0 + e)  # sigmoid(|x|)
                        if x < 0.0:
                            sigmoid = 1.0 - sigmoid
                        value = a_positive * (max(-x, 0.0) + log_term) + a_negative * (max(x, 0.0) + log_term)
                        slope = a_negative * sigmoid - a_positive * (1.0 - sigmoid)
                    else:
                        value = a_positive * (-x + 0.25 * x * x) + a_negative * (x + 0.25 * x * x)
                        slope = a_positive * (0.5 * x - 1.0) + a_negative * (0.5 * x + 1.0)
                    slopes[i, j] = slope
                    total += value if j == i else 2.0 * value
            for j in range(column_start, column_end):
                for i in range(row_start, min(row_end, j)):
                    slopes[j, i] = slopes[i, j]
        row_totals[tile_row] = total
    return row_totals.sum()
