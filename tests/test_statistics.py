"""Statistics against hand-computed cases (docs/paper.md section 2)."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.closed_form.spectra import MATRICES, build_matrix
from w2vtheory.closed_form.statistics import (
    joint_probability,
    mstar,
    pair_ratio,
    pair_weight,
    pmi,
    ppmi,
    unigram_probability,
)
from w2vtheory.config import SPECTRUM_MATRICES
from w2vtheory.errors import InputError

# Corpus "a b a" with window 1: the pairs (a, b) and (b, a) each add 1 to C[a, b] and C[b, a].
TINY_COUNTS = np.array([[0.0, 2.0], [2.0, 0.0]])
TINY_PAIRS = 4  # N = 2 * (3 - 1)
TINY_UNIGRAM = np.array([2 / 3, 1 / 3])

# A 3-word joint distribution (sums to 1) with word frequencies 0.3, 0.4, 0.3.
JOINT3 = np.array([[0.1, 0.2, 0.0], [0.2, 0.1, 0.1], [0.0, 0.1, 0.2]])
UNIGRAM3 = np.array([0.3, 0.4, 0.3])


def test_unigram_probability_normalises_counts():
    np.testing.assert_array_equal(unigram_probability(np.array([2, 1, 1])), [0.5, 0.25, 0.25])
    with pytest.raises(ValueError):
        unigram_probability(np.zeros(3))


def test_joint_probability_divides_by_n_times_mean_weight():
    joint = joint_probability(TINY_COUNTS, TINY_PAIRS, window=1)
    np.testing.assert_array_equal(joint, [[0.0, 0.5], [0.5, 0.0]])
    # L = 3: the mean weight per pair is (L + 1) / 2 = 2.
    np.testing.assert_array_equal(joint_probability(np.full((2, 2), 6.0), 3, window=3), np.full((2, 2), 1.0))
    with pytest.raises(InputError, match="n_pairs"):
        joint_probability(TINY_COUNTS, 0, window=1)


def test_mstar_tiny_corpus():
    joint = joint_probability(TINY_COUNTS, TINY_PAIRS, window=1)
    # M*[a,b] = (1/2 - 2/9) / ((1/2 + 2/9) / 2) = 10/13; unseen pairs give -2.
    np.testing.assert_allclose(mstar(joint, TINY_UNIGRAM), [[-2, 10 / 13], [10 / 13, -2]], rtol=1e-14)
    # k = 2: (1/2 - 4/9) / ((1/2 + 4/9) / 2) = 2/17.
    np.testing.assert_allclose(mstar(joint, TINY_UNIGRAM, 2.0)[0, 1], 2 / 17, rtol=1e-14)


def test_mstar_three_words():
    expected = [[2 / 19, 1 / 2, -2], [1 / 2, -6 / 13, -2 / 11], [-2, -2 / 11, 22 / 29]]
    np.testing.assert_allclose(mstar(JOINT3, UNIGRAM3), expected, rtol=1e-13)


def test_mstar_stays_in_range_and_keeps_inputs():
    rng = np.random.default_rng(3)
    counts = rng.poisson(0.7, size=(40, 40)).astype(np.float64)
    counts += counts.T
    joint = counts / counts.sum()
    unigram = unigram_probability(rng.integers(1, 100, size=40))
    joint_before = joint.copy()
    for k in (0.5, 1.0, 2.0):
        values = mstar(joint, unigram, k)
        assert values.min() >= -2 and values.max() <= 2
        np.testing.assert_array_equal(values, values.T)
    np.testing.assert_array_equal(joint, joint_before)
    with pytest.raises(InputError, match="negative_weight"):
        mstar(joint, unigram, 0.0)


def test_pmi_and_ppmi():
    joint = joint_probability(TINY_COUNTS, TINY_PAIRS, window=1)
    values = pmi(joint, TINY_UNIGRAM)
    np.testing.assert_allclose(values[0, 1], np.log(9 / 4), rtol=1e-14)
    # The floor sits inside the ratio: an unseen pair gets log(0 + 1e-25), whatever P(i) P(j) is.
    np.testing.assert_allclose(values[0, 0], np.log(1e-25), rtol=1e-14)
    np.testing.assert_allclose(values[1, 1], np.log(1e-25), rtol=1e-14)
    # A seen pair: log(9/4 + 1e-25), the floor far below float64 resolution of 9/4.
    np.testing.assert_allclose(pmi(joint, TINY_UNIGRAM, floor=0.25)[0, 1], np.log(9 / 4 + 0.25), rtol=1e-14)
    np.testing.assert_allclose(ppmi(joint, TINY_UNIGRAM), [[0, np.log(9 / 4)], [np.log(9 / 4), 0]], rtol=1e-14)
    with np.errstate(divide="ignore"):  # floor 0: the unseen pair (0, 2) gets -inf
        unfloored = pmi(JOINT3, UNIGRAM3, floor=0.0)
    np.testing.assert_allclose(unfloored[1, 2], np.log(0.1 / 0.12), rtol=1e-14)
    assert unfloored[0, 2] == -np.inf


def test_pair_weight():
    np.testing.assert_allclose(pair_weight(JOINT3, UNIGRAM3)[0, 1], 0.2 + 0.12, rtol=1e-15)
    np.testing.assert_allclose(pair_weight(JOINT3, UNIGRAM3, 2.0)[2, 2], 0.2 + 2 * 0.09, rtol=1e-15)


def test_shape_mismatch_is_rejected():
    with pytest.raises(ValueError):
        mstar(JOINT3, UNIGRAM3[:2])


def test_mstar_in_row_blocks_equals_the_formula():
    """V above the row block size: the blocked computation gives the formula's values exactly."""
    rng = np.random.default_rng(8)
    size = 600
    counts = rng.poisson(0.5, size=(size, size)).astype(np.float64)
    counts += counts.T
    joint = counts / counts.sum()
    unigram = unigram_probability(rng.integers(1, 1_000, size=size))
    independent = 2.0 * np.outer(unigram, unigram)
    np.testing.assert_array_equal(mstar(joint, unigram, 2.0), (joint - independent) / ((joint + independent) / 2))


