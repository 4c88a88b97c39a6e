"""The matrices whose spectra the workflow takes (`build_matrix`, docs/paper.md section 2), and the
top eigenpairs of a symmetric matrix by largest *algebraic* eigenvalue (`top_eigenpairs`).

Why not one library call: at V = 10k on 2 cores, a full float64 `eigh` takes about two minutes,
LAPACK's subset driver about one, and ARPACK's Lanczos (`eigsh`) longer still; randomized SVD
selects by magnitude and returns M*'s large *negative* eigenvalues. What is used instead:

1. float32 block Krylov: block Lanczos with full reorthogonalisation from a seeded random block,
   followed by Rayleigh-Ritz. Float32 halves the cost of the products with the V x V matrix,
   which dominate; it only has to find a good subspace, not accurate numbers.
2. float64 refinement: Rayleigh-Ritz in float64 on the Ritz vectors, then augmented steps
   (Rayleigh-Ritz on [X, residuals of X]: one more Krylov block each) until the top-k Ritz values
   stop moving. Ritz values of a growing subspace only increase towards the true values, so the
   change per step, extrapolated with its observed rate, estimates the remaining error.

Rayleigh-Ritz keeps the largest algebraic Ritz values, so large negative eigenvalues are never
taken for wanted ones. When k is a large fraction of V (or V is small) the dense LAPACK subset
solver is as fast and exact; on CUDA, torch's dense float64 `eigh` is both.

Output convention: eigenvalues descending, eigenvectors as columns, each column's entry of
largest magnitude made positive (the first such entry on ties), so results are reproducible.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from w2vtheory.closed_form import statistics
from w2vtheory.devices import device_name
from w2vtheory.errors import InputError

log = logging.getLogger(__name__)

# The accuracy promised to callers: |lambda_i - exact| <= RELATIVE_TOLERANCE * scale_i, with
# scale_i = max(|lambda_i|, ZERO_SCALE * |lambda_1|) so that eigenvalues near zero are judged
# against the spectrum's size rather than against themselves.
RELATIVE_TOLERANCE = 1e-6
ZERO_SCALE = 1e-3
# Refinement stops once its error estimate is this far inside the promise.
_SAFETY_FACTOR = 0.1
# The dense subset solver is used when k is at least this fraction of V (the Krylov blocks
# grow with k, and at k = 1024, V = 5000 its refinement steps were slower than one dense solve),
# or V is this small.
_DENSE_FRACTION = 0.1
_DENSE_MAX_SIZE = 1500
# Krylov stage: block size k + max(k * _EXTRA_FRACTION, _MIN_EXTRA) and this many blocks, the
# subspace kept below _MAX_SUBSPACE_FRACTION of V (past that, dense is cheaper).
_EXTRA_FRACTION = 0.5
_MIN_EXTRA = 16
_KRYLOV_BLOCKS = 8
_MAX_SUBSPACE_FRACTION = 0.5
# A new Krylov direction whose norm after orthogonalisation falls below this fraction of the
# block's norm lies (numerically) in the subspace already found, and is dropped.
_KRYLOV_DROP = 1e-4
_REFINE_DROP = 1e-12
# Float64 steps per cycle: they go on while each cuts the change at least by _RESTART_RATE (a
# float32 Krylov cycle is worth about five float64 steps).
_MAX_REFINEMENT_STEPS = 10
_RESTART_RATE = 0.5
_MAX_CYCLES = 8
# Relative changes this small are float64 rounding, not convergence.
_ROUNDING_LEVEL = 1e-12
_MIN_ASSUMED_RATE = 0.5
_SEED = 20250209


# The matrices a spectrum can be taken of (the `{matrix}` of spectrum/<matrix>_eigvals.npy).
MATRICES = ("mstar", "pmi", "ppmi", "pair_ratio")


def build_matrix(
    name: str,
    cooccurrence: np.ndarray,
    counts: np.ndarray,
    window: int,
    n_pairs: int,
    negative_weight: float,
    pmi_floor: float,
) -> np.ndarray:
    """The V x V matrix `name` from the weighted counts C, the unigram counts, L, N, k and the PMI floor."""
    if name not in MATRICES:
        raise InputError(f"matrix = {name!r}: use one of {', '.join(MATRICES)}")
    joint = statistics.joint_probability(cooccurrence, n_pairs, window)
    unigram = statistics.unigram_probability(counts)
    if name == "mstar":
        return statistics.mstar(joint, unigram, negative_weight)
    if name == "pmi":
        return statistics.pmi(joint, unigram, pmi_floor)
    if name == "ppmi":
        return statistics.ppmi(joint, unigram, pmi_floor)
    return statistics.pair_ratio(joint, unigram)


def top_eigenpairs(
    matrix: np.ndarray, k: int, *, device: str = "auto", n_threads: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The k largest (algebraic) eigenvalues of a symmetric matrix, descending, and their
    eigenvectors as the columns of a V x k array (sign convention in the module docstring)."""
    matrix = _check_matrix(matrix)
    size = matrix.shape[0]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= size:
        raise ValueError(f"k = {k!r}: need an integer from 1 to the matrix size {size}")
    k = int(k)
    where = device_name(device)
    with _thread_limit(n_threads):
        if where == "cuda":
            values, vectors = _torch_dense_eigenpairs(matrix, k, "cuda")
        elif k >= _DENSE_FRACTION * size or size <= _DENSE_MAX_SIZE:
            values, vectors = _dense_eigenpairs(matrix, k)
        else:
            values, vectors = _krylov_eigenpairs(matrix, k)
    return values, fix_signs(vectors)


