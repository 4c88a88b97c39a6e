"""Each objective's converged value, and the convergence table built from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import run_settings
from w2vtheory.closed_form.statistics import mstar
from w2vtheory.evaluation.convergence import (
    convergence_markdown,
    convergence_row,
    convergence_table,
    singular_value_change,
)
from w2vtheory.training import RunConfig, build_objective
from w2vtheory.training.objective import expected_loss_and_gradient, expected_normalised_loss, torch_loss_slopes
from w2vtheory.training.reference import (
    PROGRESS_WINDOW,
    closed_form_reference,
    elementwise_minimiser,
    minimised_reference,
    objective_name,
)
from w2vtheory.training.steppers import ExactStepper

from .test_training_objective import _problem


def _config(loss: str, reweight: str, **settings) -> RunConfig:
    base = dict(loss=loss, reweight=reweight, lr=1.0, init_scale=0.1, steps=1, exact=True, device="cpu")
    return RunConfig.from_mapping(run_settings(**{**base, "subsample_t": 1e-2, **settings}))


def test_objective_names():
    assert objective_name(_config("qwem", "omniscient")) == "qwem-omniscient"
    assert objective_name(_config("sgns", "sgns", subsample_t=1e-5)) == "sgns-sgns-t1e-05"


@pytest.mark.parametrize("loss,reweight", [("sgns", "sgns"), ("sgns", "omniscient"), ("qwem", "sgns")])
def test_minimised_reference_is_a_minimum_of_the_expected_loss(loss, reweight):
    problem = _problem(vocab=12)
    objective = build_objective(problem.statistics, problem.negative_weight, _config(loss, reweight))
    start = np.random.default_rng(0).standard_normal((12, 3)) * 0.3
    reference = minimised_reference(objective, start, max_iterations=2000)
    positive, negative = (torch.as_tensor(table) for table in objective.tables)

    def value(W: np.ndarray) -> float:
        return float(expected_loss_and_gradient(torch.as_tensor(W), positive, negative, loss)[0])

    best = value(reference.W)
    rng = np.random.default_rng(1)
    for _ in range(10):
        assert value(reference.W + 1e-3 * rng.standard_normal(reference.W.shape)) > best
    assert reference.info["gradient_norm"] < 1e-6 and value(start) > best
    # the same minimum from another start (rotations aside): the same expected loss
    other = minimised_reference(objective, rng.standard_normal((12, 3)) * 0.3, max_iterations=2000)
    assert value(other.W) == pytest.approx(best, rel=1e-6)


def test_closed_form_reference_is_where_exact_qwem_converges():
    """Omniscient QWEM's minimiser at rank d is svd(M*): exact gradient descent ends there."""
    problem = _problem(vocab=12)
    statistics = problem.statistics
    eigvals, eigvecs = np.linalg.eigh(mstar(statistics.joint, statistics.unigram, 1.0))
    eigvals, eigvecs = eigvals[::-1], eigvecs[:, ::-1]
    reference = closed_form_reference(eigvals, eigvecs, 3)
    objective = build_objective(problem.statistics, problem.negative_weight, _config("qwem", "omniscient"))
    stepper = ExactStepper(
        np.random.default_rng(2).standard_normal((12, 3)) * 0.1, objective, torch.float64, torch.device("cpu")
    )
    for step in range(3000):
        stepper.step(step, 0.2)
    W = stepper.embeddings()
    np.testing.assert_allclose(W @ W.T, reference.W @ reference.W.T, atol=1e-6)


def test_singular_value_change_over_the_last_tenth():
    steps = np.array([0, 50, 89, 90, 95, 100])
    values = np.array([[1.0, 1.0]] * 3 + [[9.0, 4.0], [9.5, 4.2], [10.0, 4.0]])
    assert singular_value_change(steps, values) == pytest.approx(0.1)  # from step 90 to 100
    assert np.isnan(singular_value_change(np.array([100]), values[-1:]))