def test_pair_ratio_is_ratio_to_independence_plus_one():
    # P(0,1) / (P(0) P(1)) = 0.2 / 0.12; unseen pair (0, 2): exactly 1.
    np.testing.assert_allclose(pair_ratio(JOINT3, UNIGRAM3)[0, 1], 0.2 / 0.12 + 1, rtol=1e-15)
    assert pair_ratio(JOINT3, UNIGRAM3)[0, 2] == 1.0


def test_build_matrix_dispatches_every_spectrum_matrix():
    assert SPECTRUM_MATRICES == MATRICES
    counts = np.array([2.0, 1.0])
    expected = {
        "mstar": mstar(joint_probability(TINY_COUNTS, TINY_PAIRS, 1), TINY_UNIGRAM),
        "pmi": pmi(joint_probability(TINY_COUNTS, TINY_PAIRS, 1), TINY_UNIGRAM),
        "ppmi": ppmi(joint_probability(TINY_COUNTS, TINY_PAIRS, 1), TINY_UNIGRAM),
        "pair_ratio": np.array([[1.0, 13 / 4], [13 / 4, 1.0]]),
    }
    for name in MATRICES:
        built = build_matrix(
            name, TINY_COUNTS, counts, window=1, n_pairs=TINY_PAIRS, negative_weight=1.0, pmi_floor=1e-25
        )
        np.testing.assert_allclose(built, expected[name], rtol=1e-14)
    with pytest.raises(InputError, match="matrix = 'pair_weight'"):
        build_matrix("pair_weight", TINY_COUNTS, counts, 1, TINY_PAIRS, 1.0, 1e-25)
