"""Training step speed: fused numba kernels vs a plain PyTorch step, in the same run.

    .venv/bin/python benchmarks/bench_training.py [--vocab 10000 --dim 200 --batch 50000 --threads 2]

Prints steps/s and pairs/s (2B pairs per step) of the CPU paths in float32 and float64 and their
ratio, and the kernel with proportional pair sampling (alias tables of a dense V x V table for both
signs: the largest tables, one cache line per draw) next to the corpus sampler's, and with its
negatives from a product table (two V-record tables, as for the `sgns` reweighting); with CUDA present
it also times the torch device path (target: >= 1,000 steps/s in float64 on an H100). The corpus is
Zipf-distributed random tokens and the pair weights a dense V x V table (the omniscient setting's
memory access pattern).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numba
import numpy as np
import torch
import yaml

from w2vtheory.config import resolve_run
from w2vtheory.training import Objective, RunConfig
from w2vtheory.training.proportional_sampler import ProportionalPairs, alias_table, product_table
from w2vtheory.training.reweighting import PairWeights
from w2vtheory.training.sampler import TorchPairSampler, corpus_layout
from w2vtheory.training.steppers import NumbaStepper, ProportionalNumbaStepper, TorchPairWeights, torch_sgd_step


def synthetic_inputs(vocab: int, n_tokens: int, doc_length: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, vocab + 1)
    tokens = rng.choice(vocab, size=n_tokens, p=zipf / zipf.sum()).astype(np.uint16 if vocab < 65536 else np.uint32)
    offsets = np.arange(0, n_tokens + 1, doc_length, dtype=np.int64)
    table = rng.uniform(0.5, 2.0, (vocab, vocab))
    ones = np.ones(vocab)
    return tokens, offsets, PairWeights(table, ones, ones, ones)


def timed(step, n_steps: int, synchronise=lambda: None) -> float:
    """Steps per second over n_steps after one warm-up step (compilation, allocation)."""
    step(0)
    synchronise()
    started = time.perf_counter()
    for index in range(1, n_steps + 1):
        step(index)
    synchronise()
    return n_steps / (time.perf_counter() - started)


def torch_rate(layout, weights, config, W0, device, n_steps) -> float:
    dtype = getattr(torch, config.dtype)
    sampler = TorchPairSampler(layout, device, dtype)
    device_weights = TorchPairWeights(weights, device, dtype)
    W = torch.as_tensor(W0, device=device).to(dtype)

    def step(index: int) -> None:
        batch = sampler.sample(config.seed, index, config.batch_size)
        torch_sgd_step(W, batch, device_weights, config.loss, 1.0, 1.0, config.lr)

    synchronise = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    return timed(step, n_steps, synchronise)


def numba_rate(layout, weights, config, W0, n_steps) -> float:
    objective = Objective(config.loss, config.reweight, weights, -1.0, 1.0, 1.0, None, None, None)
    stepper = NumbaStepper(W0.astype(config.dtype), layout, objective, config, 1.0)
    return timed(lambda index: stepper.step(index, config.lr), n_steps)


def proportional_rate(pairs, weights, config, W0, n_steps) -> float:
    objective = Objective(config.loss, config.reweight, weights, -1.0, 1.0, 1.0, None, None, pairs)
    stepper = ProportionalNumbaStepper(W0.astype(config.dtype), pairs, objective, config)
    return timed(lambda index: stepper.step(index, config.lr), n_steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--tokens", type=int, default=2_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--torch-steps", type=int, default=5, help="timed plain PyTorch CPU steps")
    parser.add_argument("--numba-steps", type=int, default=30, help="timed fused numba steps")
    parser.add_argument("--cuda-steps", type=int, default=500, help="timed CUDA steps (when present)")
    args = parser.parse_args()
    numba.set_num_threads(min(args.threads, numba.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(args.threads)

    tokens, offsets, weights = synthetic_inputs(args.vocab, args.tokens, 5_000)
    layout = corpus_layout(tokens, offsets, 16)
    symmetric = 0.5 * (weights.table + weights.table.T)
    pair_table = alias_table(symmetric)
    pairs = ProportionalPairs(pair_table, alias_table(symmetric))
    factor = np.random.default_rng(2).uniform(0.5, 2.0, args.vocab)
    product_pairs = ProportionalPairs(pair_table, product_table(factor, factor[::-1], 1.0))
    W0 = np.random.default_rng(1).standard_normal((args.vocab, args.dim)) * 0.1 / np.sqrt(args.dim)
    print(f"V = {args.vocab}, d = {args.dim}, B = {args.batch} (+{args.batch} negatives), threads = {args.threads}")
    repository_config = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "config.yaml").read_text(encoding="utf-8")
    )
    for dtype in ("float32", "float64"):
        settings = dict(loss="qwem", reweight="omniscient", lr=0.1, init_scale=0.1, steps=1, batch_size=args.batch)
        config = RunConfig.from_mapping(resolve_run(repository_config, {**settings, "dtype": dtype}))
        plain = torch_rate(layout, weights, config, W0, torch.device("cpu"), args.torch_steps)
        fused = numba_rate(layout, weights, config, W0, args.numba_steps)
        proportional = proportional_rate(pairs, weights, config, W0, args.numba_steps)
        product = proportional_rate(product_pairs, weights, config, W0, args.numba_steps)
        rates = (
            ("plain PyTorch (CPU)", plain),
            ("fused numba (CPU)", fused),
            ("proportional numba", proportional),
            ("proportional, product", product),
        )
        for name, rate in rates:
            pairs_per_second = rate * 2 * args.batch
            print(
                f"{dtype}  {name:22s} {rate:9.2f} steps/s  {pairs_per_second:14,.0f} pairs/s  {1000 / rate:8.1f} ms/step"
            )
        print(
            f"{dtype}  fused / plain = {fused / plain:.1f}x, proportional / fused = {proportional / fused:.2f}x, "
            f"product / pair-table negatives = {product / proportional:.2f}x"
        )
        if torch.cuda.is_available():
            rate = torch_rate(layout, weights, config, W0, torch.device("cuda"), args.cuda_steps)
            print(f"{dtype}  {'torch (CUDA)':22s} {rate:9.2f} steps/s  {rate * 2 * args.batch:14,.0f} pairs/s")


if __name__ == "__main__":
    main()
