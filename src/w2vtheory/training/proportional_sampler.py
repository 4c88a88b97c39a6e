"""Pairs drawn in proportion to their weight in the expected loss (run setting `pair_sampling: proportional`).

The authors' sampler (`w2vtheory.training.sampler`, `pair_sampling: corpus`) draws pair instances uniformly
from the corpus and multiplies each by its reweighting factor q, so a batch spends most of its pairs
on frequent words whose weight is tiny: the effective batch size (sum w)^2 / sum w^2 is 17 % of B
for the `sgns` reweighting on the offline corpus and 5 % for omniscient negatives. This sampler draws
positive pairs with probability A+_ij / Z+ and negative pairs with probability A-_ij / Z- from the
dense tables of the expected loss (`w2vtheory.training.reweighting.expected_pair_tables`), and every pair
carries the same weight, Z+ or Z-. The batch loss sum_b (Z+ l+(x_b) + Z- l-(x'_b)) / B has the same
expectation as the corpus sampler's (the expected loss, which exact mode descends), so a learning
rate means the same expected step; only the noise around it is smaller. It is how word2vec itself
realises its weights: subsampling discards frequent words and negatives come from a P^(3/4) table.

Each table is an alias table (Walker; Vose's construction) over the unordered pairs i <= j with
weight A_ij (2 A_ij off the diagonal, the tables being symmetric): one uniform slot and one
uniform number per draw, and one cache line read (`AliasTable`), which matters because the tables
are far larger than the caches. Memory: 16 bytes per nonzero pair and table, at most 2 x 8 V^2
bytes; V <= 65,535. Where the negative weights are separable (the `sgns` and `unigram`
reweightings: A-_ij = k P(i)P(j)(c_i n_j + c_j n_i)/2), a negative pair is two independent index
draws from V-record tables that stay in cache (`ProductTable`), the same distribution.
Randomness is keyed by (seed, step) as in `w2vtheory.training.sampler`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numba
import numpy as np
import torch

from w2vtheory.training.sampler import step_key

# A pair code is row << 16 | column (both < 2^16), so that a draw decodes it with a shift and a mask.
MAX_VOCAB_SIZE = 65535
CodeArray = TypeVar("CodeArray", np.ndarray, torch.Tensor)


@dataclass(frozen=True)
class AliasTable:
    """Walker's alias table over the nonzero pairs i <= j of one symmetric V x V weight table.

    One 16-byte record per slot e, so a draw reads one cache line: (threshold, pair, alias pair, 0)
    as uint32; draw slot e uniformly and a uniform 32-bit r, and take `pair` if r < threshold, else
    `alias pair`; a pair code is row << 16 | column (`pair_code`).
    """

    records: np.ndarray  # uint32, n x 4
    total: float  # sum_ij A_ij over ordered pairs: the weight every drawn pair carries

    def pair_probabilities(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, probability) of every pair that can be drawn (for tests)."""
        pairs, probability = _record_probabilities(self.records)
        return (*pair_rows_and_columns(pairs), probability)


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


