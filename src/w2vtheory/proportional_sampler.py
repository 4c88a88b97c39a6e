"""Pairs drawn in proportion to their weight in the expected loss (run setting `pair_sampling: proportional`).

The authors' sampler (`w2vtheory.sampler`, `pair_sampling: corpus`) draws pair instances uniformly
from the corpus and multiplies each by its reweighting factor q, so a batch spends most of its pairs
on frequent words whose weight is tiny: the effective batch size (sum w)^2 / sum w^2 is 17 % of B
for the `sgns` reweighting on the offline corpus and 5 % for omniscient negatives. This sampler draws
positive pairs with probability A+_ij / Z+ and negative pairs with probability A-_ij / Z- from the
dense tables of the expected loss (`w2vtheory.reweighting.expected_pair_tables`), and every pair
carries the same weight, Z+ or Z-. The batch loss sum_b (Z+ l+(x_b) + Z- l-(x'_b)) / B has the same
expectation as the corpus sampler's (the expected loss, which exact mode descends), so a learning
rate means the same expected step; only the noise around it is smaller. It is how word2vec itself
realises its weights: subsampling discards frequent words and negatives come from a P^(3/4) table.

Each table is an alias table (Walker; Vose's construction) over the unordered pairs i <= j with
weight A_ij (2 A_ij off the diagonal, the tables being symmetric): one uniform slot and one
uniform number per draw, and one cache line read (`AliasTable`), which matters because the tables
are far larger than the caches. Memory: 16 bytes per nonzero pair and table, at most 2 x 8 V^2
bytes; V <= 65,535.
Randomness is keyed by (seed, step) as in `w2vtheory.sampler`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

from w2vtheory.sampler import step_key

# Pair codes row * V + column must fit in 32 bits.
MAX_VOCAB_SIZE = 65535


@dataclass(frozen=True)
class AliasTable:
    """Walker's alias table over the nonzero pairs i <= j of one symmetric V x V weight table.

    One 16-byte record per slot e, so a draw reads one cache line: (threshold, pair, alias pair, 0)
    as uint32; draw slot e uniformly and a uniform 32-bit r, and take `pair` if r < threshold, else
    `alias pair`; a pair code is row * V + column.
    """

    records: np.ndarray  # uint32, n x 4
    vocab_size: int
    total: float  # sum_ij A_ij over ordered pairs: the weight every drawn pair carries

    def pair_probabilities(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, probability) of every pair that can be drawn (for tests)."""
        keep = self.records[:, 0].astype(np.float64) / 2.0**32
        codes = np.concatenate([self.records[:, 1], self.records[:, 2]]).astype(np.int64)
        mass = np.concatenate([keep, 1.0 - keep]) / len(keep)
        pairs, where = np.unique(codes, return_inverse=True)
        probability = np.bincount(where, weights=mass)
        return pairs // self.vocab_size, pairs % self.vocab_size, probability


@numba.njit(cache=True)
def _upper_triangle_entries(table):
    """Rows, columns and weights (A_ii, 2 A_ij for i < j) of the nonzero pairs i <= j."""
    n = table.shape[0]
    count = 0
    for i in range(n):
        for j in range(i, n):
            if table[i, j] != 0.0:
                count += 1
    rows = np.empty(count, dtype=np.int32)
    columns = np.empty(count, dtype=np.int32)
    weights = np.empty(count, dtype=np.float64)
    entry = 0
    for i in range(n):
        for j in range(i, n):
            value = table[i, j]
            if value != 0.0:
                rows[entry] = i
                columns[entry] = j
                weights[entry] = value if i == j else 2.0 * value
                entry += 1
    return rows, columns, weights


