"""Task-vector analysis (Figs 4, 6, 8): both MP fits (a planted spiked Wishart matrix and a
hand-computed edge), SNR of a spike on raw rows, the pair-analogy scores and Fig 8's ratio against
a naive loop and a hand-computed case, and the dimension sweep."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.analysis.task_vectors import (
    WordPairs,
    category_pairs,
    dimension_sweep,
    fit_upper_edge,
    ks_distance,
    mean_vector_projection,
    pair_analogy_scores,
    select_category,
    signal_to_noise,
    sweep_dimensions,
    task_vector_spectra,
    task_vector_spectrum,
)
from w2vtheory.errors import InputError
from w2vtheory.evaluation.scoring import build_pair_analogies, predict_answers


def spiked_wishart(n: int, dim: int, column_std: np.ndarray, mean: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return mean + rng.standard_normal((n, dim)) * column_std


def test_category_pairs_are_distinct_in_vocabulary_and_ordered():
    index = {"walk": 0, "walked": 1, "go": 2, "went": 3, "see": 4}
    questions = [("walk", "walked", "go", "went"), ("go", "went", "walk", "walked"), ("see", "saw", "go", "went")]
    pairs = category_pairs(questions, index)
    assert pairs.first.tolist() == [0, 2]
    assert pairs.second.tolist() == [1, 3]


def test_select_category_names_the_problem():
    with pytest.raises(InputError, match="gram7-past-tense.*not in"):
        select_category({"family": []}, "gram7-past-tense", {}, "questions-words.txt")
    with pytest.raises(InputError, match="1 in-vocabulary word pairs"):
        select_category({"c": [("a", "b", "x", "y")]}, "c", {"a": 0, "b": 1}, "q.txt")


def test_mp_upper_edge_fit_recovers_isotropic_bulk_of_spiked_wishart():
    n, dim, sigma = 400, 1600, 0.5
    mean = np.full(dim, 0.8)
    task = spiked_wishart(n, dim, np.full(dim, sigma), mean, seed=0)
    fit = fit_upper_edge(task)
    assert fit.scale == pytest.approx(sigma**2, rel=0.02)
    # one eigenvalue places the edge: d_eff within 10 % (the moment-free estimate is noisier)
    assert fit.effective_dim == pytest.approx(dim, rel=0.1)
    assert fit.ratio == pytest.approx(n / dim, rel=0.1)
    spectrum = task_vector_spectrum(task)
    bulk = spectrum[1:]
    assert spectrum[0] > 10 * fit.upper_edge  # the spike stands out
    inside = (bulk > 0.97 * fit.lower_edge) & (bulk < 1.03 * fit.upper_edge)
    assert inside.mean() > 0.99
    # the fitted density describes the bulk: its quantiles match the eigenvalues'
    grid = np.linspace(fit.lower_edge, fit.upper_edge, 20001)
    cdf = np.cumsum(fit.density(grid)) * (grid[1] - grid[0])
    assert cdf[-1] == pytest.approx(1.0, abs=0.01)
    predicted_median = grid[np.searchsorted(cdf, 0.5)]
    assert np.median(bulk) == pytest.approx(predicted_median, rel=0.03)


def test_snr_of_a_planted_spike():
    # R R^T / d with eigenvalues exactly (9, 1, 1, 1): lambda_max / (Tr / rank) = 9 / 3
    task = np.diag([3.0, 1.0, 1.0, 1.0]) * 2.0  # d = 4, so R R^T / d = diag(9, 1, 1, 1)
    spectrum = task_vector_spectrum(task)
    np.testing.assert_allclose(spectrum, [9.0, 1.0, 1.0, 1.0])
    assert signal_to_noise(spectrum) == pytest.approx(3.0)


def test_snr_ignores_zero_eigenvalues_when_pairs_outnumber_dimensions():
    task = np.array([[2.0, 0.0], [0.0, 1.0], [0.0, 1.0]])  # n = 3 > d = 2: one zero eigenvalue
    spectrum = task_vector_spectrum(task)
    assert spectrum[-1] == pytest.approx(0.0, abs=1e-12)
    assert signal_to_noise(spectrum) == pytest.approx(2.0 / (3.0 / 2))


def test_mean_vector_projection_localises_on_planted_feature():
    rng = np.random.default_rng(2)
    mean = np.zeros(50)
    mean[3] = 5.0
    task = mean + 0.01 * rng.standard_normal((40, 50))
    share = mean_vector_projection(task)
    assert share.sum() == pytest.approx(1.0)
    assert np.argmax(share) == 3
    assert share[3] > 0.99


def naive_pair_scores(vectors: np.ndarray, pairs: WordPairs):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    correct, target, best = [], [], []
    for i in range(len(pairs)):
        for j in range(len(pairs)):
            if i == j:
                continue
            a, b, a2, b2 = pairs.first[i], pairs.second[i], pairs.first[j], pairs.second[j]
            point = unit[b] - unit[a] + unit[a2]
            cosines = unit @ point / np.linalg.norm(point)
            candidates = [w for w in range(len(unit)) if w not in (a, b, a2)]
            correct.append(candidates[int(np.argmax(cosines[candidates]))] == b2)
            target.append(cosines[b2])
            best.append(max(unit[b2] @ unit[w] for w in candidates if w != b2))
    return np.array(correct), np.array(target), np.array(best)


def test_pair_analogy_scores_match_naive_loop_and_evaluation():
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((40, 6))
    offset = rng.standard_normal(6)
    vectors[20:30] = vectors[:10] + 1.5 * offset  # ten pairs (i, i + 20) sharing an offset
    pairs = WordPairs(first=np.arange(10), second=np.arange(20, 30))
    scores = pair_analogy_scores(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), pairs)
    correct, target, best = naive_pair_scores(vectors, pairs)
    np.testing.assert_array_equal(scores.correct, correct)
    np.testing.assert_allclose(scores.target_cosine, target, atol=1e-12)
    np.testing.assert_allclose(scores.best_other_cosine, best, atol=1e-12)
    assert 0 < correct.mean() < 1  # a case that tests both outcomes
    # the same items, in the same order, as the workflow's pair protocol
    words = [f"w{i}" for i in range(40)]
    questions = {"c": [(f"w{i}", f"w{i + 20}", f"w{i + 1}", f"w{i + 21}") for i in range(0, 10, 2)]}
    analogies = build_pair_analogies(questions, words)
    np.testing.assert_array_equal(predict_answers(vectors, analogies) == analogies.answer, scores.correct)


def test_fig8_ratio_divides_by_the_targets_nearest_other_word():
    # a, b, a', b' and one more word c, all unit vectors
    unit = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1 / np.sqrt(2), 1 / np.sqrt(2)], [0.6, 0.8, 0]])
    scores = pair_analogy_scores(unit, WordPairs(first=np.array([0, 2]), second=np.array([1, 3])))
    # (a, b) -> (a', b'): x = (-1, 1, 1), cos(x, b') = 2 / sqrt(6); b''s nearest other word is c, cos 0.8 / sqrt(2)
    # (a', b') -> (a, b): x = (1, 1/sqrt2, 1/sqrt2 - 1), cos(x, b) = (1/sqrt2) / sqrt(3 - sqrt2); cos(c, b) = 0.8
    np.testing.assert_allclose(scores.target_cosine, [2 / np.sqrt(6), (1 / np.sqrt(2)) / np.sqrt(3 - np.sqrt(2))])
    np.testing.assert_allclose(scores.best_other_cosine, [0.8 / np.sqrt(2), 0.8])
    table = dimension_sweep(
        np.array([1.0, 1.0, 1.0]), unit @ np.eye(3), {"c": WordPairs(np.array([0, 2]), np.array([1, 3]))}, [3]
    )
    expected_ratio = np.mean([(2 / np.sqrt(6)) / (0.8 / np.sqrt(2)), (1 / np.sqrt(2)) / np.sqrt(3 - np.sqrt(2)) / 0.8])
    assert table["mean_cosine_ratio"].item() == pytest.approx(expected_ratio)


def test_sweep_dimensions_caps_at_computed_eigenpairs():
    authors = [4, 5, 8, 11, 16, 22, 32, 45, 64, 90, 128, 181, 256, 362, 512, 724, 1024, 1448, 2048, 2896, 4096]
    assert sweep_dimensions(4096) == authors
    assert sweep_dimensions(10_000) == authors
    assert sweep_dimensions(100) == [4, 5, 8, 11, 16, 22, 32, 45, 64, 90, 100]
    with pytest.raises(InputError, match="n_eigenpairs"):
        sweep_dimensions(3)


def test_dimension_sweep_on_planted_analogy_structure():
    rng = np.random.default_rng(4)
    n_words, n_eig = 200, 32
    eigvecs, _ = np.linalg.qr(rng.standard_normal((n_words, n_eig)))
    eigvals = np.linspace(3.0, 0.5, n_eig)
    pairs = WordPairs(first=np.arange(12), second=np.arange(100, 112))
    table = dimension_sweep(eigvals, eigvecs, {"c": pairs}, [4, 16, 32])
    assert table["dim"].tolist() == [4, 16, 32]
    assert (table["n_analogies"] == 12 * 11).all()
    assert table["accuracy"].between(0, 1).all()
    assert (table["snr"] >= 1).all()
    assert table["mean_target_cosine"].between(-1, 1).all()


def test_mp_upper_edge_fit_on_a_hand_computed_case():
    # centred rows with orthogonal columns (1,-1,1,-1), (1,-1,-1,1): R R^T / 2 has eigenvalues 2, 2, 0, 0
    centred = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    fit = fit_upper_edge(centred + np.array([3.0, -2.0]))  # the mean task vector does not matter
    assert fit.scale == pytest.approx(1.0)  # mean square entry after centring
    assert fit.ratio == pytest.approx((np.sqrt(2.0) - 1.0) ** 2)  # edge (1 + sqrt(gamma))^2 = 2
    assert fit.effective_dim == pytest.approx(4 / (np.sqrt(2.0) - 1.0) ** 2)
    assert fit.upper_edge == pytest.approx(2.0)
    with pytest.raises(InputError, match="does not exceed"):
        fit_upper_edge(np.array([[1.0, 0.0], [-1.0, 1.0], [0.0, -1.0]]))  # second eigenvalue 0.5 < 2/3


def test_ks_distance_of_a_planted_bulk_to_its_fit():
    n, dim = 300, 1200
    task = spiked_wishart(n, dim, np.full(dim, 0.5), np.full(dim, 0.8), seed=5)
    bulk = task_vector_spectrum(task)[1:]
    fit = fit_upper_edge(task)
    assert ks_distance(bulk, fit) < 0.05
    assert ks_distance(bulk * 1.5, fit) > 0.2  # a bulk 50 % too wide is far off
    # one eigenvalue at the law's median: the distribution functions differ by 1/2 on either side
    median = (
        fit.lower_edge
        + (fit.upper_edge - fit.lower_edge)
        * np.argmin(np.abs(fit.cdf(np.linspace(fit.lower_edge, fit.upper_edge, 20001)) - 0.5))
        / 20000
    )
    assert ks_distance(np.array([median]), fit) == pytest.approx(0.5, abs=1e-3)


def test_snr_and_spectra_use_raw_rows_of_the_embedding():
    # W = U diag(sqrt(4, 1)) = rows (1.2, 0), (0, 0.6), (1.6, 0), (0, 0.8); pairs (0, 2), (1, 3) give
    # r = (0.4, 0), (0, 0.2): R R^T / 2 = diag(0.08, 0.02), SNR = 0.08 / (0.10 / 2) = 1.6. Normalised
    # rows would make both task vectors zero.
    eigvecs = np.array([[0.6, 0.0], [0.0, 0.6], [0.8, 0.0], [0.0, 0.8]])
    eigvals = np.array([4.0, 1.0])
    pairs = {"c": WordPairs(first=np.array([0, 1]), second=np.array([2, 3]))}
    assert dimension_sweep(eigvals, eigvecs, pairs, [2])["snr"].item() == pytest.approx(1.6)
    spectra = task_vector_spectra(eigvals, eigvecs, pairs, [2], localisation_dim=100)
    eigenvalues = spectra[(spectra["series"] == "eigenvalue")]["y"].to_numpy()
    np.testing.assert_allclose(eigenvalues, [0.08, 0.02])
    share = spectra[spectra["panel"] == "localisation"]
    # mean task vector (0.2, 0.1): shares 0.8, 0.2, shown at d = min(100, 2)
    np.testing.assert_allclose(share["y"], [0.8, 0.2])
    assert (share["dim"] == 2).all()
