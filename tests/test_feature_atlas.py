"""Feature atlas: step times from the theory and the words at both ends of each eigenvector."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.analysis.directions import principal_coordinates, singular_directions
from w2vtheory.analysis.feature_atlas import end_words, feature_atlas
from w2vtheory.theory.dynamics import tau


def test_end_words_only_among_frequent_words():
    words = ["a", "b", "c", "d", "e"]
    vector = np.array([0.1, -0.5, 0.9, 0.2, 5.0])  # "e" is extreme but not among the 4 most frequent
    largest, smallest = end_words(vector, words, n_words=2, n_frequent=4)
    assert largest == [("c", 0.9), ("d", 0.2)]
    assert smallest == [("b", -0.5), ("a", 0.1)]


def test_feature_atlas_step_times_and_words():
    rng = np.random.default_rng(0)
    n_words = 30
    eigvecs, _ = np.linalg.qr(rng.standard_normal((n_words, 6)))
    eigvals = np.array([3.0, 2.0, 1.0, 0.5, 1e-14, -0.2])
    words = [f"w{i}" for i in range(n_words)]
    atlas = feature_atlas(eigvals, eigvecs, words, s0=1e-6, n_components=6, n_words=3, n_frequent=20)
    per_component = atlas.drop_duplicates("component")
    s0 = 1e-6
    np.testing.assert_allclose(per_component["tau"][:4], np.log(eigvals[:4] / s0**2) / eigvals[:4])
    np.testing.assert_array_equal(per_component["tau"], tau(eigvals, s0))
    assert np.isinf(per_component["tau"].iloc[-1])  # below s0^2: never learned
    assert len(atlas) == 6 * 2 * 3
    top = atlas[(atlas["component"] == 1) & (atlas["end"] == "top") & (atlas["rank"] == 1)].iloc[0]
    assert top["word"] == words[int(np.argmax(eigvecs[:20, 0]))]
    assert top["value"] == pytest.approx(eigvecs[:20, 0].max())


def test_left_singular_vectors_are_sign_fixed_principal_directions():
    rng = np.random.default_rng(1)
    basis, _ = np.linalg.qr(rng.standard_normal((50, 3)))
    rotation, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    embedding = -basis * np.array([3.0, 2.0, 1.0]) @ rotation
    directions, values = singular_directions(embedding)
    np.testing.assert_allclose(values, [3.0, 2.0, 1.0])
    for k in range(3):
        reference = basis[:, k] * np.sign(basis[np.argmax(np.abs(basis[:, k])), k])
        np.testing.assert_allclose(directions[:, k], reference, atol=1e-10)


def test_principal_coordinates_are_unit_rows_of_u_s():
    # U S = [[3, 0], [0, 1], [0, 0]]: rows (1, 0), (0, 1) and a zero row that stays zero
    left = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(principal_coordinates(left, np.array([3.0, 1.0])), [[1, 0], [0, 1], [0, 0]])
    # a row (3 * 0.6, 1 * 0.8) = (1.8, 0.8) scales to unit length
    row = principal_coordinates(np.array([[0.6, 0.8]]), np.array([3.0, 1.0]))
    np.testing.assert_allclose(row, [[1.8 / np.hypot(1.8, 0.8), 0.8 / np.hypot(1.8, 0.8)]])
