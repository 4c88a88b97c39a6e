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
weight A_ij (2 A_ij off the diagonal, the tables being symmetric): one uniform index and one
uniform number per draw. Memory: 20 bytes per nonzero pair and table, at most 2 V^2 x 10 bytes.
Randomness is keyed by (seed, step) as in `w2vtheory.sampler`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import torch

from w2vtheory.sampler import step_key


@dataclass(frozen=True)
class AliasTable:
    """Walker's alias table over the nonzero pairs i <= j of one symmetric V x V weight table."""

    rows: np.ndarray  # int32, pair e = (rows[e], columns[e])
    columns: np.ndarray  # int32
    probability: np.ndarray  # float64: keep pair e with this probability, else take alias[e]
    alias: np.ndarray  # int32
    total: float  # sum_ij A_ij over ordered pairs: the weight every drawn pair carries

    def pair_probabilities(self) -> np.ndarray:
        """The probability of drawing each pair e (for tests): (probability[e] + sum of the rest
        that aliases to e) / n."""
        n = len(self.probability)
        mass = self.probability.copy()
        np.add.at(mass, self.alias, 1.0 - self.probability)
        return mass / n


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
    rows, columns, weights = _upper_triangle_entries(np.asarray(table))
    if len(weights) == 0 or np.any(weights < 0) or not np.isfinite(weights.sum()):
        raise ValueError("a pair-weight table must be finite, non-negative and not all zero")
    probability, alias = _vose_alias(weights)
    return AliasTable(rows, columns, probability, alias, float(weights.sum()))


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
        self.rows = torch.as_tensor(table.rows, device=device).long()
        self.columns = torch.as_tensor(table.columns, device=device).long()
        self.probability = torch.as_tensor(table.probability, device=device)
        self.alias = torch.as_tensor(table.alias, device=device).long()

    def draw(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        device = self.probability.device
        index = torch.randint(0, len(self.probability), (batch_size,), generator=generator, device=device)
        keep = torch.rand(batch_size, generator=generator, device=device, dtype=torch.float64)
        pair = torch.where(keep < self.probability[index], index, self.alias[index])
        return self.rows[pair], self.columns[pair]


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
