"""Feature atlas: step times from the theory and the words at both ends of each eigenvector."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.feature_atlas import end_words, feature_atlas, left_singular_vectors
from w2vtheory.theory import tau


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
    directions = left_singular_vectors(embedding, 2)
    for k in range(2):
        reference = basis[:, k] * np.sign(basis[np.argmax(np.abs(basis[:, k])), k])
        np.testing.assert_allclose(directions[:, k], reference, atol=1e-10)
