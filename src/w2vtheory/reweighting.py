"""Pair reweighting schemes of PAPER.md section 3 and the loss normaliser min_loss.

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

from dataclasses import dataclass

import numpy as np

from w2vtheory.losses import QUADRATIC_SCALE
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


def min_loss(loss: str, weights: PairWeights, joint: np.ndarray, unigram: np.ndarray, negative_weight: float) -> float:
    """The normaliser of the plotted and trained loss 1 - batch_loss/min_loss (negative).

    With H = q+ P(i,j) + k q- P(i)P(j) and D = q+ P(i,j) - k q- P(i)P(j), the expected QWEM batch
    loss sum_ij [q+ P (-x + x^2/4) + k q- P P (x + x^2/4)] is minimised over unconstrained
    symmetric x = w_i . w_j at x = 2D/H with value -sum_ij D^2/H. min_loss is twice that, times
    the loss's quadratic scale (1 for QWEM, 1/2 for SGNS):

        min_loss = -2 c sum_ij D^2 / H.

    For omniscient QWEM, H = mean(G) and D = mean(G) M*/2, so min_loss = -mean(G) ||M*||^2 / 2,
    which is -mean(M*^2) when k = 1 and P(i,j) sums to 1 (PAPER.md section 3); the factor 2 makes
    an SGD step of size lr on the normalised loss advance the theory time by exactly
    4 lr / (V^2 mean(M*^2)) (w2vtheory.theory). Other settings reuse the same definition with
    their own weights, so their normalised losses also start at 1 and descend at the theory's
    speed near W = 0.
    """
    unigram = np.asarray(unigram, dtype=np.float64)
    total = 0.0
    for start in range(0, len(unigram), _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        positive = weights.positive_block(rows) * joint[rows]
        negative = weights.negative_block(rows) * (negative_weight * np.outer(unigram[rows], unigram))
        total += float(np.sum((positive - negative) ** 2 / (positive + negative)))
    return -2.0 * QUADRATIC_SCALE[loss] * total
