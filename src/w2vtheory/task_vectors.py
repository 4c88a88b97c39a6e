"""Analogy "task vectors" in the eigenbasis of M* (docs/paper.md section 6, Figs 4, 6 and 8).

For one analogy category, each in-vocabulary word pair (a, b) gives a task vector r = w_b - w_a,
where w are the rows of the closed-form embedding U_d diag(sqrt(lambda_d)) of M*, normalised to
unit length as the analogy protocol does (docs/paper.md section 5). Stacking the n task vectors of a
category as the rows of R_d (n x d), the spectrum of R_d R_d^T / d is a spike (the shared mean task
vector, which is what makes vector-addition analogies work) on top of a bulk of pair-specific noise.

The bulk is compared with a Marchenko-Pastur law. The noise coordinates are not isotropic: their
variance sigma_k^2 decays with the eigenvalue index k. Matching the first two spectral moments of
(1/d) X X^T with X (n x d) having independent columns of variance sigma_k^2 to those of an isotropic
Wishart matrix gives an MP law with
    scale s = sum_k sigma_k^2 / d,    ratio n / d_eff,    d_eff = (sum_k sigma_k^2)^2 / sum_k sigma_k^4,
(the participation ratio of the noise variances): mean eigenvalue s and eigenvalue variance
s^2 n / d_eff in both. The sigma_k^2 are the column variances of R_d after removing the mean task
vector, and sigma_k^4 is estimated without bias for Gaussian samples, S^4 (n - 1) / (n + 1), so the
fit has no free parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from w2vtheory.embeddings import closed_form_embedding
from w2vtheory.errors import InputError
from w2vtheory.evaluation import distinct_pairs, unit_rows
from w2vtheory.evaluation_sets import AnalogyQuestion

# The paper's largest embedding dimension in Figs 4 and 8.
MAX_DIM = 4096
# Relative size below which an eigenvalue of R R^T / d counts as zero when taking the rank.
RANK_TOLERANCE = 1e-10


@dataclass(frozen=True)
class WordPairs:
    """The distinct in-vocabulary pairs (a, b) of one category, as vocabulary indices."""

    first: np.ndarray
    second: np.ndarray

    def __len__(self) -> int:
        return len(self.first)


def category_pairs(questions: Sequence[AnalogyQuestion], word_index: Mapping[str, int]) -> WordPairs:
    """Distinct (a, b) pairs from both halves of every question, both words in the vocabulary,
    in order of first appearance (the pair protocol of docs/paper.md section 5)."""
    known = [(word_index[a], word_index[b]) for a, b in distinct_pairs(questions) if a in word_index and b in word_index]
    pairs = np.array(known, dtype=np.int64).reshape(-1, 2)
    return WordPairs(first=pairs[:, 0], second=pairs[:, 1])


def select_category(
    questions: Mapping[str, Sequence[AnalogyQuestion]], category: str, word_index: Mapping[str, int], source: str
) -> WordPairs:
    """The pairs of `category`; InputError if it is unknown or has fewer than 2 pairs."""
    if category not in questions:
        raise InputError(
            f"analogy category `{category}` is not in {source}; known categories: {', '.join(questions)} "
            "(config key `figures.task_vectors`)"
        )
    pairs = category_pairs(questions[category], word_index)
    if len(pairs) < 2:
        raise InputError(
            f"analogy category `{category}` has {len(pairs)} in-vocabulary word pairs, at least 2 are needed; "
            "choose another category under `figures.task_vectors` or a larger vocab_size"
        )
    return pairs


def normalized_embedding(eigvals: np.ndarray, eigvecs: np.ndarray, dim: int) -> np.ndarray:
    """Rows of U_d diag(sqrt(lambda_d)) scaled to unit length (zero rows stay zero)."""
    return unit_rows(closed_form_embedding(eigvals, eigvecs, dim))


def task_vectors(embedding: np.ndarray, pairs: WordPairs) -> np.ndarray:
    """R (n_pairs x d): one row w_b - w_a per pair."""
    return embedding[pairs.second] - embedding[pairs.first]


def task_vector_spectrum(task_matrix: np.ndarray) -> np.ndarray:
    """Eigenvalues of R R^T / d, descending (n of them; n - d are zero when n > d)."""
    dim = task_matrix.shape[1]
    gram = task_matrix @ task_matrix.T / dim
    return np.clip(np.linalg.eigvalsh(gram)[::-1], 0.0, None)


def spectral_rank(spectrum: np.ndarray) -> int:
    return int(np.count_nonzero(spectrum > RANK_TOLERANCE * spectrum.max())) if spectrum.max() > 0 else 0


def signal_to_noise(spectrum: np.ndarray) -> float:
    """lambda_max / (Tr / rank): the spike over the mean non-zero eigenvalue."""
    rank = spectral_rank(spectrum)
    if rank == 0:
        return float("nan")
    return float(spectrum[0] / (spectrum.sum() / rank))


@dataclass(frozen=True)
class MarchenkoPastur:
    """MP law of eigenvalues with mean `scale` and aspect ratio `ratio` = n / d_eff."""

    scale: float
    ratio: float
    effective_dim: float

    @property
    def lower_edge(self) -> float:
        return self.scale * (1.0 - np.sqrt(self.ratio)) ** 2

    @property
    def upper_edge(self) -> float:
        return self.scale * (1.0 + np.sqrt(self.ratio)) ** 2

    @property
    def zero_mass(self) -> float:
        """Fraction of eigenvalues at 0 when n > d_eff."""
        return max(0.0, 1.0 - 1.0 / self.ratio)

    def density(self, x: np.ndarray) -> np.ndarray:
        """Density of the continuous part (it integrates to 1 - zero_mass)."""
        x = np.asarray(x, dtype=np.float64)
        inside = (x > self.lower_edge) & (x < self.upper_edge)
        safe_x = np.where(inside, x, 1.0)
        values = np.sqrt(np.clip((self.upper_edge - safe_x) * (safe_x - self.lower_edge), 0.0, None)) / (
            2.0 * np.pi * self.scale * self.ratio * safe_x
        )
        return np.where(inside, values, 0.0)


def fit_marchenko_pastur(task_matrix: np.ndarray) -> MarchenkoPastur:
    """MP law of the noise bulk of R R^T / d, from the column variances of R around its mean row
    (see the module docstring for the derivation of the effective dimension)."""
    n_pairs, dim = task_matrix.shape
    if n_pairs < 3:
        raise InputError(f"a Marchenko-Pastur fit needs at least 3 task vectors, got {n_pairs}")
    variances = task_matrix.var(axis=0, ddof=1)
    total = variances.sum()
    fourth_moment = (variances**2).sum() * (n_pairs - 1) / (n_pairs + 1)
    effective_dim = float(total**2 / fourth_moment)
    return MarchenkoPastur(scale=float(total / dim), ratio=n_pairs / effective_dim, effective_dim=effective_dim)


def mean_vector_projection(task_matrix: np.ndarray) -> np.ndarray:
    """Share of the mean task vector's squared length on each eigenfeature k (sums to 1)."""
    mean = task_matrix.mean(axis=0)
    return mean**2 / np.dot(mean, mean)


