"""Reweighting formulas on hand cases, and the normaliser that puts SGD on the theory's clock."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory import theory
from w2vtheory.reweighting import min_loss, omniscient_weights, pair_weights, sgns_weights, unigram_weights
from w2vtheory.statistics import mstar, pair_weight


def _joint(seed: int, vocab: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """A symmetric joint distribution summing to 1 whose marginals are the unigram."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0, 1, (vocab, vocab)) ** 3
    raw[0, 1] = raw[1, 0] = 0.0  # a pair that never co-occurs
    joint = (raw + raw.T) / np.sum(raw + raw.T)
    return joint, joint.sum(axis=1)


def test_sgns_weights_by_hand():
    unigram = np.array([0.5, 0.3, 0.2])
    t = 0.1
    keep = np.array([0.2 + np.sqrt(0.2), 1 / 3 + np.sqrt(1 / 3), 1.0])  # t/P + sqrt(t/P), clipped at 1
    keep /= keep.mean()
    smooth = unigram**-0.25 / np.mean(unigram**-0.25)
    weights = sgns_weights(unigram, t)
    rows = slice(0, 3)
    np.testing.assert_allclose(weights.positive_block(rows), np.outer(keep, keep))
    np.testing.assert_allclose(weights.negative_block(rows), (np.outer(keep, smooth) + np.outer(smooth, keep)) / 2)


def test_unigram_and_omniscient_weights():
    joint, unigram = _joint(0)
    weights = unigram_weights(unigram)
    rows = slice(0, len(unigram))
    expected = np.mean(unigram) ** 2 / np.outer(unigram, unigram)
    np.testing.assert_allclose(weights.positive_block(rows), expected)
    np.testing.assert_allclose(weights.negative_block(rows), expected)
    G = pair_weight(joint, unigram, 2.0)
    table = omniscient_weights(joint, unigram, 2.0).table
    np.testing.assert_allclose(table * G, G.mean())  # every pair's effective weight is mean(G)
    assert pair_weights("omniscient", joint, unigram, 2.0, 1e-5).table is not None


@pytest.mark.parametrize("k", [1.0, 2.0])
def test_min_loss_of_omniscient_qwem(k):
    joint, unigram = _joint(1)
    target = mstar(joint, unigram, k)
    weights = omniscient_weights(joint, unigram, k)
    G = pair_weight(joint, unigram, k)
    assert min_loss("qwem", weights, joint, unigram, k) == pytest.approx(-G.mean() * np.sum(target**2) / 2, rel=1e-12)
    assert min_loss("sgns", weights, joint, unigram, k) == pytest.approx(-G.mean() * np.sum(target**2) / 4, rel=1e-12)
    if k == 1.0:  # PAPER.md: min_loss = -mean(M*^2)
        assert min_loss("qwem", weights, joint, unigram, k) == pytest.approx(-np.mean(target**2), rel=1e-12)


@pytest.mark.parametrize("scheme", ["omniscient", "sgns", "unigram"])
def test_min_loss_is_twice_the_minimum_of_the_expected_qwem_loss(scheme):
    joint, unigram = _joint(2)
    k = 1.5
    weights = pair_weights(scheme, joint, unigram, k, 0.05)
    rows = slice(0, len(unigram))
    positive = weights.positive_block(rows) * joint
    negative = weights.negative_block(rows) * k * np.outer(unigram, unigram)

    def expected_loss(x: np.ndarray) -> float:
        return float(np.sum(positive * (-x + x**2 / 4) + negative * (x + x**2 / 4)))

    best = 2 * (positive - negative) / (positive + negative)
    minimum = expected_loss(best)
    rng = np.random.default_rng(0)
    for _ in range(5):
        bump = rng.normal(0, 0.1, best.shape)
        assert expected_loss(best + bump + bump.T) > minimum
    assert min_loss("qwem", weights, joint, unigram, k) == pytest.approx(2 * minimum, rel=1e-12)


def test_expected_sgd_step_is_the_theory_time_step():
    """E[gradient of the normalised omniscient QWEM batch loss] = 2 (W W^T - M*) W / ||M*||^2, so a
    step of size lr moves W by time_per_step(lr) along dW/dt = -(1/2)(W W^T - M*) W."""
    joint, unigram = _joint(3)
    k, vocab = 1.0, len(unigram)
    weights = omniscient_weights(joint, unigram, k)
    normaliser = min_loss("qwem", weights, joint, unigram, k)
    W = np.random.default_rng(4).standard_normal((vocab, 3))
    x = W @ W.T
    # Expected batch loss sum_ij q [P l+'(x) + k P_i P_j l-'(x)], differentiated in W (x is symmetric).
    slope = weights.table * (joint * (x / 2 - 1) + k * np.outer(unigram, unigram) * (x / 2 + 1))
    expected_gradient = 2 * slope @ W / abs(normaliser)
    target = mstar(joint, unigram, k)
    np.testing.assert_allclose(expected_gradient, 2 * (x - target) @ W / np.sum(target**2), rtol=1e-10)
    lr = 0.3
    dt = theory.time_per_step(lr, np.mean(target**2), vocab)
    np.testing.assert_allclose(lr * expected_gradient, dt * 0.5 * (x - target) @ W, rtol=1e-10)
