"""The accuracy the theory predicts over training (w2vtheory.theory.predicted_accuracy), on hand-made
spectra, and the workflow computing it before any training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_snakemake
from w2vtheory.closed_form.embeddings import closed_form_embedding
from w2vtheory.errors import InputError
from w2vtheory.evaluation.scoring import build_pair_analogies, pair_analogy_accuracy
from w2vtheory.theory.dynamics import singular_value_theory, tau
from w2vtheory.theory.predicted_accuracy import (
    GRID_END,
    evaluation_comparison,
    first_tau,
    prediction_start,
    prediction_table,
    prediction_times,
    theory_embedding,
)


def test_theory_embedding_scales_each_eigenvector_by_its_singular_value():
    eigvecs = np.array([[0.6, 0.0], [0.0, 1.0], [0.8, 0.0]])
    eigvals, s0 = np.array([2.0, 1.0]), 1e-3
    np.testing.assert_allclose(theory_embedding(eigvals, eigvecs, s0, 0.0), eigvecs * s0)
    # s_k(t)^2 -> lambda_k: long after every tau_k, W(t) is the closed form U diag(sqrt(lambda))
    late = theory_embedding(eigvals, eigvecs, s0, 100.0)
    np.testing.assert_allclose(late, closed_form_embedding(eigvals, eigvecs, 2), rtol=1e-12)


def test_first_tau_and_the_grid():
    eigvals, s0 = np.array([4.0, 1.0, -0.5]), 0.01
    assert first_tau(eigvals, s0) == pytest.approx(np.log(4.0 / 1e-4) / 4.0)
    times = prediction_times(eigvals, s0, n_points=11)
    # from the first mode's half-rise to GRID_END times the last finite tau (mode 3 is never learned)
    assert times[0] == prediction_start(eigvals, s0) > 0
    assert times[-1] == pytest.approx(GRID_END * np.log(1.0 / 1e-4))
    assert len(times) == 11
    with pytest.raises(InputError, match="learns no mode"):
        first_tau(np.array([1e-6]), 0.01)


def test_the_prediction_begins_when_the_first_mode_has_risen():
    """Before mode 1 reaches half of sqrt(lambda_1) the random start dominates W; from then on the
    learned part does."""
    eigvals, s0 = np.array([4.0, 1.0, -0.5]), 0.01
    start = prediction_start(eigvals, s0)
    assert singular_value_theory(start, eigvals, s0)[0] == pytest.approx(np.sqrt(eigvals[0]) / 2, rel=1e-9)
    assert 0 < start < first_tau(eigvals, s0)


def planted_embedding():
    """Eight words in 3 eigen-directions; pairs (0, 4), (1, 5), (2, 6), (3, 7) share the offset e_3."""
    rng = np.random.default_rng(0)
    base = rng.standard_normal((4, 2))
    vectors = np.concatenate([np.c_[base, np.zeros(4)], np.c_[base, np.full(4, 1.5)]])
    left, values, _ = np.linalg.svd(vectors, full_matrices=False)
    words = [f"w{i}" for i in range(8)]
    questions = {"c": [("w0", "w4", "w1", "w5"), ("w2", "w6", "w3", "w7")]}
    return values**2, left, build_pair_analogies(questions, words)


def test_prediction_ends_at_the_closed_form_accuracy_and_compares_with_evaluations():
    eigvals, eigvecs, analogies = planted_embedding()
    s0 = 1e-4
    correct, total = pair_analogy_accuracy(closed_form_embedding(eigvals, eigvecs, 3), analogies)
    table = prediction_table(eigvals, eigvecs, analogies, s0)
    assert table["predicted_accuracy"].iloc[-1] == pytest.approx(correct / total)
    np.testing.assert_allclose(table["t_over_tau1"], table["time"] / tau(eigvals[:1], s0)[0])
    evaluations = pd.DataFrame({"step": [0, 10], "time": [0.0, table["time"].iloc[-1]], "analogy_accuracy": [0.0, 0.5]})
    compared = evaluation_comparison(evaluations, eigvals, eigvecs, analogies, s0)
    np.testing.assert_allclose(compared["difference"], compared["measured_accuracy"] - compared["predicted_accuracy"])
    assert compared["predicted_accuracy"].iloc[1] == pytest.approx(correct / total)
    # at t = 0 the random start dominates: no prediction, where W(0) = s0 U_d would score as svd(M*)
    assert np.isnan(compared["predicted_accuracy"].iloc[0])


def test_the_prediction_is_planned_before_any_training(tiny_workdir):
    target = "results/tiny/analysis/runs/qwem/predicted_accuracy.csv"
    result = run_snakemake(tiny_workdir, target, "-n", "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    planned = result.stdout + result.stderr
    assert "predict_accuracy" in planned and "compute_spectrum" in planned
    assert "train_run" not in planned