def test_convergence_row_and_markdown():
    evaluations = pd.DataFrame({"step": [0, 90, 100], "time": [0, 1, 2], "analogy_accuracy": [0.0, 0.29, 0.30]})
    singular = pd.DataFrame({"step": [0, 90, 100], "time": [0, 1, 2], "s1": [0.1, 10.0, 10.1], "s2": [0.1, 4.0, 4.01]})
    near = convergence_row(
        "sgns", "sgns-sgns-t1e-05", {"wall_seconds": 12.0}, evaluations, singular, 0.31, 0.604, 0.6, True
    )
    far = convergence_row(
        "other", "sgns-sgns-t1e-05", {"wall_seconds": 5.0}, evaluations, singular, 0.40, 0.7, 0.6, True
    )
    assert near["converged"] and near["gap"] == pytest.approx(0.01)
    assert near["loss_gap"] == pytest.approx(0.004) and near["unlearned_fraction"] == pytest.approx(0.01)
    assert not far["converged"]
    table = convergence_table([near, far])
    text = convergence_markdown(table)
    assert (
        "| sgns | sgns-sgns-t1e-05 | 100 | 12 | 30.0% | 31.0% | +1.0 | 0.6040 | 0.6000 | 1.0% | 0.99% | yes |" in text
    )
    assert "| other |" in text and "| no |" in text
    assert "reference unconverged" not in text
    stopped = convergence_row(
        "setting31",
        "sgns-omniscient",
        {"wall_seconds": 5.0},
        evaluations,
        singular,
        0.2,
        0.7,
        0.6,
        False,
    )
    text = convergence_markdown(convergence_table([near, stopped]))
    assert "| 20.0% (reference unconverged) | -10.0 |" in text
    assert "(reference unconverged): the reference stopped at its iteration limit" in text
    assert text.count("(reference unconverged)") == 2  # the one row and the footnote


def test_a_run_below_its_references_loss_has_beaten_it():
    """A run with a lower expected loss than its reference is judged without the analogy gap (the
    reference is the worse minimiser), and the reference is marked; still singular values are
    required all the same."""
    evaluations = pd.DataFrame({"step": [0, 90, 100], "time": [0, 1, 2], "analogy_accuracy": [0.0, 0.17, 0.17]})
    still = pd.DataFrame({"step": [0, 90, 100], "time": [0, 1, 2], "s1": [0.1, 10.0, 10.1], "s2": [0.1, 4.0, 4.01]})
    moving = still.assign(s1=[0.1, 8.0, 10.1])
    beaten = convergence_row("setting31", "sgns-omniscient", {}, evaluations, still, 0.20, 0.98758, 0.98770, True)
    assert beaten["converged"] and beaten["reference_beaten"] and not beaten["reference_converged"]
    assert beaten["gap"] == pytest.approx(0.03) and beaten["unlearned_fraction"] < 0
    assert not convergence_row("setting31", "sgns-omniscient", {}, evaluations, moving, 0.20, 0.98758, 0.98770, True)[
        "converged"
    ]
    above = convergence_row("setting31", "sgns-omniscient", {}, evaluations, still, 0.20, 0.98771, 0.98770, True)
    assert not above["converged"] and not above["reference_beaten"] and above["reference_converged"]
    text = convergence_markdown(convergence_table([beaten, above]))
    assert "| 20.0% (reference beaten) | +3.0 |" in text and "| no |" in text
    assert "(reference beaten): the run's expected loss is below the reference's" in text
    assert "(reference unconverged)" not in text


@pytest.mark.parametrize("loss,reweight", [("qwem", "omniscient"), ("sgns", "sgns"), ("qwem", "unigram")])
def test_expected_normalised_loss_is_the_exact_runs_loss(loss, reweight):
    """1 at W = 0, the exact stepper's normalised loss at any W, and lowest at the minimiser."""
    problem = _problem(vocab=12)
    objective = build_objective(problem.statistics, problem.negative_weight, _config(loss, reweight))
    assert expected_normalised_loss(objective, np.zeros((12, 3))) == pytest.approx(1.0, abs=1e-12)
    W = np.random.default_rng(4).standard_normal((12, 3)) * 0.3
    stepper = ExactStepper(W, objective, torch.float64, torch.device("cpu"))
    value, _ = stepper.loss_and_gradient()
    assert expected_normalised_loss(objective, W) == pytest.approx(1.0 - float(value) / objective.normaliser, rel=1e-10)
    if objective.mstar is not None:  # omniscient QWEM's minimiser is svd(M*)
        eigvals, eigvecs = np.linalg.eigh(objective.mstar)
        minimiser = closed_form_reference(eigvals[::-1], eigvecs[:, ::-1], 3).W
    else:
        minimiser = minimised_reference(objective, W, max_iterations=2000).W
    assert expected_normalised_loss(objective, minimiser) < expected_normalised_loss(objective, W)


