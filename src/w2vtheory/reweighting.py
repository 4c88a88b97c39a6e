"""Pair reweighting schemes of docs/paper.md section 3, the loss normaliser and the expected-loss tables.

A scheme multiplies the weight of a positive pair (i, j) by q+(i, j) and of a negative pair by
q-(i, j); both are symmetric in (i, j) because the tied model sees w_i . w_j = w_j . w_i.
- `omniscient` (Setting 3.1): q+ = q- = mean(G)/G[i, j], G = P(i,j) + k P(i)P(j): every pair then
  carries the same effective weight and QWEM becomes unweighted factorisation of M*.
- `sgns` (word2vec): subsampling keeps a word with probability a_i = clip(t/P(i) + sqrt(t/P(i)), 0, 1),
  and drawing negatives from P^(3/4) instead of P multiplies them by n_j = P(j)^(-1/4); with a and n
  each normalised to mean 1, q+ = a_i a_j and q- = (a_i n_j + a_j n_i)/2.
- `unigram`: q+ = q- = mean(P)^2 / (P(i)P(j)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse.linalg

from w2vtheory.statistics import pair_weight

REWEIGHTINGS = ("omniscient", "sgns", "unigram")

# Rows per block when summing over V x V pair tables, to keep temporaries small at large V.
_BLOCK_ROWS = 1024


@dataclass(frozen=True)
class PairWeights:
    """q+ and q- of one scheme: a dense symmetric table (used for both signs) or, when `table` is
    None, the separable form q+ = positive_i positive_j, q- = (centre_i context_j + centre_j context_i)/2."""

    table: np.ndarray | None
    positive: np.ndarray
    negative_centre: np.ndarray
    negative_context: np.ndarray

    def positive_block(self, rows: slice) -> np.ndarray:
        if self.table is not None:
            return self.table[rows]
        return np.outer(self.positive[rows], self.positive)

    def negative_block(self, rows: slice) -> np.ndarray:
        if self.table is not None:
            return self.table[rows]
        centre, context = self.negative_centre, self.negative_context
        return 0.5 * (np.outer(centre[rows], context) + np.outer(context[rows], centre))


def _mean_normalised(values: np.ndarray) -> np.ndarray:
    return values / values.mean()


def subsampling_keep_probability(unigram: np.ndarray, subsample_t: float) -> np.ndarray:
    """word2vec's keep probability a_i = clip(t/P(i) + sqrt(t/P(i)), 0, 1)."""
    ratio = subsample_t / np.asarray(unigram, dtype=np.float64)
    return np.clip(ratio + np.sqrt(ratio), 0.0, 1.0)


def omniscient_weights(joint: np.ndarray, unigram: np.ndarray, negative_weight: float) -> PairWeights:
    """q = mean(G)/G (float64 V x V table)."""
    table = pair_weight(joint, unigram, negative_weight)
    mean = table.mean()
    np.divide(mean, table, out=table)
    ones = np.ones(len(unigram))
    return PairWeights(table, ones, ones, ones)


def sgns_weights(unigram: np.ndarray, subsample_t: float) -> PairWeights:
    keep = _mean_normalised(subsampling_keep_probability(unigram, subsample_t))
    smoothing = _mean_normalised(np.asarray(unigram, dtype=np.float64) ** -0.25)
    return PairWeights(None, keep, keep, smoothing)


def unigram_weights(unigram: np.ndarray) -> PairWeights:
    """q = mean(P)^2/(P(i)P(j)), the separable product of u_i = mean(P)/P(i)."""
    probability = np.asarray(unigram, dtype=np.float64)
    inverse = probability.mean() / probability
    return PairWeights(None, inverse, inverse, inverse)


def pair_weights(
    scheme: str, joint: np.ndarray, unigram: np.ndarray, negative_weight: float, subsample_t: float
) -> PairWeights:
    if scheme == "omniscient":
        return omniscient_weights(joint, unigram, negative_weight)
    if scheme == "sgns":
        return sgns_weights(unigram, subsample_t)
    if scheme == "unigram":
        return unigram_weights(unigram)
    raise ValueError(f"unknown reweighting {scheme!r}; use one of {REWEIGHTINGS}")


# The authors' normalisers for the `sgns` and `unigram` reweightings: fixed constants, whatever the
# corpus (their trainer's values; a learning rate means the same step only with the same constant).
SGNS_REWEIGHT_NORMALISER = -0.12
UNIGRAM_REWEIGHT_NORMALISER = -0.5
# The floor inside the log of the omniscient-SGNS normaliser (the authors' e^-5).
SGNS_TARGET_FLOOR = math.exp(-5.0)


