"""Throughput of the co-occurrence kernel against a straightforward single-threaded numba loop.

    .venv/bin/python benchmarks/bench_cooccurrence.py                       # synthetic Zipf tokens
    .venv/bin/python benchmarks/bench_cooccurrence.py --corpus results/<experiment>  # real tokens

Prints tokens/s of the baseline (the definition of docs/paper.md section 2 written as one loop), of the
production kernel on one thread and on all threads, the speed-up, and checks that all agree
exactly. The default run (24M tokens, V = 10k, L = 16) takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numba
import numpy as np

from w2vtheory.corpus.cooccurrence import count_cooccurrence
from w2vtheory.corpus.vocab import restricted_token_dtype


@numba.njit(cache=True)
def straightforward_cooccurrence(tokens: np.ndarray, doc_offsets: np.ndarray, vocab_size: int, window: int):
    counts = np.zeros((vocab_size, vocab_size), dtype=np.float64)
    for doc in range(len(doc_offsets) - 1):
        end = doc_offsets[doc + 1]
        for position in range(doc_offsets[doc], end):
            a = tokens[position]
            for offset in range(1, window + 1):
                if position + offset >= end:
                    break
                b = tokens[position + offset]
                counts[a, b] += window + 1 - offset
                counts[b, a] += window + 1 - offset
    return counts


def zipf_corpus(n_tokens: int, vocab_size: int, mean_document: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Tokens with P(rank r) proportional to 1 / (r + 2.7) (Zipf-Mandelbrot, close to English text)
    in documents of geometric length."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / (np.arange(vocab_size) + 2.7)
    tokens = rng.choice(vocab_size, size=n_tokens, p=weights / weights.sum()).astype(restricted_token_dtype(vocab_size))
    lengths = rng.geometric(1.0 / mean_document, size=2 * n_tokens // mean_document + 10)
    ends = np.cumsum(lengths)
    ends = np.append(ends[ends < n_tokens], n_tokens)
    return tokens, np.concatenate([[0], ends]).astype(np.int64)


def real_corpus(directory: Path, n_tokens: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    """An experiment directory's restricted tokens, cut to the documents within the first n_tokens."""
    tokens = np.asarray(np.load(directory / "tokens.npy", mmap_mode="r"))  # a plain view of the map
    offsets = np.load(directory / "doc_offsets.npy")
    with open(directory / "vocab.tsv", encoding="utf-8") as handle:
        vocab_size = sum(1 for _ in handle)
    if n_tokens is not None and n_tokens < offsets[-1]:
        offsets = offsets[: max(2, int(np.searchsorted(offsets, n_tokens, side="right")))]
    return tokens, offsets, vocab_size


def timed(label: str, n_tokens: int, repeat: int, function, *args) -> tuple[np.ndarray, float]:
    """Run `repeat` times; print tokens/s of the fastest wall time, and its CPU seconds (all
    threads), which show how far other load on the machine held the run back."""
    best = (np.inf, np.inf)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args)
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    wall, cpu = best
    print(f"{label:<40} {n_tokens / wall / 1e6:7.2f} M tokens/s  ({wall:6.2f} s wall, {cpu:6.2f} s CPU)", flush=True)
    return result, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="experiment directory with tokens.npy, doc_offsets.npy, vocab.tsv")
    parser.add_argument("--tokens", type=int, default=24_000_000, help="number of tokens (synthetic) or cap (real)")
    parser.add_argument("--vocab-size", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=16)
    parser.add_argument("--mean-document", type=int, default=2_000, help="synthetic mean document length")
    parser.add_argument("--threads", type=int, default=numba.config.NUMBA_NUM_THREADS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each kernel; the fastest is reported")
    args = parser.parse_args()

    if args.corpus is None:
        tokens, offsets = zipf_corpus(args.tokens, args.vocab_size, args.mean_document, args.seed)
        vocab_size, source = args.vocab_size, f"synthetic Zipf, {len(offsets) - 1} documents"
    else:
        tokens, offsets, vocab_size = real_corpus(args.corpus, args.tokens)
        source = f"{args.corpus}, {len(offsets) - 1} documents"
    n_tokens = int(offsets[-1])
    print(f"{n_tokens:,} tokens ({source}), V = {vocab_size:,}, window = {args.window}")

    # Compile (or load from the cache) on a slice of the same array type, outside the timings.
    head = tokens[: min(4, n_tokens)], np.array([0, min(4, n_tokens)], dtype=np.int64)
    straightforward_cooccurrence(*head, vocab_size, args.window)
    count_cooccurrence(*head, vocab_size, args.window, 1)

    problem = (tokens, offsets, vocab_size, args.window)
    baseline, baseline_seconds = timed(
        "straightforward numba loop, 1 thread", n_tokens, args.repeat, straightforward_cooccurrence, *problem
    )
    single, single_seconds = timed(
        "count_cooccurrence, 1 thread", n_tokens, args.repeat, count_cooccurrence, *problem, 1
    )
    threaded, threaded_seconds = timed(
        f"count_cooccurrence, up to {args.threads} threads",
        n_tokens,
        args.repeat,
        count_cooccurrence,
        *problem,
        args.threads,
    )
    print(
        f"speed-up over the straightforward loop: {baseline_seconds / threaded_seconds:.1f}x "
        f"({baseline_seconds / single_seconds:.1f}x on 1 thread)"
    )
    identical = np.array_equal(baseline, single) and np.array_equal(baseline, threaded)
    print(f"results identical: {identical}")
    if not identical:
        raise SystemExit("the kernels disagree")


if __name__ == "__main__":
    main()