def fix_signs(vectors: np.ndarray) -> np.ndarray:
    """Flip each column so that its entry of largest magnitude (the first, on ties) is positive."""
    if vectors.shape[0] == 0:
        return vectors
    rows = np.argmax(np.abs(vectors), axis=0)
    signs = np.where(vectors[rows, np.arange(vectors.shape[1])] < 0, -1.0, 1.0)
    return vectors * signs


def _check_matrix(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError(f"need a non-empty square matrix, got shape {matrix.shape}")
    matrix = np.ascontiguousarray(matrix, dtype=np.float64)
    largest = max(float(matrix.max()), -float(matrix.min()))
    if not np.isfinite(largest):
        raise ValueError("the matrix has non-finite entries")
    if _max_asymmetry(matrix) > 1e-12 * largest:
        raise ValueError("the matrix is not symmetric")
    return matrix


def _max_asymmetry(matrix: np.ndarray, rows: int = 512) -> float:
    """max |A - A^T|, a band of rows at a time so no V x V temporary is made."""
    worst = 0.0
    for start in range(0, matrix.shape[0], rows):
        band = slice(start, start + rows)
        worst = max(worst, float(np.abs(matrix[band] - matrix[:, band].T).max()))
    return worst


@contextlib.contextmanager
def _thread_limit(n_threads: int | None) -> Iterator[None]:
    if n_threads is None:
        yield
        return
    if n_threads < 1:
        raise InputError(f"threads = {n_threads}: use at least 1 thread")
    with threadpool_limits(limits=int(n_threads)):
        yield


def _descending(values: np.ndarray, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(values, kind="stable")[::-1]
    return values[order], vectors[:, order]


def _dense_eigenpairs(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    size = matrix.shape[0]
    values, vectors = scipy.linalg.eigh(matrix, subset_by_index=[size - k, size - 1], check_finite=False)
    return _descending(values, vectors)


def _torch_dense_eigenpairs(matrix: np.ndarray, k: int, device: str) -> tuple[np.ndarray, np.ndarray]:
    import torch

    values, vectors = torch.linalg.eigh(torch.from_numpy(matrix).to(device))
    top = slice(matrix.shape[0] - k, None)
    return _descending(values[top].cpu().numpy(), vectors[:, top].cpu().numpy())


def _krylov_eigenpairs(
    matrix: np.ndarray, k: int, block_size: int | None = None, n_blocks: int = _KRYLOV_BLOCKS
) -> tuple[np.ndarray, np.ndarray]:
    """Float32 block Krylov cycles, each followed by float64 refinement (module docstring).

    A cycle's float64 steps continue while they converge fast; once they slow down, the next
    cycle restarts the float32 block Krylov space from the current Ritz vectors.
    """
    size = matrix.shape[0]
    if block_size is None:
        block_size = k + max(int(_EXTRA_FRACTION * k), _MIN_EXTRA)
    block_size = min(block_size, size)
    n_blocks = max(2, min(n_blocks, int(_MAX_SUBSPACE_FRACTION * size) // block_size))
    scale = max(float(matrix.max()), -float(matrix.min()))
    if scale == 0.0:
        return _dense_eigenpairs(matrix, k)
    # Scaled to entries of size <= 1 so that float32 neither overflows nor underflows.
    scaled = np.empty(matrix.shape, dtype=np.float32)
    np.multiply(matrix, 1.0 / scale, out=scaled, casting="same_kind")
    start = np.random.default_rng(_SEED).standard_normal((size, block_size)).astype(np.float32)
    for cycle in range(1, _MAX_CYCLES + 1):
        basis = _orthonormalize(_krylov_ritz_vectors(scaled, start, n_blocks).astype(np.float64), drop_below=0.5)
        values, vectors, images = _rayleigh_ritz(basis, matrix @ basis, block_size)
        # Rates are only compared between float64 steps of one cycle, which behave alike.
        monitor = _ConvergenceMonitor(k)
        monitor.update(values)
        for step in range(1, _MAX_REFINEMENT_STEPS + 1):
            values, vectors, images = _augmented_step(matrix, values, vectors, images)
            estimate, rate = monitor.update(values)
            log.info(
                "cycle %d, float64 step %d: top-%d eigenvalues moved %.2e (estimated error %.2e)",
                cycle,
                step,
                k,
                monitor.change,
                estimate,
            )
            if estimate <= _SAFETY_FACTOR * RELATIVE_TOLERANCE:
                return values[:k], vectors[:, :k]
            if rate > _RESTART_RATE:
                break
        start = vectors.astype(np.float32)
    log.warning("block Krylov did not converge in %d cycles; falling back to the dense solver", _MAX_CYCLES)
    return _dense_eigenpairs(matrix, k)


class _ConvergenceMonitor:
    """Tracks how far the top-k Ritz values move per step, relative to
    max(|lambda_i|, ZERO_SCALE |lambda_1|). Ritz values only increase towards the eigenvalues, so
    with linear convergence at the observed rate, change * rate / (1 - rate) is left to go."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.values: np.ndarray | None = None
        self.change = np.inf

    def update(self, values: np.ndarray) -> tuple[float, float]:
        """(estimated remaining error, observed rate or nan) after the step that produced `values`."""
        top = values[: self.k]
        if self.values is None:
            self.values = top
            return np.inf, np.nan
        scale = np.maximum(np.abs(top), ZERO_SCALE * np.abs(top[0]))
        change = float(np.max(np.abs(top - self.values) / scale))
        # nan while unknown (first step), so that it never triggers a restart
        rate = change / self.change if np.isfinite(self.change) and self.change > 0 else np.nan
        self.values, self.change = top, change
        if change <= _ROUNDING_LEVEL:
            return 0.0, 0.0  # changes at rounding level: nothing left to converge
        # The first rates of a cycle can flatter the tail, so no rate below 1/2 is trusted.
        assumed = max(rate, _MIN_ASSUMED_RATE)
        return (change * assumed / (1.0 - assumed) if assumed < 1.0 else np.inf), rate


def _krylov_ritz_vectors(matrix: np.ndarray, start: np.ndarray, n_blocks: int) -> np.ndarray:
    """The top Ritz vectors (as many as `start` has columns) of the block Krylov space
    span{S, AS, ..., A^(n_blocks-1) S}, in the matrix's precision.

    The projected matrix K^T A K is assembled from the coefficients of the orthogonalisation
    (each block's image is projected on all earlier blocks anyway), so it costs no extra product.
    """
    size, block_size = start.shape
    capacity = block_size * n_blocks
    basis = np.empty((size, capacity), dtype=matrix.dtype, order="F")
    projected = np.zeros((capacity, capacity))
    first = _orthonormalize(start.astype(matrix.dtype), drop_below=0.0)
    basis[:, : first.shape[1]] = first
    begin, used = 0, first.shape[1]
    for block in range(n_blocks):
        image = matrix @ basis[:, begin:used]
        reference = float(np.linalg.norm(image, axis=0).max())
        projected[:used, begin:used] = _project_out(image, basis[:, :used])
        if block == n_blocks - 1:
            break
        extension = _orthonormal_extension(image, basis[:, :used], _KRYLOV_DROP * reference)
        if extension.shape[1] == 0:
            break  # the space is invariant: it holds every eigenvector it will ever reach
        width = min(extension.shape[1], capacity - used)
        basis[:, used : used + width] = extension[:, :width]
        begin, used = used, used + width
    upper = np.triu(projected[:used, :used])
    _, rotation = scipy.linalg.eigh(
        upper + np.triu(upper, 1).T,
        subset_by_index=[max(0, used - block_size), used - 1],
        check_finite=False,
    )
    return basis[:, :used] @ rotation[:, ::-1].astype(matrix.dtype)


def _augmented_step(
    matrix: np.ndarray, values: np.ndarray, vectors: np.ndarray, images: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rayleigh-Ritz on [X, residuals of X]: one more Krylov block, in float64."""
    residuals = images - vectors * values
    _project_out(residuals, vectors)
    extension = _orthonormal_extension(residuals, vectors, _REFINE_DROP * float(np.abs(values).max()))
    if extension.shape[1] == 0:
        return values, vectors, images  # X spans an invariant subspace: nothing left to gain
    return _rayleigh_ritz(np.hstack([vectors, extension]), np.hstack([images, matrix @ extension]), vectors.shape[1])


def _rayleigh_ritz(basis: np.ndarray, images: np.ndarray, kept: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top `kept` Ritz pairs of the orthonormal `basis` (with images = A @ basis), descending,
    and the images of the Ritz vectors."""
    projected = basis.T @ images
    size = projected.shape[0]
    kept = min(kept, size)
    values, rotation = scipy.linalg.eigh(
        (projected + projected.T) / 2, subset_by_index=[size - kept, size - 1], check_finite=False
    )
    rotation = rotation[:, ::-1]
    return values[::-1], basis @ rotation, images @ rotation


def _project_out(vectors: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """vectors -= basis (basis^T vectors), in place; returns the coefficients basis^T vectors."""
    coefficients = basis.T @ vectors
    vectors -= basis @ coefficients
    return coefficients


def _orthonormal_extension(projected: np.ndarray, basis: np.ndarray, drop_below: float) -> np.ndarray:
    """Orthonormal columns spanning `projected` (already projected out of `basis` once), with
    directions of norm below drop_below discarded; a second projection pass keeps the result
    orthogonal to `basis` to working precision (classical Gram-Schmidt, twice)."""
    extension = _orthonormalize(projected, drop_below)
    _project_out(extension, basis)
    return _orthonormalize(extension, drop_below=0.5)


def _orthonormalize(vectors: np.ndarray, drop_below: float) -> np.ndarray:
    """Orthonormal basis of span(vectors) through the eigendecomposition of the Gram matrix
    (computed in float64), leaving out directions whose norm is below drop_below. Cheaper than
    Householder QR for tall blocks, and it handles rank deficiency."""
    if vectors.shape[1] == 0:
        return vectors
    wide = vectors.astype(np.float64, copy=False)
    squares, directions = np.linalg.eigh(wide.T @ wide)
    keep = squares > max(drop_below**2, np.finfo(vectors.dtype).eps * max(float(squares[-1]), 0.0))
    return vectors @ (directions[:, keep] / np.sqrt(squares[keep])).astype(vectors.dtype)
