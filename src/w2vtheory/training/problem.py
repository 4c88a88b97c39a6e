"""The data a run trains on: the token stream, the corpus statistics and the spectrum of M*."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from w2vtheory.closed_form.statistics import CorpusStatistics, load_corpus_statistics
from w2vtheory.errors import InputError
from w2vtheory.finite import load_npy


@dataclass(frozen=True)
class TrainingProblem:
    tokens: np.ndarray  # in-vocabulary token ids
    doc_offsets: np.ndarray
    statistics: CorpusStatistics
    negative_weight: float  # k
    dim: int
    mstar_eigvals: np.ndarray  # top eigenvalues of M* (at least dim), descending

    @property
    def vocab_size(self) -> int:
        return self.statistics.vocab_size

    @property
    def window(self) -> int:
        return self.statistics.window


def load_problem(
    tokens: str | os.PathLike[str],
    doc_offsets: str | os.PathLike[str],
    cooccurrence: str | os.PathLike[str],
    counts_summary: str | os.PathLike[str],
    vocab: str | os.PathLike[str],
    mstar_eigvals: str | os.PathLike[str],
    window: int,
    negative_weight: float,
    dim: int,
) -> TrainingProblem:
    """The experiment's files (results/<experiment>/...) as a TrainingProblem, checked for consistency."""
    statistics = load_corpus_statistics(cooccurrence, counts_summary, vocab)
    if statistics.window != window:
        raise InputError(
            f"{counts_summary} was counted with window {statistics.window} but the experiment's window is "
            f"{window}; rerun the counting rule (delete the file) so both agree"
        )
    eigvals = load_npy(mstar_eigvals)
    if len(eigvals) < dim:
        raise InputError(
            f"{mstar_eigvals} holds {len(eigvals)} eigenvalues, fewer than dim = {dim}; recompute the spectrum"
        )
    return TrainingProblem(load_npy(tokens), load_npy(doc_offsets), statistics, float(negative_weight), dim, eigvals)