@dataclass(frozen=True)
class AnalogyScores:
    """Per analogy ((a, b), (a', b')), in row-major order over ordered pairs of distinct pairs."""

    correct: np.ndarray  # bool: argmax over words other than a, b, a' is b'
    target_cosine: np.ndarray  # cos(b^ - a^ + a'^, b'^)
    best_other_cosine: np.ndarray  # largest cosine to a word other than a, b, a', b'


def pair_analogy_scores(unit_embedding: np.ndarray, pairs: WordPairs) -> AnalogyScores:
    """Score every ordered pair of distinct pairs with 3CosAdd on a row-normalised embedding."""
    n_pairs = len(pairs)
    firsts, seconds = pairs.first, pairs.second
    first_similarity = unit_embedding[firsts] @ unit_embedding.T  # n x V
    second_similarity = unit_embedding[seconds] @ unit_embedding.T
    others = np.arange(n_pairs)
    correct, target, best_other = [], [], []
    for i in range(n_pairs):
        j = others[others != i]
        # cos(p, w) * |p| for p = b^ - a^ + a'^, every word w, one row per a' = firsts[j]
        scores = second_similarity[i] - first_similarity[i] + first_similarity[j]
        points = unit_embedding[seconds[i]] - unit_embedding[firsts[i]] + unit_embedding[firsts[j]]
        norms = np.linalg.norm(points, axis=1)
        norms = np.where(norms > 0, norms, 1.0)
        rows = np.arange(len(j))
        target_scores = scores[rows, seconds[j]]
        scores[:, firsts[i]] = -np.inf
        scores[:, seconds[i]] = -np.inf
        scores[rows, firsts[j]] = -np.inf
        correct.append(np.argmax(scores, axis=1) == seconds[j])
        scores[rows, seconds[j]] = -np.inf
        target.append(target_scores / norms)
        best_other.append(scores.max(axis=1) / norms)
    return AnalogyScores(
        correct=np.concatenate(correct), target_cosine=np.concatenate(target), best_other_cosine=np.concatenate(best_other)
    )


def sweep_dimensions(max_dim: int, smallest: int = 4, largest: int = MAX_DIM) -> list[int]:
    """Powers of two from `smallest` up to min(largest, max_dim), and that cap itself."""
    cap = min(largest, max_dim)
    if cap < smallest:
        raise InputError(
            f"the task-vector sweep needs at least {smallest} eigenpairs of M*, only {max_dim} were computed "
            "(raise the experiment's `n_eigenpairs`)"
        )
    dims = [2**p for p in range(int(np.log2(smallest)), int(np.log2(cap)) + 1)]
    return dims if dims[-1] == cap else [*dims, cap]


def dimension_sweep(
    eigvals: np.ndarray, eigvecs: np.ndarray, categories: Mapping[str, WordPairs], dims: Sequence[int]
) -> pd.DataFrame:
    """Per category and embedding dimension d: SNR of R_d R_d^T / d, pair-analogy accuracy, and the
    mean target cosine and its ratio to the best non-analogy cosine (Figs 4 and 8)."""
    rows = []
    for dim in dims:
        unit_embedding = normalized_embedding(eigvals, eigvecs, dim)
        for category, pairs in categories.items():
            scores = pair_analogy_scores(unit_embedding, pairs)
            spectrum = task_vector_spectrum(task_vectors(unit_embedding, pairs))
            rows.append(
                {
                    "category": category,
                    "dim": dim,
                    "n_pairs": len(pairs),
                    "n_analogies": len(scores.correct),
                    "snr": signal_to_noise(spectrum),
                    "accuracy": float(scores.correct.mean()),
                    "mean_target_cosine": float(scores.target_cosine.mean()),
                    "mean_cosine_ratio": float((scores.target_cosine / scores.best_other_cosine).mean()),
                }
            )
    return pd.DataFrame(rows)