def _alias_records(weights: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Alias records (threshold, code, alias code, 0) of the distribution proportional to `weights`."""
    probability, alias = _vose_alias(weights)
    records = np.zeros((len(weights), 4), dtype=np.uint32)
    records[:, 0] = np.minimum(np.floor(probability * 2.0**32), 2.0**32 - 1).astype(np.uint32)
    records[:, 1] = codes
    records[:, 2] = codes[alias]
    return records


def _record_probabilities(records: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, probability) of every code the records can draw."""
    keep = records[:, 0].astype(np.float64) / 2.0**32
    codes = np.concatenate([records[:, 1], records[:, 2]]).astype(np.int64)
    mass = np.concatenate([keep, 1.0 - keep]) / len(keep)
    values, where = np.unique(codes, return_inverse=True)
    return values, np.bincount(where, weights=mass)


def pair_code(rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The uint32 code row << 16 | column of each pair (rows and columns below MAX_VOCAB_SIZE)."""
    return (rows.astype(np.uint32) << np.uint32(16)) | columns.astype(np.uint32)


def pair_rows_and_columns(codes: CodeArray) -> tuple[CodeArray, CodeArray]:
    """The rows and columns of pair codes (`pair_code`), numpy arrays or torch tensors alike."""
    return codes >> 16, codes & 0xFFFF


def alias_table(table: np.ndarray) -> AliasTable:
    """The alias table of a symmetric, non-negative V x V weight table with a positive sum."""
    table = np.asarray(table)
    if table.shape[0] > MAX_VOCAB_SIZE:
        raise ValueError(f"proportional sampling needs V <= {MAX_VOCAB_SIZE} (pair codes in 32 bits); V = {len(table)}")
    rows, columns, weights = _upper_triangle_entries(table)
    if len(weights) == 0 or np.any(weights < 0) or not np.isfinite(weights.sum()):
        raise ValueError("a pair-weight table must be finite, non-negative and not all zero")
    codes = pair_code(rows, columns)
    return AliasTable(_alias_records(weights, codes), float(weights.sum()))


@dataclass(frozen=True)
class ProductTable:
    """The symmetric table A_ij = c (u_i v_j + u_j v_i)/2 as two alias tables over indices: draw i
    from u / sum(u) and j from v / sum(v), independently. The unordered pair {i, j} then comes with
    probability (u_i v_j + u_j v_i) / (sum(u) sum(v)) (u_i v_i on the diagonal), that of
    `alias_table(A)`; the update of a pair is symmetric in i and j. Records as `AliasTable`'s, with
    indices for codes; a draw reads two of them, and 2 x 16 V bytes stay in cache."""

    rows: np.ndarray  # uint32, V x 4
    columns: np.ndarray  # uint32, V x 4
    vocab_size: int
    total: float  # sum_ij A_ij = c sum(u) sum(v)

    def pair_probabilities(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, probability) of every unordered pair i <= j that can be drawn (for tests)."""
        probability = np.zeros((self.vocab_size, self.vocab_size))
        row_codes, row_probability = _record_probabilities(self.rows)
        column_codes, column_probability = _record_probabilities(self.columns)
        probability[np.ix_(row_codes, column_codes)] = np.outer(row_probability, column_probability)
        unordered = np.triu(probability + probability.T) - np.diag(np.diag(probability))
        rows, columns = np.nonzero(unordered)
        return rows, columns, unordered[rows, columns]


def product_table(u: np.ndarray, v: np.ndarray, scale: float) -> ProductTable:
    """The `ProductTable` of A_ij = scale (u_i v_j + u_j v_i)/2 (u, v non-negative, each with a positive sum)."""
    u, v = (np.asarray(factor, dtype=np.float64) for factor in (u, v))
    if len(u) > MAX_VOCAB_SIZE:
        raise ValueError(f"proportional sampling needs V <= {MAX_VOCAB_SIZE}; V = {len(u)}")
    for factor in (u, v):
        if np.any(factor < 0) or not np.isfinite(factor.sum()) or factor.sum() <= 0:
            raise ValueError("a pair-weight factor must be finite, non-negative and not all zero")
    indices = np.arange(len(u), dtype=np.uint32)
    return ProductTable(
        _alias_records(u, indices), _alias_records(v, indices), len(u), float(scale * u.sum() * v.sum())
    )


@dataclass(frozen=True)
class ProportionalPairs:
    """The tables of one objective: positive pairs from A+, negative pairs from A-."""

    positive: AliasTable
    negative: AliasTable | ProductTable


@dataclass(frozen=True)
class ProportionalBatch:
    """B+ positive and B- negative pairs (row, column indices); each sign's pairs share its table's total."""

    positive_rows: torch.Tensor
    positive_columns: torch.Tensor
    negative_rows: torch.Tensor
    negative_columns: torch.Tensor


def _torch_draw(records: torch.Tensor, batch_size: int, generator: torch.Generator) -> torch.Tensor:
    """Codes drawn from alias records (threshold, code, alias code) held as int64 on a device."""
    device = records.device
    slot = torch.randint(0, len(records), (batch_size,), generator=generator, device=device)
    bits = torch.randint(0, 2**32, (batch_size,), generator=generator, device=device)
    chosen = records[slot]
    return torch.where(bits < chosen[:, 0], chosen[:, 1], chosen[:, 2])


class TorchAliasTable:
    def __init__(self, table: AliasTable, device: torch.device) -> None:
        self.records = torch.as_tensor(table.records.astype(np.int64), device=device)

    def draw(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        return pair_rows_and_columns(_torch_draw(self.records, batch_size, generator))


class TorchProductTable:
    def __init__(self, table: ProductTable, device: torch.device) -> None:
        self.rows = torch.as_tensor(table.rows.astype(np.int64), device=device)
        self.columns = torch.as_tensor(table.columns.astype(np.int64), device=device)

    def draw(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        return _torch_draw(self.rows, batch_size, generator), _torch_draw(self.columns, batch_size, generator)


class TorchProportionalSampler:
    """The proportional sampler on a torch device; `sample` launches no host synchronisation."""

    def __init__(self, pairs: ProportionalPairs, device: torch.device) -> None:
        self.positive = TorchAliasTable(pairs.positive, device)
        negative = pairs.negative
        self.negative = (
            TorchProductTable(negative, device)
            if isinstance(negative, ProductTable)
            else TorchAliasTable(negative, device)
        )
        self.generator = torch.Generator(device=device)

    def sample(self, seed: int, step: int, batch_size: int, negative_count: int | None = None) -> ProportionalBatch:
        """`batch_size` positive pairs and `negative_count` (default: as many) negative pairs."""
        self.generator.manual_seed(step_key(seed, step) >> 1)  # torch seeds are < 2^63
        negatives = batch_size if negative_count is None else negative_count
        return ProportionalBatch(
            *self.positive.draw(batch_size, self.generator), *self.negative.draw(negatives, self.generator)
        )
