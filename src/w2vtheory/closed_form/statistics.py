"""Corpus statistics built from the counts (docs/paper.md section 2): P(i), P(i,j), M*, PMI, PPMI,
the pair-weight matrix G and the authors' pair-ratio matrix P(i,j)/(P(i)P(j)) + 1, all float64 in
vocabulary order.

At V = 10k every V x V float64 matrix is 800 MB, so each function allocates its result once and
works in place on it (no V x V temporaries beyond the result); inputs are never modified.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError
from w2vtheory.finite import load_npy

# The authors' floor inside the PMI logarithm, added to the ratio P(i,j)/(P(i)P(j)): a pair never
# seen together gets the finite PMI log(1e-25) = -57.6, whatever the words' frequencies.
PMI_FLOOR = 1e-25
# Rows per block where a formula needs a temporary the size of its block (20 MB at V = 10k).
_ROW_BLOCK = 256


def _check_negative_weight(negative_weight: float) -> float:
    if not np.isfinite(negative_weight) or negative_weight <= 0:
        raise InputError(
            f"negative_weight = {negative_weight!r}: the negative-sample weight k must be > 0 (paper: 1 or 2)"
        )
    return float(negative_weight)


def _check_square(joint: np.ndarray, unigram: np.ndarray) -> None:
    if joint.ndim != 2 or joint.shape != (len(unigram), len(unigram)):
        raise ValueError(f"joint has shape {joint.shape} but unigram has {len(unigram)} words")


def unigram_probability(counts: np.ndarray) -> np.ndarray:
    """P(i): each word's share of the (in-vocabulary) tokens."""
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    if np.any(counts < 0) or total <= 0:
        raise ValueError("unigram counts must be non-negative with a positive total")
    return counts / total


def joint_probability(cooccurrence: np.ndarray, n_pairs: int, window: int) -> np.ndarray:
    """P(i,j) = C[i,j] / (N (L + 1) / 2): the weights average (L + 1) / 2 per ordered pair, so P sums to about 1."""
    if n_pairs <= 0:
        raise InputError(
            f"n_pairs = {n_pairs}: the corpus has no word pairs within the window; "
            "use a corpus with documents longer than one token"
        )
    return np.divide(cooccurrence, n_pairs * (window + 1) / 2, dtype=np.float64)


def _independent_joint(unigram: np.ndarray, negative_weight: float) -> np.ndarray:
    """k P(i) P(j) as a new V x V array."""
    unigram = np.asarray(unigram, dtype=np.float64)
    product = np.outer(unigram, unigram)
    product *= negative_weight
    return product


def pair_weight(joint: np.ndarray, unigram: np.ndarray, negative_weight: float = 1.0) -> np.ndarray:
    """G[i,j] = P(i,j) + k P(i) P(j): the total weight SGNS gives pair (i, j) (positive plus negative)."""
    _check_square(joint, unigram)
    weight = _independent_joint(unigram, _check_negative_weight(negative_weight))
    weight += joint
    return weight


def mstar_from_weights(positive: np.ndarray, negative: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """(A+ - A-) / ((A+ + A-) / 2) elementwise, in [-2, 2]: M* of positive pair weights A+ = P(i,j) and
    negative ones A- = k P(i)P(j), or of any reweighted pair (in the inputs' dtype; into `out` if given)."""
    result = np.subtract(positive, negative, out=out)
    total = np.add(positive, negative)
    total *= 0.5
    result /= total
    return result


def mstar(joint: np.ndarray, unigram: np.ndarray, negative_weight: float = 1.0) -> np.ndarray:
    """M*[i,j] = (P(i,j) - k P(i)P(j)) / ((P(i,j) + k P(i)P(j)) / 2), in [-2, 2]; -2 for pairs never seen."""
    _check_square(joint, unigram)
    negative_weight = _check_negative_weight(negative_weight)
    unigram = np.asarray(unigram, dtype=np.float64)
    result = np.empty(joint.shape, dtype=np.float64)
    for start in range(0, len(unigram), _ROW_BLOCK):
        rows = slice(start, start + _ROW_BLOCK)
        independent = np.outer(unigram[rows], unigram)
        independent *= negative_weight
        mstar_from_weights(joint[rows], independent, out=result[rows])
    return result


def _independence_ratio(joint: np.ndarray, unigram: np.ndarray) -> np.ndarray:
    """P(i,j) / (P(i) P(j)) as a new V x V array (divided row and column in place: no V x V product)."""
    _check_square(joint, unigram)
    unigram = np.asarray(unigram, dtype=np.float64)
    result = np.divide(joint, unigram[:, None], dtype=np.float64)
    result /= unigram[None, :]
    return result


def pmi(joint: np.ndarray, unigram: np.ndarray, floor: float = PMI_FLOOR) -> np.ndarray:
    """log(P(i,j) / (P(i) P(j)) + floor), the authors' definition: the floor sits inside the ratio."""
    result = _independence_ratio(joint, unigram)
    result += floor
    np.log(result, out=result)
    return result


def ppmi(joint: np.ndarray, unigram: np.ndarray, floor: float = PMI_FLOOR) -> np.ndarray:
    """max(PMI, 0)."""
    result = pmi(joint, unigram, floor)
    np.maximum(result, 0.0, out=result)
    return result


def pair_ratio(joint: np.ndarray, unigram: np.ndarray) -> np.ndarray:
    """P(i,j) / (P(i) P(j)) + 1: the extra matrix whose spectrum the authors plot beside M*, PMI and PPMI
    (G / (P(i) P(j)) at k = 1, so never below 1)."""
    result = _independence_ratio(joint, unigram)
    result += 1.0
    return result


@dataclass(frozen=True)
class CorpusStatistics:
    """P(i,j) and P(i) of one experiment, with the window and pair count they were built from."""

    joint: np.ndarray  # P(i,j), V x V float64
    unigram: np.ndarray  # P(i), float64
    window: int
    n_pairs: int

    @property
    def vocab_size(self) -> int:
        return len(self.unigram)


def load_corpus_statistics(
    cooccurrence: str | os.PathLike[str], counts_summary: str | os.PathLike[str], vocab: str | os.PathLike[str]
) -> CorpusStatistics:
    """The one loader of an experiment's statistics: cooccurrence.npy, cooccurrence.json and vocab.tsv
    (whose counts are the in-vocabulary token counts, so P(i) is the unigram of the token stream)."""
    summary = json.loads(Path(counts_summary).read_text(encoding="utf-8"))
    _, counts = read_lexicon(vocab)
    matrix = load_npy(cooccurrence)
    if matrix.shape != (len(counts), len(counts)):
        raise InputError(
            f"{cooccurrence} is {matrix.shape[0]} x {matrix.shape[1]} but {vocab} lists {len(counts)} words"
        )
    window, n_pairs = int(summary["window"]), int(summary["n_pairs"])
    return CorpusStatistics(joint_probability(matrix, n_pairs, window), unigram_probability(counts), window, n_pairs)
