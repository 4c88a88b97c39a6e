"""Analogy "task vectors" in the eigenbasis of M* (docs/paper.md section 6, Figs 4, 6 and 8).

For one analogy category, each in-vocabulary word pair (a, b) gives a task vector r = w_b - w_a,
where w are the *raw* rows of the closed-form embedding W_d = U_d diag(sqrt(lambda_d)) of M* (the
authors' definition: the rows are not normalised here, only in the analogy protocol). Stacking the
n task vectors of a category as the rows of R_d (n x d), the spectrum of R_d R_d^T / d is a spike
(the shared mean task vector, which is what makes vector-addition analogies work) on top of a bulk
of pair-specific noise, and SNR = lambda_max / (Tr / rank) measures the spike against the bulk.

The bulk is compared with a Marchenko-Pastur law of scale sigma^2 (the mean square entry of R_d
after removing the mean task vector) and aspect ratio gamma = n / d_eff, with d_eff chosen as the
authors do (`fit_upper_edge`): the law's upper edge sigma^2 (1 + sqrt(gamma))^2 is put at the
second-largest eigenvalue of the centred R_d R_d^T / d (the largest is left out as an outlier).
The authors then scale d_eff by a hand-chosen factor per d (0.6 to 1.3); we do not.
`ks_distance` records how well the law describes the bulk. (A moment-matched d_eff, the
participation ratio of the column variances, was tried too and described the bulk no better:
on the default run it had the smaller distance in 9 of 20 (category, d) cases of Figs 4 and 6.)

Fig 8 scores each analogy ((a, b), (a', b')) by cos(b' , x) for the predicted point x = b^ - a^ + a'^
(^: unit rows) and by that cosine divided by the largest cosine of b' with any word other than
a, b, a', b' (the authors' appx-top1 notebook).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from w2vtheory.closed_form.embeddings import closed_form_embedding
from w2vtheory.errors import InputError
from w2vtheory.evaluation.datasets import AnalogyQuestion
from w2vtheory.evaluation.scoring import distinct_pairs, unit_rows

# The paper's largest embedding dimension in Figs 4 and 8.
MAX_DIM = 4096
# The authors' sweep: 21 dimensions from 2^2 to 2^12, evenly spaced in log d (np.logspace, truncated).
SWEEP_EXPONENTS = np.linspace(2.0, 12.0, 21)
# The authors show the mean task vector's localisation at d = 100.
LOCALISATION_DIM = 100
# Relative size below which an eigenvalue of R R^T / d counts as zero when taking the rank.
RANK_TOLERANCE = 1e-10
# Points of each fitted density in the spectra table.
DENSITY_POINTS = 400


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
    known = [
        (word_index[a], word_index[b]) for a, b in distinct_pairs(questions) if a in word_index and b in word_index
    ]
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


def select_categories(
    questions: Mapping[str, Sequence[AnalogyQuestion]], words: Sequence[str], names: Sequence[str], source: str
) -> dict[str, WordPairs]:
    """The named categories' pairs, in the given order (each name once)."""
    index = {word: position for position, word in reversed(list(enumerate(words)))}
    return {name: select_category(questions, name, index, source) for name in dict.fromkeys(names)}


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

    def cdf(self, x: np.ndarray, points: int = 4001) -> np.ndarray:
        """P(eigenvalue <= x), the continuous part integrated numerically (trapezoids on a fine grid)."""
        grid = np.linspace(self.lower_edge, self.upper_edge, points)
        density = self.density(grid)
        cumulative = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(grid))])
        cumulative *= (1.0 - self.zero_mass) / cumulative[-1] if cumulative[-1] > 0 else 0.0
        x = np.asarray(x, dtype=np.float64)
        return np.where(x >= 0, self.zero_mass, 0.0) + np.interp(x, grid, cumulative, left=0.0)


def _centred(task_matrix: np.ndarray) -> np.ndarray:
    return task_matrix - task_matrix.mean(axis=0, keepdims=True)


def _check_fit_size(task_matrix: np.ndarray) -> None:
    if task_matrix.shape[0] < 3:
        raise InputError(f"a Marchenko-Pastur fit needs at least 3 task vectors, got {task_matrix.shape[0]}")


