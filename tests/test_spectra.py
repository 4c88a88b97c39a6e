"""top_eigenpairs against numpy.linalg.eigh on matrices with M*-like spectra: large negative
eigenvalues, a decaying positive top, near-degenerate clusters."""

from __future__ import annotations

import numpy as np
import pytest

from w2vtheory.closed_form import spectra
from w2vtheory.closed_form.spectra import fix_signs, top_eigenpairs
from w2vtheory.devices import cuda_available, device_name
from w2vtheory.errors import InputError


def matrix_with_spectrum(eigenvalues: np.ndarray, seed: int) -> np.ndarray:
    """Q diag(eigenvalues) Q^T with a random orthogonal Q, exactly symmetric."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    matrix = (basis * eigenvalues) @ basis.T
    return (matrix + matrix.T) / 2


def mstar_like_spectrum(size: int, seed: int) -> np.ndarray:
    """A few huge negative eigenvalues, a power-law positive top, a dense bulk around zero, and
    clusters that are degenerate or split by 1e-9."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 1.0, size)
    values[:5] = [-400.0, -120.0, -60.0, -60.0 + 1e-9, -45.0]
    top = 1000.0 * np.arange(1, 61) ** -1.2
    top[[10, 11, 12]] = top[10]  # an exactly degenerate cluster
    top[20:24] = top[20] + np.array([0.0, 1e-9, 2e-9, 3e-9])  # a near-degenerate one
    values[5:65] = top
    return values


def exact_top(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    values, vectors = np.linalg.eigh(matrix)
    return values[::-1][:k], vectors[:, ::-1][:, :k]


def check_eigenpairs(matrix: np.ndarray, k: int, values: np.ndarray, vectors: np.ndarray) -> None:
    all_values = np.linalg.eigvalsh(matrix)[::-1]
    expected = all_values[:k]
    assert values.shape == (k,) and vectors.shape == (matrix.shape[0], k)
    assert np.all(np.diff(values) <= 0)
    scale = np.maximum(np.abs(expected), spectra.ZERO_SCALE * np.abs(expected[0]))
    assert np.max(np.abs(values - expected) / scale) <= spectra.RELATIVE_TOLERANCE
    residual = np.linalg.norm(matrix @ vectors - vectors * values, axis=0)
    assert residual.max() <= 1e-5 * np.abs(all_values).max()
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(k), atol=1e-10)
    check_signs(vectors)


def check_signs(vectors: np.ndarray) -> None:
    rows = np.argmax(np.abs(vectors), axis=0)
    assert np.all(vectors[rows, np.arange(vectors.shape[1])] > 0)


