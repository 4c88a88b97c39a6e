"""The closed-form dynamics against a numerical solve of dW/dt = -(1/2)(W W^T - M*) W."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from w2vtheory import theory


def _symmetric_with_spectrum(eigvals: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    vectors, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigvals), len(eigvals))))
    return (vectors * eigvals) @ vectors.T, vectors


def _solve_flow(target: np.ndarray, W0: np.ndarray, times: np.ndarray) -> np.ndarray:
    """W(t) at `times` (shape len(times) x V x d) by an accurate ODE solve."""
    shape = W0.shape

    def velocity(_: float, flat: np.ndarray) -> np.ndarray:
        W = flat.reshape(shape)
        return (-0.5 * (W @ W.T - target) @ W).ravel()

    solution = solve_ivp(velocity, (0.0, times[-1]), W0.ravel(), t_eval=times, method="DOP853", rtol=1e-10, atol=1e-14)
    assert solution.success
    return solution.y.T.reshape(len(times), *shape)


def _normalised_loss(W: np.ndarray, target: np.ndarray) -> float:
    """1/2 + ||W W^T - M*||^2 / (2 ||M*||^2), the expectation of the trained normalised loss."""
    return 0.5 + np.sum((W @ W.T - target) ** 2) / (2.0 * np.sum(target**2))


def test_singular_values_and_loss_match_ode_from_aligned_start():
    eigvals = np.array([3.0, 2.0, 1.2, 0.5, -0.4, -1.0, 0.0, 0.8])
    target, vectors = _symmetric_with_spectrum(eigvals, seed=1)
    order = np.argsort(eigvals)[::-1]
    top = order[:4]
    s0 = 1e-3
    W0 = s0 * vectors[:, top]  # exactly the theory's setting: modes start at s0, aligned
    times = np.linspace(0.0, 40.0, 81)
    trajectory = _solve_flow(target, W0, times)
    measured = np.array([np.linalg.svd(W, compute_uv=False) for W in trajectory])
    predicted = theory.singular_value_theory(times, eigvals[top], s0)
    np.testing.assert_allclose(np.sort(measured, axis=1)[:, ::-1], np.sort(predicted, axis=1)[:, ::-1], rtol=1e-6)
    losses = [_normalised_loss(W, target) for W in trajectory]
    np.testing.assert_allclose(
        theory.normalised_loss_theory(predicted, eigvals[top], np.sum(target**2), 2.0 / len(target) ** 2, len(target)),
        losses,
        rtol=1e-9,
    )
    # Each learned mode lowers the loss by lambda_k^2 / (2 ||M*||^2).
    assert losses[0] == pytest.approx(1.0, abs=1e-5)
    assert losses[-1] == pytest.approx(1.0 - np.sum(eigvals[top] ** 2) / (2 * np.sum(target**2)), rel=1e-6)


def test_singular_values_follow_theory_from_small_isotropic_start():
    rng = np.random.default_rng(3)
    eigvals = np.concatenate([[6.0, 4.0, 2.5], rng.uniform(-0.3, 0.3, 27)])
    target, _ = _symmetric_with_spectrum(eigvals, seed=4)
    dim, scale = 3, 1e-4
    W0 = rng.standard_normal((len(eigvals), dim)) * scale / np.sqrt(dim)
    taus = theory.tau(eigvals[:3], scale)
    times = np.array([1.6 * taus[0], 1.5 * taus[1], 1.5 * taus[2], 3 * taus[2]])
    measured = np.array([np.linalg.svd(W, compute_uv=False) for W in _solve_flow(target, W0, times)])
    predicted = theory.singular_value_theory(times, eigvals[:3], scale)
    risen = predicted >= 0.9 * np.sqrt(eigvals[:3])
    assert risen.sum() >= 6
    np.testing.assert_allclose(measured[risen], predicted[risen], rtol=0.03)


def test_closed_form_limits_and_tau():
    s0 = 1e-6
    eigvals = np.array([2.0, 0.5, 0.0, -1.0])
    assert np.allclose(theory.singular_value_theory(0.0, eigvals, s0), s0)
    late = theory.singular_value_theory(1e4, eigvals, s0)  # no overflow for huge lambda t
    np.testing.assert_allclose(late[:2] ** 2, eigvals[:2], rtol=1e-9)
    assert late[2] == pytest.approx(1 / np.sqrt(1 / s0**2 + 1e4))  # lambda = 0: s^2 = 1/(1/s0^2 + t)
    assert late[3] == 0.0
    taus = theory.tau(eigvals, s0)
    np.testing.assert_allclose(taus[:2], np.log(eigvals[:2] / s0**2) / eigvals[:2])
    assert np.isinf(taus[2:]).all()
    # At tau_k the mode is half learned: s^2 = lambda / (2 - s0^2/lambda).
    at_tau = theory.singular_value_theory(taus[:2], eigvals[:2], s0)
    np.testing.assert_allclose(np.diag(at_tau) ** 2, eigvals[:2] / (2 - s0**2 / eigvals[:2]), rtol=1e-9)


def test_time_per_step_and_piecewise_schedule():
    # omniscient QWEM, k = 1, P summing to 1: lambda_1(D) = mean(G) lambda_1 / 2 with mean(G) = 2 / V^2,
    # and the normaliser -mean(M*^2): the authors' 4 lr / (V^2 mean(M*^2)), whatever lambda_1
    for top in (3.0, 40.0):
        signed_top = (2.0 / 100**2) * top / 2
        assert theory.time_per_step(5.0, "qwem", signed_top, -0.25, top) == pytest.approx(4 * 5.0 / (100**2 * 0.25))
        assert theory.time_per_step(5.0, "sgns", signed_top, -0.25, top) == pytest.approx(2 * 5.0 / (100**2 * 0.25))
    schedule = [[30, 0.1], [10, 0.5]]
    steps = np.array([0, 1, 10, 11, 30, 45])
    rates = [5.0 * (0.1 if s >= 30 else 0.5 if s >= 10 else 1.0) for s in range(50)]
    np.testing.assert_allclose(theory.learning_rate(np.arange(50), 5.0, schedule), rates)
    expected = [0.02 * sum(rates[:n]) for n in steps]
    np.testing.assert_allclose(theory.cumulative_time(steps, 5.0, schedule, 0.02), expected)


def test_init_scale_is_s0_for_every_eigenmode():
    rng = np.random.default_rng(0)
    vocab, dim, scale = 400, 200, 0.3
    W = rng.standard_normal((vocab, dim)) * scale / np.sqrt(dim)
    basis, _ = np.linalg.qr(rng.standard_normal((vocab, 50)))
    projections = np.linalg.norm(basis.T @ W, axis=1)
    assert np.mean(projections**2) == pytest.approx(theory.init_s0(scale) ** 2, rel=0.03)


def test_inverse_time_schedule_decays_as_one_over_time_then_anneals():
    steps, decay_from, decay_steps, anneal_steps = 8000, 2500, 500, 1200
    schedule = theory.inverse_time_schedule(decay_from, decay_steps, anneal_steps, steps)
    rates = theory.learning_rate(np.arange(steps), 50.0, schedule)
    assert np.all(rates[:decay_from] == 50.0)
    assert np.all(np.diff(rates) <= 0)  # never rises
    # Within the decay, each block of decay_steps/2 steps holds the 1/t value of its middle step.
    for middle in (2625, 4125, 6625):
        assert rates[middle] == pytest.approx(50.0 / (1 + (middle - decay_from) / decay_steps), rel=1e-12)
    anneal_from = steps - anneal_steps
    reached = 50.0 / (1 + (anneal_from - decay_from) / decay_steps)
    assert rates[anneal_from] == pytest.approx(0.3 * reached) and rates[steps - 1] == pytest.approx(0.1 * reached)
    assert rates[anneal_from + anneal_steps // 2] == pytest.approx(0.1 * reached)
    # Without an anneal the decay runs to the end.
    plain = theory.learning_rate(steps - 1, 50.0, theory.inverse_time_schedule(decay_from, decay_steps, 0, steps))
    last_middle = steps - decay_steps // 4  # the last block is [7750, 8000)
    assert plain == pytest.approx(50.0 / (1 + (last_middle - decay_from) / decay_steps), rel=1e-12)


def test_heavy_ball_clock_counts_the_velocity():
    """With momentum beta from step m, step s advances t by sum_(j = m..s) beta^(s - j) r_j: up to
    r / (1 - beta) per step once the velocity has built up, and nothing changes before m."""
    schedule = [[400, 0.5]]
    plain = theory.cumulative_time(np.arange(601), 5.0, schedule, 0.02)
    heavy = theory.cumulative_time(np.arange(601), 5.0, schedule, 0.02, momentum=0.9, momentum_from=100)
    np.testing.assert_allclose(heavy[:101], plain[:101])
    increments = np.diff(heavy) / 0.02
    assert increments[100] == pytest.approx(5.0)  # the first heavy-ball step: v = r
    assert increments[101] == pytest.approx(5.0 * 1.9)
    assert increments[399] == pytest.approx(5.0 / 0.1, rel=1e-9)  # built up: r / (1 - beta)
    assert increments[599] == pytest.approx(2.5 / 0.1, rel=1e-6)  # after the rate halves
    assert np.all(np.diff(increments[100:200]) > 0)
    # a momentum that starts after the run is no momentum
    np.testing.assert_allclose(theory.cumulative_time(599, 5.0, schedule, 0.02, 0.9, 600), plain[599])
