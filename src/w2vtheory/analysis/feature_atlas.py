"""What each eigenfeature of M* means, and when training learns it (docs/paper.md sections 4-5).

For component k: the predicted step time tau_k of small-init gradient flow, and the words with the
largest and the smallest entries of the eigenvector among the most frequent words. Needs only the
spectrum and the run config, so the atlas exists before any training.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from w2vtheory.errors import InputError
from w2vtheory.theory.dynamics import tau

WORDS_PER_END = 20
FREQUENT_WORDS = 4_000


def end_words(
    vector: np.ndarray, words: Sequence[str], n_words: int = WORDS_PER_END, n_frequent: int = FREQUENT_WORDS
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(largest, smallest) entries of `vector` among the first `n_frequent` words (vocab order is
    frequency order), n_words each as (word, value), from the extreme inwards."""
    values = np.asarray(vector)[:n_frequent]
    order = np.argsort(values, kind="stable")
    largest = [(words[i], float(values[i])) for i in order[::-1][:n_words]]
    smallest = [(words[i], float(values[i])) for i in order[:n_words]]
    return largest, smallest


def word_ends_table(
    directions: np.ndarray, words: Sequence[str], n_words: int = WORDS_PER_END, n_frequent: int = FREQUENT_WORDS
) -> pd.DataFrame:
    """DataFrame(component, end, rank, word, value): the words at both ends of each column."""
    rows = []
    for column in range(directions.shape[1]):
        largest, smallest = end_words(directions[:, column], words, n_words, n_frequent)
        for end, listed in (("top", largest), ("bottom", smallest)):
            rows.extend(
                {"component": column + 1, "end": end, "rank": rank, "word": word, "value": value}
                for rank, (word, value) in enumerate(listed, start=1)
            )
    return pd.DataFrame(rows)


def feature_atlas(
    eigvals: np.ndarray,
    eigvecs: np.ndarray,
    words: Sequence[str],
    s0: float,
    n_components: int,
    n_words: int = WORDS_PER_END,
    n_frequent: int = FREQUENT_WORDS,
) -> pd.DataFrame:
    """DataFrame(component, eigenvalue, tau, end, rank, word, value) for the top n_components
    eigenvectors of M*; tau is in theory time (docs/paper.md section 4), inf for modes never learned."""
    if eigvecs.shape[0] != len(words):
        raise InputError(f"the eigenvectors have {eigvecs.shape[0]} rows but the vocabulary has {len(words)} words")
    n_components = min(n_components, eigvecs.shape[1])
    table = word_ends_table(eigvecs[:, :n_components], words, n_words, n_frequent)
    times = tau(eigvals[:n_components], s0)
    table.insert(1, "eigenvalue", eigvals[table["component"] - 1])
    table.insert(2, "tau", times[table["component"] - 1])
    return table
