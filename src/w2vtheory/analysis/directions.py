"""Principal directions of an embedding (docs/paper.md sections 5-6, Figs 3a and 5).

One SVD per trained W gives its left singular vectors U (V x d, the directions over words) and
singular values S. Fig 3a reads the words at both ends of each column of U S with every row scaled
to unit length (the authors' fig3 notebook: the analogy geometry is that of unit rows); Fig 5
compares the directions U of two models through their squared overlaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from w2vtheory.analysis.feature_atlas import word_ends_table
from w2vtheory.closed_form.spectra import fix_signs
from w2vtheory.evaluation.scoring import unit_rows


def singular_directions(embedding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U, S) of W = U S R^T: left singular vectors with the spectra's signs, singular values descending."""
    left, values, _ = np.linalg.svd(np.asarray(embedding, dtype=np.float64), full_matrices=False)
    return fix_signs(left), values


def principal_coordinates(left: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Rows of U S scaled to unit length: each word's direction in the principal basis."""
    return unit_rows(left * values)


def overlap_matrix(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """(v_i . v~_j)^2 for orthonormal columns v_i of `reference` and v~_j of `other`."""
    return (reference.T @ other) ** 2


def principal_words_table(
    coordinates: Mapping[str, np.ndarray], words: Sequence[str], n_components: int, n_words: int
) -> pd.DataFrame:
    """Tidy DataFrame(model, component, end, rank, word, value): for each model's principal
    coordinates (V x k, rows of unit length), the words at both ends of the first n_components
    columns among the most frequent words (`w2vtheory.analysis.feature_atlas.word_ends_table`)."""
    frames = [
        word_ends_table(columns[:, :n_components], words, n_words).assign(model=model)
        for model, columns in coordinates.items()
    ]
    return pd.concat(frames, ignore_index=True)[["model", "component", "end", "rank", "word", "value"]]


def overlap_table(reference: np.ndarray, others: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Tidy DataFrame(comparison, i, j, overlap) of (v_i . v~_j)^2, i and j from 1."""
    frames = []
    for name, directions in others.items():
        overlaps = overlap_matrix(reference, directions)
        i, j = np.indices(overlaps.shape)
        frames.append(
            pd.DataFrame({"comparison": name, "i": i.ravel() + 1, "j": j.ravel() + 1, "overlap": overlaps.ravel()})
        )
    return pd.concat(frames, ignore_index=True)