def fit_upper_edge(task_matrix: np.ndarray) -> MarchenkoPastur:
    """The authors' fit: scale sigma^2 = mean square of the centred R, and gamma chosen so that the
    upper edge sigma^2 (1 + sqrt(gamma))^2 is the second-largest eigenvalue of the centred R R^T / d."""
    _check_fit_size(task_matrix)
    n_pairs, dim = task_matrix.shape
    centred = _centred(task_matrix)
    scale = float(np.mean(centred**2))
    edge = float(np.linalg.eigvalsh(centred @ centred.T / dim)[-2])
    if not edge > scale:
        raise InputError(
            f"the second-largest eigenvalue {edge:.4g} of the centred task vectors' R R^T / d does not exceed "
            f"their mean square {scale:.4g}: no Marchenko-Pastur law has its upper edge there"
        )
    ratio = (np.sqrt(edge / scale) - 1.0) ** 2
    return MarchenkoPastur(scale=scale, ratio=float(ratio), effective_dim=float(n_pairs / ratio))


def ks_distance(bulk: np.ndarray, law: MarchenkoPastur) -> float:
    """Kolmogorov-Smirnov distance between the eigenvalues `bulk` and the law: the largest gap
    between the empirical and the law's distribution function, on either side of each eigenvalue."""
    values = np.sort(np.asarray(bulk, dtype=np.float64))
    law_cdf = law.cdf(values)
    steps = np.arange(1, len(values) + 1) / len(values)
    return float(max(np.max(np.abs(steps - law_cdf)), np.max(np.abs(steps - 1 / len(values) - law_cdf))))


def mean_vector_projection(task_matrix: np.ndarray) -> np.ndarray:
    """Share of the mean task vector's squared length on each eigenfeature k (sums to 1)."""
    mean = task_matrix.mean(axis=0)
    return mean**2 / np.dot(mean, mean)


@dataclass(frozen=True)
class AnalogyScores:
    """Per analogy ((a, b), (a', b')), in row-major order over ordered pairs of distinct pairs."""

    correct: np.ndarray  # bool: argmax over words other than a, b, a' is b'
    target_cosine: np.ndarray  # cos(b^ - a^ + a'^, b'^)
    best_other_cosine: np.ndarray  # largest cos(b'^, w^) over words w other than a, b, a', b'


def pair_analogy_scores(unit_embedding: np.ndarray, pairs: WordPairs) -> AnalogyScores:
    """Score every ordered pair of distinct pairs with 3CosAdd on a row-normalised embedding."""
    n_pairs = len(pairs)
    firsts, seconds = pairs.first, pairs.second
    first_similarity = unit_embedding[firsts] @ unit_embedding.T  # n x V
    second_similarity = unit_embedding[seconds] @ unit_embedding.T  # row j: cos(b'_j, every word)
    others = np.arange(n_pairs)
    correct, target, best_other = [], [], []
    for i in range(n_pairs):
        j = others[others != i]
        rows = np.arange(len(j))
        # cos(x, w) * |x| for x = b^ - a^ + a'^, every word w, one row per a' = firsts[j]
        scores = second_similarity[i] - first_similarity[i] + first_similarity[j]
        points = unit_embedding[seconds[i]] - unit_embedding[firsts[i]] + unit_embedding[firsts[j]]
        norms = np.linalg.norm(points, axis=1)
        norms = np.where(norms > 0, norms, 1.0)
        target.append(scores[rows, seconds[j]] / norms)
        scores[:, [firsts[i], seconds[i]]] = -np.inf
        scores[rows, firsts[j]] = -np.inf
        correct.append(np.argmax(scores, axis=1) == seconds[j])
        neighbours = second_similarity[j].copy()
        neighbours[:, [firsts[i], seconds[i]]] = -np.inf
        neighbours[rows, firsts[j]] = -np.inf
        neighbours[rows, seconds[j]] = -np.inf
        best_other.append(neighbours.max(axis=1))
    return AnalogyScores(
        correct=np.concatenate(correct),
        target_cosine=np.concatenate(target),
        best_other_cosine=np.concatenate(best_other),
    )


def sweep_dimensions(max_dim: int, smallest: int = 4, largest: int = MAX_DIM) -> list[int]:
    """The authors' 21 dimensions int(2^(2 + p/2)), p = 0..20, from `smallest` up to
    min(largest, max_dim), and that cap itself."""
    cap = min(largest, max_dim)
    if cap < smallest:
        raise InputError(
            f"the task-vector sweep needs at least {smallest} eigenpairs of M*, only {max_dim} were computed "
            "(raise the experiment's `n_eigenpairs`)"
        )
    grid = [int(dim) for dim in np.logspace(SWEEP_EXPONENTS[0], SWEEP_EXPONENTS[-1], len(SWEEP_EXPONENTS), base=2)]
    dims = sorted({dim for dim in grid if smallest <= dim <= cap})
    return dims if dims and dims[-1] == cap else [*dims, cap]


