"""The time axis shared by every objective (w2vtheory.training.objective.objective_clock) and the
fine record of singular values that shows the steps (singular_values.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tests.test_trainer import _config, _problem
from w2vtheory.analysis.snapshots import snapshot_steps
from w2vtheory.closed_form.statistics import mstar
from w2vtheory.theory import dynamics
from w2vtheory.training import build_objective, train
from w2vtheory.training.objective import objective_clock
from w2vtheory.training.outputs import singular_value_arrays
from w2vtheory.training.reweighting import expected_pair_tables, signed_weight_top_eigenvalue
from w2vtheory.training.steppers import ExactStepper


@pytest.mark.parametrize("k", [1.0, 2.0])
@pytest.mark.parametrize("loss", ["qwem", "sgns"])
@pytest.mark.parametrize("reweight", ["omniscient", "sgns", "unigram"])
def test_one_exact_step_advances_the_linearised_theory_by_the_recorded_time(loss, reweight, k):
    """Near W = 0 one exact step of learning rate lr grows W's fastest direction by the factor that
    the theory's linearised flow dW/dt = (1/2) M* W gives its top mode after the clock's t."""
    problem = _problem(40, 4, 40, dim=3, k=k)
    statistics = problem.statistics
    config = _config(loss=loss, reweight=reweight, exact=True, dtype="float64", subsample_t=1e-3)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    target = mstar(statistics.joint, statistics.unigram, k)
    mstar_eigvals, mstar_eigvecs = np.linalg.eigh(target)
    clock = objective_clock(objective, statistics, k, mstar_eigvals[-1])

    positive, negative = expected_pair_tables(objective.weights, statistics.joint, statistics.unigram, k)
    signed_eigvals, signed_eigvecs = np.linalg.eigh(positive - negative)
    assert clock.signed_weight_top == pytest.approx(signed_eigvals[-1], rel=1e-9)
    fastest = mstar_eigvecs[:, -1] if reweight == "omniscient" else signed_eigvecs[:, -1]

    lr, scale = 0.5, 1e-7
    W0 = scale * np.outer(fastest, [1.0, 0.0, 0.0])
    stepper = ExactStepper(W0, objective, torch.float64, torch.device("cpu"))
    stepper.step(0, lr, with_loss=False)
    growth = np.linalg.norm(stepper.embeddings()) / scale - 1.0
    t = lr * clock.time_per_unit_lr
    assert growth == pytest.approx(t * mstar_eigvals[-1] / 2.0, rel=1e-6)


def test_omniscient_weights_match_every_mode_and_the_authors_clock():
    """Setting 3.1's weights make the signed weights mean(G) M*/2: every eigenmode of M* grows at the
    theory's rate, and omniscient QWEM's clock is the authors' 2 lr mean(G) / mean(M*^2)."""
    problem = _problem(40, 4, 40, dim=3)
    statistics = problem.statistics
    objective = build_objective(problem.statistics, 1.0, _config(exact=True, dtype="float64"))
    target = mstar(statistics.joint, statistics.unigram, 1.0)
    eigvals, eigvecs = np.linalg.eigh(target)
    clock = objective_clock(objective, statistics, 1.0, eigvals[-1])
    assert clock.time_per_unit_lr == pytest.approx(2 * objective.mean_pair_weight / np.mean(target**2), rel=1e-12)
    assert clock.signed_weight_top == pytest.approx(
        signed_weight_top_eigenvalue(objective.weights, statistics.joint, statistics.unigram, 1.0), rel=1e-8
    )
    for mode in (-1, -2, -3):
        W0 = 1e-7 * np.outer(eigvecs[:, mode], [1.0, 0.0, 0.0])
        stepper = ExactStepper(W0, objective, torch.float64, torch.device("cpu"))
        stepper.step(0, 0.5, with_loss=False)
        growth = np.linalg.norm(stepper.embeddings()) / 1e-7 - 1.0
        assert growth == pytest.approx(0.5 * clock.time_per_unit_lr * eigvals[mode] / 2.0, rel=1e-6)


def test_the_sgns_loss_runs_on_half_the_quartic_clock():
    problem = _problem(40, 4, 40, dim=3)
    statistics, top = problem.statistics, problem.mstar_eigvals[0]
    quartic = objective_clock(build_objective(statistics, 1.0, _config(reweight="sgns")), statistics, 1.0, top)
    sgns = objective_clock(
        build_objective(statistics, 1.0, _config(loss="sgns", reweight="sgns")), statistics, 1.0, top
    )
    assert sgns.time_per_unit_lr == pytest.approx(quartic.time_per_unit_lr / 2, rel=1e-12)
    assert dynamics.time_per_step(3.0, "sgns", 2.0, -0.5, 4.0) == pytest.approx(4 * 0.5 * 3.0 * 2.0 / (0.5 * 4.0))


@pytest.mark.parametrize("settings", [{}, {"exact": True, "dtype": "float32", "lr": 20.0}])
def test_the_singular_value_record_matches_the_checkpoints(tmp_path, settings):
    problem = _problem(40, 4, 40, dim=4)
    config = _config(singular_values_every=1, steps=120, n_checkpoints=8, **settings)
    train(config, problem, tmp_path, progress=False)
    records = pd.read_csv(tmp_path / "singular_values.csv")
    steps, values = singular_value_arrays(records)
    assert steps.tolist() == list(range(121))
    checkpoints = pd.read_csv(tmp_path / "checkpoints.csv")
    for step, name in zip(checkpoints["step"], checkpoints["file"]):
        expected = np.linalg.svd(np.load(tmp_path / name).astype(np.float64), compute_uv=False)
        np.testing.assert_allclose(values[step], expected, rtol=1e-5, atol=1e-6 * expected[0])
    np.testing.assert_allclose(
        records["time"], dynamics.cumulative_time(steps, config.lr, (), records["time"].iloc[1] / config.lr)
    )


def test_snapshots_between_two_rises_show_the_mode_rather_than_nothing():
    """Checkpoints at steps 0 (nothing learned), 10 (two modes) and 20 (three): the first snapshot,
    for one learned mode, is step 10, not the empty start."""
    record_steps = np.array([0, 5, 10, 15, 20])
    values = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 0.6], [1.0, 1.0, 1.0]])
    assert snapshot_steps(record_steps, values, np.array([0, 10, 20])) == [0, 10, 20]
    assert snapshot_steps(record_steps, values, np.array([0, 10, 20]), n_snapshots=1) == [10]
