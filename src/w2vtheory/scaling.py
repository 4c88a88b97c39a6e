"""Cost model of the rules from the corpus to the closed-form embeddings (docs/scaling.md).

Each rule's CPU time and peak resident memory as a function of the corpus size N (tokens), the
vocabulary size V and, for tokenising, the number of distinct words T:

    CPU seconds = fixed + per_token N + per_vocab_squared V^2 + per_vocab_cubed V^3
    peak bytes  = fixed + per_token N + per_vocab_squared V^2 + per_type T

The coefficients were measured with benchmarks/bench_scale.py on a generated Wikipedia-like
corpus of 20 M to 200 M tokens at V = 10k and 20k, on a 2-core machine shared with other jobs
(docs/scaling.md has the table and the fit). Wall time on `threads` cores is the CPU time divided
by the cores the rule keeps busy. The workflow asks for memory from `request_mb`, and the SLURM
profile's runtimes are set from `wall_seconds` at the paper's scale (tests/test_scaling.py checks
that they cover it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# enwiki500 (docs/paper.md section 3): about 2.0 B tokens.
PAPER_TOKENS = 2_000_000_000
# Distinct a-z words assumed for enwiki500 when sizing tokenising: an assumption, not a
# measurement (the generated corpus has 300k); `wc -l lexicon.tsv` after tokenising tells.
PAPER_TYPES = 10_000_000
# Requests are the prediction times this factor: other CPUs, other load, a sampled peak.
REQUEST_MARGIN = 1.5
MB = 1e6


@dataclass(frozen=True)
class RuleCost:
    """Coefficients of one rule (see the module docstring); `parallel`: whether its threads share the work."""

    parallel: bool
    fixed_seconds: float = 0.0
    seconds_per_token: float = 0.0
    seconds_per_vocab_squared: float = 0.0
    seconds_per_vocab_cubed: float = 0.0
    fixed_bytes: float = 0.0
    bytes_per_token: float = 0.0
    bytes_per_vocab_squared: float = 0.0
    bytes_per_type: float = 0.0


COSTS: dict[str, RuleCost] = {
    # Worker processes tokenise, the main process merges: core-seconds are taken as 2 x the wall
    # time with 2 workers on 2 cores (1.36-1.78 us per token measured; Snakemake's sampled CPU
    # time misses the workers). Memory: batch buffers (flat from 20 M to 200 M tokens) plus the
    # lexicon, a Python dict and strings of 190 bytes per distinct word (measured on 2 M words).
    "tokenize_corpus": RuleCost(
        parallel=True,
        fixed_seconds=10.0,
        seconds_per_token=3.6e-6,
        fixed_bytes=1.04e9,
        bytes_per_token=0.5,
        bytes_per_type=190.0,
    ),
    # One thread, a block of documents at a time (measured 0.32-0.44 GB from 20 M to 200 M tokens).
    "build_vocab": RuleCost(
        parallel=False, fixed_seconds=7.0, seconds_per_token=3.0e-8, fixed_bytes=3.4e8, bytes_per_token=0.6
    ),
    # One V x V float64 accumulator shared by the threads and a chunk of tokens; the V^2 time is
    # allocating (page faults), symmetrising and writing the matrix. Per corpus token at V = 20k
    # (slower than at 10k: rows twice as long), which covers V = 10k.
    "count_cooccurrence": RuleCost(
        parallel=True,
        fixed_seconds=10.0,
        seconds_per_token=7.0e-7,
        seconds_per_vocab_squared=2.0e-7,
        fixed_bytes=3.0e8,
        bytes_per_token=0.6,
        bytes_per_vocab_squared=8.0,
    ),
    # The dense eigensolver (LAPACK's subset driver at n_eigenpairs = 4096): 500-545 CPU seconds at
    # V = 10k; memory about 3 V x V float64 matrices (2.2-2.4 GB measured at V = 10k).
    "compute_spectrum": RuleCost(
        parallel=True,
        fixed_seconds=10.0,
        seconds_per_vocab_cubed=5.5e-10,
        fixed_bytes=4.0e8,
        bytes_per_vocab_squared=22.0,
    ),
    # Reads the 4096 eigenvectors (V x 4096 float64, 3.3 bytes per V^2 at V = 10k: 0.62 GB measured).
    "closed_form_embedding": RuleCost(
        parallel=False, fixed_seconds=10.0, fixed_bytes=2.5e8, bytes_per_vocab_squared=4.0
    ),
    # V x d embeddings and the benchmark files (0.34 GB measured at V = 10k).
    "evaluate_embedding": RuleCost(parallel=False, fixed_seconds=15.0, fixed_bytes=3.5e8, bytes_per_vocab_squared=1.0),
}


def cost(rule: str) -> RuleCost:
    if rule not in COSTS:
        raise KeyError(f"no cost model for rule {rule!r}; modelled: {', '.join(COSTS)}")
    return COSTS[rule]


def cpu_seconds(rule: str, n_tokens: float, vocab_size: float) -> float:
    """CPU seconds (all cores together) of one job of `rule`."""
    c = cost(rule)
    return (
        c.fixed_seconds
        + c.seconds_per_token * n_tokens
        + c.seconds_per_vocab_squared * vocab_size**2
        + c.seconds_per_vocab_cubed * vocab_size**3
    )


def wall_seconds(rule: str, n_tokens: float, vocab_size: float, threads: int) -> float:
    """Wall seconds of one job on `threads` free cores, if its threads share the work evenly."""
    return cpu_seconds(rule, n_tokens, vocab_size) / (max(1, threads) if cost(rule).parallel else 1)


def peak_bytes(rule: str, n_tokens: float, vocab_size: float, n_types: float = PAPER_TYPES) -> float:
    c = cost(rule)
    return (
        c.fixed_bytes
        + c.bytes_per_token * n_tokens
        + c.bytes_per_vocab_squared * vocab_size**2
        + c.bytes_per_type * n_types
    )


def request_mb(rule: str, vocab_size: int, n_tokens: float = PAPER_TOKENS) -> int:
    """Memory to ask for a job of `rule`: the predicted peak times REQUEST_MARGIN, in whole MB."""
    return math.ceil(REQUEST_MARGIN * peak_bytes(rule, n_tokens, vocab_size) / MB)
