"""Reweighting formulas on hand cases, and the normaliser that puts SGD on the theory's clock."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory import theory
from w2vtheory.reweighting import (
    expected_pair_tables,
    loss_normaliser,
    omniscient_weights,
    pair_weights,
    sgns_weights,
    unigram_weights,
)
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
def test_loss_normaliser_is_the_authors(k):
    joint, unigram = _joint(1)
    independent = k * np.outer(unigram, unigram)
    target = 2 * (joint - independent) / (joint + independent)
    assert loss_normaliser("qwem", "omniscient", joint, unigram, k) == pytest.approx(-np.mean(target**2), rel=1e-12)
    sgns_target = np.log(joint / independent + np.exp(-5))
    assert loss_normaliser("sgns", "omniscient", joint, unigram, k) == pytest.approx(
        -np.mean(sgns_target**2), rel=1e-12
    )
    for loss in ("qwem", "sgns"):
        assert loss_normaliser(loss, "sgns", joint, unigram, k) == -0.12
        assert loss_normaliser(loss, "unigram", joint, unigram, k) == -0.5
    np.testing.assert_allclose(mstar(joint, unigram, k), target)


@pytest.mark.parametrize("scheme", ["omniscient", "sgns", "unigram"])
def test_expected_pair_tables_by_hand(scheme):
    joint, unigram = _joint(2)
    k = 1.5
    weights = pair_weights(scheme, joint, unigram, k, 0.05)
    positive, negative = expected_pair_tables(weights, joint, unigram, k)
    vocab = len(unigram)
    for i in range(vocab):
        for j in range(vocab):
            if weights.table is not None:
                q_positive = q_negative = weights.table[i, j]
            else:
                q_positive = weights.positive[i] * weights.positive[j]
                centre, context = weights.negative_centre, weights.negative_context
                q_negative = 0.5 * (centre[i] * context[j] + centre[j] * context[i])
            assert positive[i, j] == pytest.approx(q_positive * joint[i, j], rel=1e-12)
            assert negative[i, j] == pytest.approx(k * q_negative * unigram[i] * unigram[j], rel=1e-12)
    np.testing.assert_allclose(positive, positive.T)
    np.testing.assert_allclose(negative, negative.T)
    assert expected_pair_tables(weights, joint, unigram, k, "float32")[0].dtype == np.float32


def test_expected_sgd_step_is_the_theory_time_step():
    """With the authors' normaliser -mean(M*^2), E[gradient of the normalised omniscient QWEM batch loss]
    = mean(G) (W W^T - M*) W / mean(M*^2), so a step of size lr moves W by time_per_step(lr) along
    dW/dt = -(1/2)(W W^T - M*) W."""
    joint, unigram = _joint(3)
    k, vocab = 2.0, len(unigram)
    weights = omniscient_weights(joint, unigram, k)
    normaliser = loss_normaliser("qwem", "omniscient", joint, unigram, k)
    W = np.random.default_rng(4).standard_normal((vocab, 3))
    x = W @ W.T
    # Expected batch loss sum_ij q [P l+'(x) + k P_i P_j l-'(x)], differentiated in W (x is symmetric).
    slope = weights.table * (joint * (x / 2 - 1) + k * np.outer(unigram, unigram) * (x / 2 + 1))
    expected_gradient = 2 * slope @ W / abs(normaliser)
    target = mstar(joint, unigram, k)
    mean_pair_weight = pair_weight(joint, unigram, k).mean()
    np.testing.assert_allclose(expected_gradient, mean_pair_weight * (x - target) @ W / np.mean(target**2), rtol=1e-10)
    lr = 0.3
    top = np.linalg.eigvalsh(target)[-1]
    dt = theory.time_per_step(lr, "qwem", mean_pair_weight * top / 2, normaliser, top)
    np.testing.assert_allclose(lr * expected_gradient, dt * 0.5 * (x - target) @ W, rtol=1e-10)