def loss_normaliser(loss: str, reweight: str, joint: np.ndarray, unigram: np.ndarray, negative_weight: float) -> float:
    """The authors' min_loss: SGD descends 1 - batch_loss/min_loss, so a learning rate means their step.

    - omniscient QWEM: -mean(M*^2) (M* with the run's k);
    - omniscient SGNS: -mean(log(P(i,j)/(k P(i)P(j)) + e^-5)^2), SGNS's own target;
    - `sgns` reweighting: -0.12, and `unigram`: -0.5, for either loss.
    With it, omniscient QWEM's expected normalised loss is 1 - mean(G) V^2 sum_k(2 lambda_k s_k^2 - s_k^4)
    / (4 ||M*||^2) (`w2vtheory.theory.normalised_loss_theory`), which starts at 1 (docs/paper.md section 3).
    """
    if reweight == "sgns":
        return SGNS_REWEIGHT_NORMALISER
    if reweight == "unigram":
        return UNIGRAM_REWEIGHT_NORMALISER
    if reweight != "omniscient":
        raise ValueError(f"unknown reweighting {reweight!r}; use one of {REWEIGHTINGS}")
    unigram = np.asarray(unigram, dtype=np.float64)
    total = 0.0
    for start in range(0, len(unigram), _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        independent = negative_weight * np.outer(unigram[rows], unigram)
        if loss == "qwem":
            target = 2.0 * (joint[rows] - independent) / (joint[rows] + independent)
        elif loss == "sgns":
            target = np.log(joint[rows] / independent + SGNS_TARGET_FLOOR)
        else:
            raise ValueError(f"unknown loss {loss!r}")
        total += float(np.sum(target**2))
    return -total / len(unigram) ** 2


def expected_pair_tables(
    weights: PairWeights, joint: np.ndarray, unigram: np.ndarray, negative_weight: float, dtype: str = "float64"
) -> tuple[np.ndarray, np.ndarray]:
    """The dense V x V weights of the expected batch loss, sum_ij [A+ l+(x_ij) + A- l-(x_ij)]:
    A+ = q+ P(i,j) on positive pairs and A- = k q- P(i)P(j) on negative pairs (both symmetric)."""
    unigram = np.asarray(unigram, dtype=np.float64)
    positive = np.empty(joint.shape, dtype=dtype)
    negative = np.empty(joint.shape, dtype=dtype)
    for start in range(0, len(unigram), _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        positive[rows] = weights.positive_block(rows) * joint[rows]
        negative[rows] = weights.negative_block(rows) * (negative_weight * np.outer(unigram[rows], unigram))
    return positive, negative


def signed_weight_top_eigenvalue(
    weights: PairWeights, joint: np.ndarray, unigram: np.ndarray, negative_weight: float
) -> float:
    """lambda_1(D), the largest eigenvalue of the signed pair weights D = A+ - A- of
    `expected_pair_tables`: the rate at which the expected loss's gradient grows W's fastest
    direction near W = 0 (`w2vtheory.theory.time_per_step`). Lanczos on products with D, formed a
    block of rows at a time (or, for separable weights, from the factors), never as a V x V table."""
    unigram = np.asarray(unigram, dtype=np.float64)
    vocab_size = len(unigram)

    def product(vector: np.ndarray) -> np.ndarray:
        vector = np.ravel(vector)
        if weights.table is None:
            centre, context = weights.negative_centre * unigram, weights.negative_context * unigram
            positive = weights.positive * (joint @ (weights.positive * vector))
            return positive - 0.5 * negative_weight * (centre * (context @ vector) + context * (centre @ vector))
        result = np.empty(vocab_size)
        for start in range(0, vocab_size, _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            signed = weights.positive_block(rows) * joint[rows]
            signed -= weights.negative_block(rows) * (negative_weight * np.outer(unigram[rows], unigram))
            result[rows] = signed @ vector
        return result

    operator = scipy.sparse.linalg.LinearOperator((vocab_size, vocab_size), matvec=product, dtype=np.float64)
    start_vector = np.full(vocab_size, 1.0 / np.sqrt(vocab_size))
    return float(scipy.sparse.linalg.eigsh(operator, k=1, which="LA", v0=start_vector, return_eigenvectors=False)[0])