def force_krylov(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send small matrices through the block Krylov path, and fail if it falls back to dense."""

    def fail(*args, **kwargs):
        raise AssertionError("the dense solver was used")

    monkeypatch.setattr(spectra, "_DENSE_MAX_SIZE", 0)
    monkeypatch.setattr(spectra, "_dense_eigenpairs", fail)


@pytest.fixture(scope="module")
def mstar_like() -> np.ndarray:
    return matrix_with_spectrum(mstar_like_spectrum(800, seed=1), seed=2)


def test_krylov_path_matches_eigh_on_mstar_like_spectrum(mstar_like, monkeypatch):
    force_krylov(monkeypatch)
    values, vectors = top_eigenpairs(mstar_like, 40, device="cpu")
    check_eigenpairs(mstar_like, 40, values, vectors)
    assert values[-1] > 0  # the large negative eigenvalues were not picked by magnitude


def test_well_separated_eigenvectors_match_eigh(mstar_like, monkeypatch):
    force_krylov(monkeypatch)
    values, vectors = top_eigenpairs(mstar_like, 40, device="cpu")
    _, expected = exact_top(mstar_like, 40)
    separated = [0, 1, 2, 3, 4, 5, 30]
    np.testing.assert_allclose(vectors[:, separated], fix_signs(expected[:, separated]), atol=1e-6)
    # Inside a degenerate cluster only the subspace is defined: compare projectors.
    for cluster in (slice(10, 13), slice(20, 24)):
        np.testing.assert_allclose(
            vectors[:, cluster] @ vectors[:, cluster].T, expected[:, cluster] @ expected[:, cluster].T, atol=1e-6
        )


def test_deterministic(mstar_like, monkeypatch):
    force_krylov(monkeypatch)
    first = top_eigenpairs(mstar_like, 40, device="cpu")
    second = top_eigenpairs(mstar_like.copy(), 40, device="cpu")
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_top_k_reaching_into_negative_eigenvalues(monkeypatch):
    values = np.concatenate([[50.0, 20.0, 5.0], -np.linspace(1.0, 300.0, 797)])
    matrix = matrix_with_spectrum(values, seed=3)
    force_krylov(monkeypatch)
    found, vectors = top_eigenpairs(matrix, 12, device="cpu")
    check_eigenpairs(matrix, 12, found, vectors)
    assert np.count_nonzero(found < 0) == 9


def test_low_rank_matrix_exhausts_the_krylov_space(monkeypatch):
    rng = np.random.default_rng(4)
    factor = rng.standard_normal((800, 8))
    matrix = factor @ np.diag(np.linspace(-5.0, 3.0, 8)) @ factor.T
    matrix = (matrix + matrix.T) / 2
    force_krylov(monkeypatch)
    values, vectors = top_eigenpairs(matrix, 10, device="cpu")
    expected, _ = exact_top(matrix, 10)
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-9 * np.abs(expected).max())
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(10), atol=1e-10)
    residual = np.linalg.norm(matrix @ vectors - vectors * values, axis=0)
    assert residual.max() <= 1e-8 * np.abs(expected).max()


@pytest.mark.parametrize("k", [1, 7, 150, 600])
def test_small_and_large_k(k):
    matrix = matrix_with_spectrum(mstar_like_spectrum(600, seed=5), seed=6)
    values, vectors = top_eigenpairs(matrix, k, device="cpu")
    check_eigenpairs(matrix, k, values, vectors)


def test_large_k_uses_dense_solver(monkeypatch):
    matrix = matrix_with_spectrum(mstar_like_spectrum(800, seed=7), seed=8)
    monkeypatch.setattr(spectra, "_DENSE_MAX_SIZE", 0)
    monkeypatch.setattr(spectra, "_krylov_eigenpairs", lambda *args: pytest.fail("Krylov path used"))
    values, vectors = top_eigenpairs(matrix, 250, device="cpu")
    check_eigenpairs(matrix, 250, values, vectors)


def test_thread_limit_gives_same_accuracy(mstar_like, monkeypatch):
    force_krylov(monkeypatch)
    values, vectors = top_eigenpairs(mstar_like, 20, device="cpu", n_threads=1)
    check_eigenpairs(mstar_like, 20, values, vectors)


def test_torch_dense_path_matches_eigh():
    pytest.importorskip("torch")
    matrix = matrix_with_spectrum(mstar_like_spectrum(300, seed=9), seed=10)
    values, vectors = spectra._torch_dense_eigenpairs(matrix, 30, "cpu")
    check_eigenpairs(matrix, 30, values, fix_signs(vectors))


def test_zero_matrix():
    values, vectors = top_eigenpairs(np.zeros((5, 5)), 2, device="cpu")
    assert np.array_equal(values, np.zeros(2))
    np.testing.assert_allclose(vectors.T @ vectors, np.eye(2), atol=1e-12)


def test_fix_signs_hand_case():
    vectors = np.array([[0.6, -0.8, 0.5], [-0.8, 0.6, -0.5]])
    np.testing.assert_array_equal(fix_signs(vectors), [[-0.6, 0.8, 0.5], [0.8, -0.6, -0.5]])


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="square"):
        top_eigenpairs(np.zeros((3, 4)), 1)
    with pytest.raises(ValueError, match="symmetric"):
        top_eigenpairs(np.array([[1.0, 2.0], [0.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="non-finite"):
        top_eigenpairs(np.array([[np.nan, 0.0], [0.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="k = 3"):
        top_eigenpairs(np.eye(2), 3)
    with pytest.raises(InputError, match="device"):
        top_eigenpairs(np.eye(2), 1, device="gpu")
    with pytest.raises(InputError, match="threads"):
        top_eigenpairs(np.eye(2), 1, device="cpu", n_threads=0)


def test_cuda_request_without_gpu_names_the_fix():
    if cuda_available():
        pytest.skip("a CUDA device is visible")
    with pytest.raises(InputError, match="use device: auto or cpu"):
        device_name("cuda")
    assert device_name("auto") == "cpu"