def dimension_sweep(
    eigvals: np.ndarray, eigvecs: np.ndarray, categories: Mapping[str, WordPairs], dims: Sequence[int]
) -> pd.DataFrame:
    """Per category and embedding dimension d: SNR of the raw R_d R_d^T / d, pair-analogy accuracy,
    the mean target cosine and the mean of its ratio to the target's best other cosine (Figs 4, 8)."""
    rows = []
    for dim in dims:
        embedding = closed_form_embedding(eigvals, eigvecs, dim)
        unit_embedding = unit_rows(embedding)
        for category, pairs in categories.items():
            scores = pair_analogy_scores(unit_embedding, pairs)
            spectrum = task_vector_spectrum(task_vectors(embedding, pairs))
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


def available_dims(requested: Sequence[int], n_eigenpairs: int) -> list[int]:
    """The requested dimensions that fit the computed eigenpairs (else the largest that does)."""
    cap = min(MAX_DIM, n_eigenpairs)
    fitting = sorted(dim for dim in requested if dim <= cap)
    return fitting or [cap]


def _fit_rows(task_matrix: np.ndarray, spectrum: np.ndarray) -> list[pd.DataFrame]:
    """The MP fit's density "mp_density" (x = eigenvalue) and parameters (x empty); none for fewer
    than 3 pairs (a spike and a one-eigenvalue bulk have no law to fit)."""
    if task_matrix.shape[0] < 3:
        return []
    law = fit_upper_edge(task_matrix)
    grid = np.linspace(law.lower_edge, law.upper_edge, DENSITY_POINTS)
    parameters = {
        "mp_scale": law.scale,
        "mp_effective_dim": law.effective_dim,
        "mp_upper_edge": law.upper_edge,
        "mp_ks_distance": ks_distance(spectrum[1 : spectral_rank(spectrum)], law),
    }
    return [
        pd.DataFrame({"series": "mp_density", "x": grid, "y": law.density(grid)}),
        pd.DataFrame({"series": list(parameters), "x": np.nan, "y": list(parameters.values())}),
    ]


def task_vector_spectra(
    eigvals: np.ndarray,
    eigvecs: np.ndarray,
    categories: Mapping[str, WordPairs],
    dims: Sequence[int],
    localisation_dim: int = LOCALISATION_DIM,
) -> pd.DataFrame:
    """Tidy DataFrame(panel, category, dim, series, x, y) of Figs 4 and 6, for each category:
    panel "spectrum", at each d: series "eigenvalue" (x = index from 1, y = eigenvalue of the raw
    R_d R_d^T / d), "snr" (y), the MP fit's density "mp_density" (x = eigenvalue, y = density) and
    parameters "mp_scale", "mp_effective_dim", "mp_upper_edge", "mp_ks_distance" (y);
    panel "localisation", at d = localisation_dim (capped by the eigenpairs): series "mean_share"
    (x = eigenfeature k, y = share of the mean task vector's squared length)."""
    frames = []
    widest = closed_form_embedding(eigvals, eigvecs, max(*dims, min(localisation_dim, len(eigvals))))
    for category, pairs in categories.items():
        full = task_vectors(widest, pairs)
        for dim in dims:
            matrix = full[:, :dim]
            spectrum = task_vector_spectrum(matrix)
            pieces = [
                pd.DataFrame({"series": "eigenvalue", "x": np.arange(1, len(spectrum) + 1), "y": spectrum}),
                pd.DataFrame({"series": ["snr"], "x": [np.nan], "y": [signal_to_noise(spectrum)]}),
                *_fit_rows(matrix, spectrum),
            ]
            frames += [piece.assign(panel="spectrum", category=category, dim=dim) for piece in pieces]
        shown = min(localisation_dim, full.shape[1])
        share = mean_vector_projection(full[:, :shown])
        frames.append(
            pd.DataFrame({"series": "mean_share", "x": np.arange(1, shown + 1), "y": share}).assign(
                panel="localisation", category=category, dim=shown
            )
        )
    return pd.concat(frames, ignore_index=True)[["panel", "category", "dim", "series", "x", "y"]]