@numba.njit(cache=True)
def _vose_alias(weights):
    """Vose's O(n) alias construction for the distribution proportional to `weights` (> 0)."""
    n = len(weights)
    scaled = weights * (n / weights.sum())
    probability = np.ones(n)
    alias = np.arange(n).astype(np.int32)
    small = np.empty(n, dtype=np.int64)
    large = np.empty(n, dtype=np.int64)
    n_small = 0
    n_large = 0
    for e in range(n):
        if scaled[e] < 1.0:
            small[n_small] = e
            n_small += 1
        else:
            large[n_large] = e
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        under = small[n_small]
        over = large[n_large - 1]
        probability[under] = scaled[under]
        alias[under] = over
        scaled[over] = (scaled[over] + scaled[under]) - 1.0
        if scaled[over] < 1.0:
            n_large -= 1
            small[n_small] = over
            n_small += 1
    # What is left has scaled weight 1 up to rounding: kept with probability 1 (already set).
    return probability, alias


def alias_table(table: np.ndarray) -> AliasTable:
    """The alias table of a symmetric, non-negative V x V weight table with a positive sum."""
    table = np.asarray(table)
    if table.shape[0] > MAX_VOCAB_SIZE:
        raise ValueError(f"proportional sampling needs V <= {MAX_VOCAB_SIZE} (pair codes in 32 bits); V = {len(table)}")
    rows, columns, weights = _upper_triangle_entries(table)
    if len(weights) == 0 or np.any(weights < 0) or not np.isfinite(weights.sum()):
        raise ValueError("a pair-weight table must be finite, non-negative and not all zero")
    probability, alias = _vose_alias(weights)
    codes = rows.astype(np.uint32) * np.uint32(len(table)) + columns.astype(np.uint32)
    records = np.zeros((len(weights), 4), dtype=np.uint32)
    records[:, 0] = np.minimum(np.floor(probability * 2.0**32), 2.0**32 - 1).astype(np.uint32)
    records[:, 1] = codes
    records[:, 2] = codes[alias]
    return AliasTable(records, len(table), float(weights.sum()))


@dataclass(frozen=True)
class ProportionalPairs:
    """The two alias tables of one objective: positive pairs from A+, negative pairs from A-."""

    positive: AliasTable
    negative: AliasTable


def proportional_pairs(positive_table: np.ndarray, negative_table: np.ndarray) -> ProportionalPairs:
    return ProportionalPairs(alias_table(positive_table), alias_table(negative_table))


@dataclass(frozen=True)
class ProportionalBatch:
    """B positive and B negative pairs (row, column indices); every pair weighs the table's total."""

    positive_rows: torch.Tensor
    positive_columns: torch.Tensor
    negative_rows: torch.Tensor
    negative_columns: torch.Tensor


class TorchAliasTable:
    def __init__(self, table: AliasTable, device: torch.device) -> None:
        records = torch.as_tensor(table.records.astype(np.int64), device=device)
        self.threshold, self.pair, self.alias_pair = records[:, 0], records[:, 1], records[:, 2]
        self.vocab_size = table.vocab_size

    def draw(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        device = self.pair.device
        slot = torch.randint(0, len(self.pair), (batch_size,), generator=generator, device=device)
        bits = torch.randint(0, 2**32, (batch_size,), generator=generator, device=device)
        pair = torch.where(bits < self.threshold[slot], self.pair[slot], self.alias_pair[slot])
        return pair // self.vocab_size, pair % self.vocab_size


class TorchProportionalSampler:
    """The proportional sampler on a torch device; `sample` launches no host synchronisation."""

    def __init__(self, pairs: ProportionalPairs, device: torch.device) -> None:
        self.positive = TorchAliasTable(pairs.positive, device)
        self.negative = TorchAliasTable(pairs.negative, device)
        self.generator = torch.Generator(device=device)

    def sample(self, seed: int, step: int, batch_size: int) -> ProportionalBatch:
        self.generator.manual_seed(step_key(seed, step) >> 1)  # torch seeds are < 2^63
        return ProportionalBatch(
            *self.positive.draw(batch_size, self.generator), *self.negative.draw(batch_size, self.generator)
        )