def test_expected_normalised_loss_needs_the_dense_objective():
    problem = _problem(vocab=12)
    objective = build_objective(
        problem.statistics, problem.negative_weight, _config("sgns", "sgns", exact=False, batch_size=100)
    )
    with pytest.raises(ValueError, match="exact: true"):
        expected_normalised_loss(objective, np.zeros((12, 3)))


@pytest.mark.parametrize("loss", ["sgns", "qwem"])
def test_elementwise_minimiser_zeroes_each_pairs_slope(loss):
    rng = np.random.default_rng(3)
    positive, negative = rng.uniform(0.5, 2.0, (2, 20, 20))
    x = torch.as_tensor(elementwise_minimiser(positive, negative, loss), dtype=torch.float64)
    _, slopes = torch_loss_slopes(x, torch.as_tensor(positive), torch.as_tensor(negative), loss)
    floor_effect = 1e-2 if loss == "sgns" else 1e-12  # SGNS's target is floored at e^-5 (<= 0.7 % here)
    assert float(torch.max(torch.abs(slopes))) < floor_effect * float(torch.max(torch.as_tensor(positive)))


def test_reference_starts_from_the_better_guess():
    """The reference records both starting losses and starts from the lower one."""
    problem = _problem(vocab=12)
    objective = build_objective(problem.statistics, problem.negative_weight, _config("sgns", "omniscient"))
    statistics = problem.statistics
    eigvals, eigvecs = np.linalg.eigh(mstar(statistics.joint, statistics.unigram, 1.0))
    mstar_start = closed_form_reference(eigvals[::-1], eigvecs[:, ::-1], 3).W
    reference = minimised_reference(objective, mstar_start, max_iterations=5)
    losses = reference.info["start_losses"]
    assert set(losses) == {"svd(M*)", "svd(X*)"} and reference.info["start"] == min(losses, key=losses.get)
    assert reference.info["loss_normalised"] <= min(losses.values())


def test_float32_evaluations_reach_the_float64_minimum():
    """L-BFGS on float32 losses and gradients stops where float32 can no longer lower the loss: the
    same minimum as float64 to float32 precision, and reported as converged."""
    problem = _problem(vocab=12)
    objective = build_objective(problem.statistics, problem.negative_weight, _config("sgns", "sgns"))
    start = np.random.default_rng(0).standard_normal((12, 3)) * 0.3
    exact = minimised_reference(objective, start, max_iterations=2000)
    single = minimised_reference(objective, start, max_iterations=2000, dtype=torch.float32)
    positive, negative = (torch.as_tensor(table) for table in objective.tables)

    def value(W: np.ndarray) -> float:
        return float(expected_loss_and_gradient(torch.as_tensor(W), positive, negative, "sgns")[0])

    assert single.info["dtype"] == "float32" and single.info["converged"]
    assert value(single.W) == pytest.approx(value(exact.W), rel=1e-5)
    assert value(single.W) < value(start)


def test_reference_stops_once_the_loss_stops_falling():
    """With a progress tolerance L-BFGS stops once a window of iterations lowers the loss by less than
    that fraction of the learnable loss, reported as converged, near the minimum it would reach."""
    problem = _problem(vocab=60)  # large enough for L-BFGS to need more than a window
    objective = build_objective(problem.statistics, problem.negative_weight, _config("sgns", "sgns"))
    start = np.random.default_rng(0).standard_normal((60, 8)) * 0.3
    full = minimised_reference(objective, start, max_iterations=2000)
    tolerance = 1e-4
    early = minimised_reference(objective, start, max_iterations=2000, progress_tolerance=tolerance)
    assert early.info["converged"] and "fell by less than" in early.info["message"]
    assert PROGRESS_WINDOW < early.info["iterations"] < full.info["iterations"]
    learnable = 1.0 - full.info["loss_normalised"]
    gap = early.info["loss_normalised"] - full.info["loss_normalised"]
    assert 0.0 <= gap < tolerance * learnable
    assert np.isfinite(early.info["gradient_norm"]) and early.info["progress_tolerance"] == tolerance
