"""Top-k algebraic eigenpairs of an M*-like matrix: top_eigenpairs against LAPACK.

    .venv/bin/python benchmarks/bench_spectra.py [--vocab 10000 --k 200 --threads 2 --skip-full]

The matrix is M* (w2vtheory.closed_form.statistics) of random co-occurrence counts: Zipf unigram frequencies,
pair affinities from a power-law latent structure, Poisson counts with the rarest pairs expected
about 3 times. Its spectrum has the shape of the real one (at V = 10k about 4,600 non-negative
eigenvalues, a large negative outlier, a dense bulk around lambda_200). Prints the wall time of
the full float64 eigh (numpy), of scipy's subset driver for the top k, and of top_eigenpairs, the
ratios, and the largest relative eigenvalue error and residual of top_eigenpairs against the
reference (the full eigh, or the subset solver with --skip-full). The default run takes about
5 minutes on 2 idle cores, of which the full eigh is about 2.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from w2vtheory.closed_form import spectra, statistics
from w2vtheory.closed_form.spectra import top_eigenpairs


def mstar_like_matrix(vocab_size: int, seed: int = 0, latent_rank: int = 400) -> np.ndarray:
    rng = np.random.default_rng(seed)
    frequency = 1.0 / (np.arange(1, vocab_size + 1) + 2.7)
    scales = np.arange(1, latent_rank + 1) ** -0.5
    latent = rng.standard_normal((vocab_size, latent_rank)) * (scales / np.linalg.norm(scales))
    expected = latent @ latent.T
    expected *= 2.0
    np.exp(expected, out=expected)
    expected *= frequency[:, None]
    expected *= frequency[None, :]
    expected *= 3.0 / expected.min()
    counts = rng.poisson(np.triu(expected)).astype(np.float64)
    del expected
    counts += np.triu(counts, 1).T
    n_pairs = int(counts.sum())
    joint = statistics.joint_probability(counts, n_pairs, window=1)
    return statistics.mstar(joint, statistics.unigram_probability(counts.sum(axis=1)))


def timed(label: str, function: Callable[[], tuple[np.ndarray, np.ndarray]]) -> tuple[float, np.ndarray, np.ndarray]:
    start = time.perf_counter()
    values, vectors = function()
    seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:8.1f} s", flush=True)
    return seconds, values, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads (default: all)")
    parser.add_argument(
        "--skip-full", action="store_true", help="skip the full eigh; the subset solver is the reference"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    matrix = mstar_like_matrix(args.vocab, args.seed)
    print(f"M*-like matrix, V = {args.vocab}, k = {args.k}: built in {time.perf_counter() - start:.1f} s", flush=True)
    size, k = args.vocab, args.k
    with threadpool_limits(limits=args.threads):
        times = {}
        if not args.skip_full:
            times["full"], all_values, _ = timed("numpy.linalg.eigh (all pairs)", lambda: np.linalg.eigh(matrix))
            reference = all_values[::-1][:k]
            print(f"  non-negative eigenvalues: {np.count_nonzero(all_values >= 0)} of {size}")
        times["subset"], subset_values, _ = timed(
            "scipy.linalg.eigh subset (top k)",
            lambda: scipy.linalg.eigh(matrix, subset_by_index=[size - k, size - 1], check_finite=False),
        )
        if args.skip_full:
            reference = subset_values[::-1]
        times["ours"], values, vectors = timed(
            "top_eigenpairs", lambda: top_eigenpairs(matrix, k, device="cpu", n_threads=args.threads)
        )
    scale = np.maximum(np.abs(reference), spectra.ZERO_SCALE * np.abs(reference[0]))
    error = np.max(np.abs(values - reference) / scale)
    residual = np.max(np.linalg.norm(matrix @ vectors - vectors * values, axis=0)) / np.abs(reference[0])
    print(f"speed-up vs subset solver: {times['subset'] / times['ours']:.1f}x")
    if "full" in times:
        print(f"speed-up vs full eigh:     {times['full'] / times['ours']:.1f}x")
    print(f"max relative eigenvalue error: {error:.2e} (promised {spectra.RELATIVE_TOLERANCE:.0e})")
    print(f"max residual |Av - lambda v| / lambda_1: {residual:.2e}")
    print(f"lambda_1 = {reference[0]:.6g}, lambda_k = {reference[-1]:.6g}")


if __name__ == "__main__":
    main()
