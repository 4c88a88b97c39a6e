"""One prepared check of the GPU path: correctness against the CPU, speed against bounds measured in
the same run, and the GPU-hours of `snakemake paper` from that speed.

    PYTHONPATH=src python3 benchmarks/device_check.py                  # CUDA (sized for < 6 min on an H100/H200)
    PYTHONPATH=src python3 benchmarks/device_check.py --device cpu     # the same checks at a small size
    PYTHONPATH=src python3 benchmarks/device_check.py --cost-from 2000 # GPU-hours at a given steps/s only

Needs torch, numba, numpy, scipy, pandas, pyyaml, tqdm and threadpoolctl (no Snakemake, no network).
Everything runs on synthetic corpus statistics built here: Zipf-distributed documents in which a share of
the tokens comes from a per-document topic (so M* has a few well-separated top eigenvalues), counted
with the package's co-occurrence kernel. Every measured quantity goes through the package's own code.

Correctness (each row: error, tolerance, ok/FAIL; the exit status is 1 if any row fails):
- exact mode: ExactStepper's update is along -(W W^T - M*) W (a numpy float64 oracle); on CUDA, ten
  float64 steps equal the same ten steps on the CPU (relative to the total update, 1e-10);
- sampled step: the device's torch step equals the numba CPU kernel's step from the kernel's own batch
  (`cpu_kernels.sample_pairs` of the same step key), W and batch loss; on CUDA also the same torch step
  on the CPU from the same PairBatch (relative to the update, 1e-10); both for QWEM/omniscient (dense
  weight table) and SGNS/sgns (separable weights);
- sampler: the distance-weighted frequencies of the device sampler's ordered pairs match P(i,j) over
  the 1,000 most probable pairs (largest |z| of the deviation <= 5; the largest relative error is shown);
- spectrum: `spectra.top_eigenpairs` on the device against scipy's subset eigensolver (eigenvalues
  within the package's promise; eigenvector residuals and orthonormality);
- on CUDA: the sampled and exact steps launch no host synchronisation (torch's sync debug mode).

Speed, at the paper's setting (V = 10k, d = 200, B = 50k + 50k) in float64 and float32 (float64 also
for the two mixed loss/reweighting settings of the ablation), each next to a bound from ceilings
measured in the same run (a 2 GiB device-to-device copy for bandwidth, a matrix product for the
arithmetic rate):
- sampled step: bytes it must move / bandwidth. The minimum is reading and writing the d-vectors of its
  3B words (centre, context, negative), 6 B d s bytes, plus one 32-byte sector per random read of the
  weight table (2B, dense table only) and of the token array (3B). On CUDA a second bound is the host's
  time to issue one step (over a burst of steps too short to fill the launch queue): eager torch cannot
  run faster than that, and a ratio near 100% there means the step is bound by dispatch, not the GPU;
- exact step: max(bytes: M* once and W twice, V^2 s + 2 V d s; flops 2 V^2 d + 4 V d^2 at the GEMM rate);
- top-4,096 eigendecomposition (float64, the package's only precision): max(the tridiagonal
  reduction's matrix-vector traffic, V^3 s / 3 bytes; (4/3 V^3 + 2 V^2 k) flops at the float64 GEMM rate);
- the training loop itself (`train`, QWEM/omniscient, float64, eval_every = 1,000 as in the paper, no
  analogy evaluation) against the TorchStepper step alone: the share left after the loop's own work.
The bounds assume data far larger than the caches, as at the paper's size; the CPU mode's small sizes
fit in cache and can beat them (there the rows only show that every path runs).

GPU-hours (CUDA only): per run of config.yaml's `paper_experiments`, steps / (steps/s of the sampled
step at that run's V, d, k, loss, reweighting, dtype and B, measured here), summed; see
`measured_rate` for the two ablation runs whose rate is borrowed. `--cost-from` applies one given rate
to every run. docs/cluster.md section 7 explains the table.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numba
import numpy as np
import scipy.linalg
import torch
import yaml
from threadpoolctl import threadpool_limits

from w2vtheory.closed_form.spectra import RELATIVE_TOLERANCE, ZERO_SCALE, top_eigenpairs
from w2vtheory.closed_form.statistics import CorpusStatistics, joint_probability, mstar, unigram_probability
from w2vtheory.config import resolve_run

# ---- The package's code paths under test: the one place to retarget after a refactor. ----------------
from w2vtheory.corpus.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.training import (
    DTYPES,
    Objective,
    RunConfig,
    TrainingProblem,
    build_objective,
    initial_embeddings,
    train,
)
from w2vtheory.training.cpu_kernels import sample_pairs
from w2vtheory.training.sampler import PairBatch, TorchPairSampler, corpus_layout, distance_weight, step_key
from w2vtheory.training.steppers import ExactStepper, NumbaStepper, TorchStepper, torch_sgd_step


def step_with_batch(stepper: TorchStepper, batch: PairBatch, lr: float) -> torch.Tensor:
    """TorchStepper.step with `batch` in place of its sampler's draw (same W, weights and scale)."""
    return torch_sgd_step(
        stepper.W, batch, stepper.weights, stepper.config.loss, stepper.negative_weight, stepper.gradient_scale, lr
    )


# --------------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
WINDOW = 16
TOPICS = 8
TOPIC_SHARE = 0.3  # share of a document's tokens drawn from its topic's words
DOC_LENGTH = 1000
SEED = 0
CROSS_DEVICE_TOLERANCE = 1e-10
SAMPLER_PAIRS = 1000
SAMPLER_MAX_Z = 5.0  # over 1,000 pairs, |z| > 5 by chance has probability about 6e-4
SETTINGS = (("qwem", "omniscient"), ("sgns", "sgns"))  # dense weight table; separable weights
MIXED_SETTINGS = (("sgns", "omniscient"), ("qwem", "sgns"))
SPEED_DTYPES = ("float64", "float32")
SECTOR_BYTES = 32  # what one random read of a few bytes costs in DRAM traffic
LEARNING_RATE = 2.0  # the paper's large-init runs (config.yaml enwiki500 qwem-large)
INIT_SCALE = 0.1


@dataclass(frozen=True)
class Sizes:
    check_vocab: int
    check_dim: int
    check_batch: int
    check_tokens: int
    sampler_batches: int
    sampler_batch: int
    eig_check_vocab: int
    eig_check_k: int
    speed_vocab: int
    speed_dim: int
    speed_batch: int
    speed_tokens: int
    speed_eig_k: int
    timing_seconds: float
    copy_bytes: int
    gemm_size: int
    train_steps: int
    train_eval_every: int


SIZES = {
    "cuda": Sizes(
        check_vocab=2000,
        check_dim=200,
        check_batch=50_000,
        check_tokens=4_000_000,
        sampler_batches=200,
        sampler_batch=1_000_000,
        eig_check_vocab=2000,
        eig_check_k=256,
        speed_vocab=10_000,
        speed_dim=200,
        speed_batch=50_000,
        speed_tokens=20_000_000,
        speed_eig_k=4096,
        timing_seconds=2.0,
        copy_bytes=2 * 1024**3,
        gemm_size=8192,
        train_steps=4000,
        train_eval_every=1000,
    ),
    # Small enough for a few seconds on two cores; the spectrum check is above the size where
    # top_eigenpairs leaves the dense solver, so its block Krylov path is the one compared.
    "cpu": Sizes(
        check_vocab=300,
        check_dim=16,
        check_batch=4000,
        check_tokens=200_000,
        sampler_batches=10,
        sampler_batch=200_000,
        eig_check_vocab=1600,
        eig_check_k=8,
        speed_vocab=1000,
        speed_dim=32,
        speed_batch=4000,
        speed_tokens=200_000,
        speed_eig_k=64,
        timing_seconds=0.1,
        copy_bytes=32 * 1024**2,
        gemm_size=512,
        train_steps=40,
        train_eval_every=20,
    ),
}


# ---- Synthetic corpus statistics ----------------------------------------------------------------------


def synthetic_corpus(vocab_size: int, n_tokens: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(tokens, doc_offsets): Zipf(1) words, TOPIC_SHARE of each document's tokens replaced by uniform
    draws from its topic's band of the vocabulary's rarer half; every word occurs at least once."""
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, vocab_size + 1)
    tokens = rng.choice(vocab_size, size=n_tokens, p=zipf / zipf.sum()).astype(np.int32)
    n_docs = max(1, n_tokens // DOC_LENGTH)
    offsets = np.linspace(0, n_tokens, n_docs + 1).astype(np.int64)
    topic = np.repeat(rng.integers(0, TOPICS, n_docs), np.diff(offsets))
    band = max(1, (vocab_size // 2) // TOPICS)
    topical = rng.random(n_tokens) < TOPIC_SHARE
    tokens[topical] = vocab_size // 2 + topic[topical] * band + rng.integers(0, band, int(topical.sum()))
    tokens[:vocab_size] = np.arange(vocab_size)
    return tokens, offsets


def synthetic_problem(vocab_size: int, dim: int, n_tokens: int, negative_weight: float = 1.0) -> TrainingProblem:
    """A TrainingProblem for stepping: no eigenvalues of M* (a step needs none; `train` gets them added)."""
    tokens, offsets = synthetic_corpus(vocab_size, n_tokens)
    cooccurrence = count_cooccurrence(tokens, offsets, vocab_size, WINDOW)
    n_pairs = count_pairs(offsets, WINDOW)
    unigram = unigram_probability(np.bincount(tokens, minlength=vocab_size))
    statistics = CorpusStatistics(joint_probability(cooccurrence, n_pairs, WINDOW), unigram, WINDOW, n_pairs)
    return TrainingProblem(tokens, offsets, statistics, negative_weight, dim, np.empty(0))


def problem_mstar(problem: TrainingProblem) -> np.ndarray:
    statistics = problem.statistics
    return mstar(statistics.joint, statistics.unigram, problem.negative_weight)


def run_config(loss: str, reweight: str, batch_size: int, dtype: str = "float64", exact: bool = False) -> RunConfig:
    """A run of these settings, completed from config.yaml's run_defaults."""
    repository_config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    return RunConfig.from_mapping(
        resolve_run(
            repository_config,
            dict(
                loss=loss,
                reweight=reweight,
                lr=LEARNING_RATE,
                init_scale=INIT_SCALE,
                steps=1,
                batch_size=batch_size,
                dtype=dtype,
                seed=SEED,
                exact=exact,
            ),
        )
    )


def initial_w(problem: TrainingProblem) -> np.ndarray:
    return initial_embeddings(problem.vocab_size, problem.dim, INIT_SCALE, SEED)


# ---- Correctness --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    error: float
    tolerance: float
    detail: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.error <= self.tolerance)  # NaN fails


def update_error(W0: np.ndarray, result: np.ndarray, reference: np.ndarray) -> float:
    """max |result - reference| relative to the reference's update max |reference - W0|."""
    update = float(np.max(np.abs(reference - W0)))
    if not update > 0:
        return math.inf
    return float(np.max(np.abs(result - reference))) / update


def relative_error(value: float, reference: float) -> float:
    return abs(value - reference) / abs(reference) if reference != 0 else abs(value)


def to_host(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().double().cpu().numpy()


def batch_on(batch: PairBatch, device: torch.device) -> PairBatch:
    return PairBatch(*(getattr(batch, name).to(device) for name in ("centre", "context", "weight", "negative")))


def numba_batch(layout, seed: int, step: int, batch_size: int, device: torch.device, dtype: torch.dtype) -> PairBatch:
    """The batch the fused CPU kernel draws at (seed, step), as a PairBatch on `device`."""
    key = np.uint64(step_key(seed, step))
    pairs = torch.as_tensor(
        sample_pairs(key, batch_size, layout.tokens, layout.doc_starts, layout.doc_lengths, layout.pair_offsets)
    )
    weight = distance_weight(pairs[:, 2].to(dtype), layout.window)
    return batch_on(PairBatch(pairs[:, 0], pairs[:, 1], weight, pairs[:, 3]), device)


def check_sampled_step(problem: TrainingProblem, setting: tuple[str, str], batch_size: int, device: torch.device):
    loss, reweight = setting
    config = run_config(loss, reweight, batch_size)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    W0 = initial_w(problem)
    k = problem.negative_weight
    step = 7
    checks = []

    numba_stepper = NumbaStepper(W0.copy(), layout, objective, config, k)
    numba_loss = numba_stepper.step(step, config.lr)
    device_stepper = TorchStepper(W0, layout, objective, config, k, device)
    batch = numba_batch(layout, config.seed, step, batch_size, device, DTYPES[config.dtype])
    device_loss = float(step_with_batch(device_stepper, batch, config.lr))
    error = max(
        update_error(W0, to_host(device_stepper.W), numba_stepper.embeddings()), relative_error(device_loss, numba_loss)
    )
    checks.append(Check(f"sampled step {loss}/{reweight}: {device.type} torch = numba kernel, its batch", error, 1e-10))

    if device.type != "cpu":
        device_stepper = TorchStepper(W0, layout, objective, config, k, device)
        batch = device_stepper.sampler.sample(config.seed, step, batch_size)
        device_loss = float(step_with_batch(device_stepper, batch, config.lr))
        host_stepper = TorchStepper(W0, layout, objective, config, k, torch.device("cpu"))
        host_loss = float(step_with_batch(host_stepper, batch_on(batch, torch.device("cpu")), config.lr))
        error = max(
            update_error(W0, to_host(device_stepper.W), to_host(host_stepper.W)), relative_error(device_loss, host_loss)
        )
        checks.append(Check(f"sampled step {loss}/{reweight}: {device.type} = cpu torch, same PairBatch", error, 1e-10))
    return checks


def check_exact(problem: TrainingProblem, device: torch.device, n_steps: int = 10) -> list[Check]:
    config = run_config("qwem", "omniscient", 1, exact=True)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    W0 = initial_w(problem)
    stepper = ExactStepper(W0, objective, torch.float64, device)
    stepper.step(0, config.lr)
    update = stepper.embeddings() - W0
    residual = (W0 @ W0.T - objective.mstar) @ W0
    scale = -float(np.sum(update * residual)) / float(np.sum(residual * residual))
    direction_error = float(np.linalg.norm(update + scale * residual) / np.linalg.norm(scale * residual))
    checks = [
        Check(
            f"exact step on {device.type}: update along -(W W^T - M*) W (numpy)",
            direction_error if scale > 0 else math.inf,
            1e-10,
        )
    ]
    if device.type != "cpu":
        host = ExactStepper(W0, objective, torch.float64, torch.device("cpu"))
        host.step(0, config.lr)
        for step in range(1, n_steps):
            stepper.step(step, config.lr)
            host.step(step, config.lr)
        checks.append(
            Check(
                f"exact mode, {n_steps} float64 steps: {device.type} = cpu",
                update_error(W0, stepper.embeddings(), host.embeddings()),
                CROSS_DEVICE_TOLERANCE,
            )
        )
    return checks


def check_sampler(problem: TrainingProblem, n_batches: int, batch_size: int, device: torch.device) -> Check:
    """Distance-weighted frequencies of the device sampler's ordered pairs against P(i,j)."""
    vocab = problem.vocab_size
    joint = problem.statistics.joint.reshape(-1)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    sampler = TorchPairSampler(layout, device, torch.float64)
    weight_sum = torch.zeros(vocab * vocab, dtype=torch.float64, device=device)
    weight_squares = torch.zeros_like(weight_sum)
    for step in range(n_batches):
        batch = sampler.sample(SEED, step, batch_size)
        pair = batch.centre * vocab + batch.context
        weight_sum.index_add_(0, pair, batch.weight)
        weight_squares.index_add_(0, pair, batch.weight * batch.weight)
    draws = n_batches * batch_size
    top = np.argsort(joint, kind="stable")[::-1][:SAMPLER_PAIRS]
    estimate = to_host(weight_sum)[top] / draws
    variance = (to_host(weight_squares)[top] / draws - estimate**2) / draws
    expected = joint[top]
    relative = np.abs(estimate - expected) / expected
    z = np.abs(estimate - expected) / np.sqrt(np.maximum(variance, 1e-300))
    worst = int(np.argmax(relative))
    detail = (
        f"{draws:,} draws; largest relative error {relative[worst]:.2%} "
        f"(1 sd there {math.sqrt(variance[worst]) / expected[worst]:.2%})"
    )
    return Check(
        f"sampler on {device.type}: pair frequencies = P(i,j), top {SAMPLER_PAIRS:,} pairs, |z|",
        float(z.max()),
        SAMPLER_MAX_Z,
        detail,
    )


def check_spectrum(matrix: np.ndarray, k: int, device: torch.device) -> list[Check]:
    values, vectors = top_eigenpairs(matrix, k, device=device.type)
    size = len(matrix)
    reference = scipy.linalg.eigh(matrix, subset_by_index=[size - k, size - 1], eigvals_only=True)[::-1]
    scale = np.maximum(np.abs(reference), ZERO_SCALE * abs(reference[0]))
    value_error = float(np.max(np.abs(values - reference) / scale))
    residual = float(np.max(np.linalg.norm(matrix @ vectors - vectors * values, axis=0)) / abs(reference[0]))
    orthonormality = float(np.max(np.abs(vectors.T @ vectors - np.eye(k))))
    what = f"top-{k} eigenpairs on {device.type}, V = {size}"
    return [
        Check(f"{what}: eigenvalues = scipy", value_error, RELATIVE_TOLERANCE),
        # eigenvalue errors are second order in the vectors' errors
        Check(f"{what}: residual |A v - l v| / l_1", residual, math.sqrt(RELATIVE_TOLERANCE)),
        Check(f"{what}: |V^T V - I|", orthonormality, 1e-8),
    ]


def check_no_synchronisation(problem: TrainingProblem, batch_size: int, device: torch.device) -> Check:
    """torch raises inside a synchronising call under sync debug mode 'error'."""
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    W0 = initial_w(problem)
    config = run_config("qwem", "omniscient", batch_size, exact=True)
    objective = build_objective(problem.statistics, problem.negative_weight, config)
    steppers = [
        TorchStepper(W0, layout, objective, config, problem.negative_weight, device),
        ExactStepper(W0, objective, torch.float64, device),
    ]
    for stepper in steppers:
        stepper.step(0, config.lr)  # first calls may initialise libraries
    torch.cuda.synchronize()
    problem_text = ""
    torch.cuda.set_sync_debug_mode("error")
    try:
        for stepper in steppers:
            stepper.step(1, config.lr)
    except RuntimeError as error:
        problem_text = str(error).splitlines()[0]
    finally:
        torch.cuda.set_sync_debug_mode("default")
    return Check(
        "TorchStepper.step and ExactStepper.step: no host synchronisation",
        1.0 if problem_text else 0.0,
        0.0,
        problem_text,
    )


def correctness_checks(sizes: Sizes, device: torch.device) -> list[Check]:
    problem = synthetic_problem(sizes.check_vocab, sizes.check_dim, sizes.check_tokens)
    checks = check_exact(problem, device)
    for setting in SETTINGS:
        checks += check_sampled_step(problem, setting, sizes.check_batch, device)
    checks.append(check_sampler(problem, sizes.sampler_batches, sizes.sampler_batch, device))
    spectrum_problem = synthetic_problem(sizes.eig_check_vocab, 1, sizes.check_tokens)
    checks += check_spectrum(problem_mstar(spectrum_problem), sizes.eig_check_k, device)
    if device.type == "cuda":
        checks.append(check_no_synchronisation(problem, sizes.check_batch, device))
    return checks


# ---- Speed --------------------------------------------------------------------------------------------


def synchroniser(device: torch.device) -> Callable[[], None]:
    return torch.cuda.synchronize if device.type == "cuda" else (lambda: None)


def best_seconds(action: Callable[[], object], device: torch.device, repeats: int) -> float:
    sync = synchroniser(device)
    action()
    sync()
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        sync()
        best = min(best, time.perf_counter() - started)
    return best


def copy_bandwidth(device: torch.device, n_bytes: int) -> float:
    """Bytes per second of a device-to-device copy, counting the bytes read and written."""
    source = torch.rand(n_bytes // 8, dtype=torch.float64, device=device)
    target = torch.empty_like(source)
    return 2 * source.numel() * 8 / best_seconds(lambda: target.copy_(source), device, repeats=10)


def gemm_rate(device: torch.device, dtype: torch.dtype, size: int) -> float:
    """Flops per second of a square matrix product (random data)."""
    generator = torch.Generator(device=device).manual_seed(SEED)
    a, b = (torch.rand(size, size, dtype=dtype, device=device, generator=generator) for _ in range(2))
    return 2 * size**3 / best_seconds(lambda: a @ b, device, repeats=5)


def steps_per_second(step: Callable[[int], object], device: torch.device, seconds: float) -> float:
    """Steps per second over about `seconds`, after a warm-up and a calibration burst."""
    sync = synchroniser(device)
    warm_up = 2
    for index in range(warm_up):
        step(index)
    sync()
    count, started = warm_up, time.perf_counter()
    while time.perf_counter() - started < 0.1 * seconds or count < warm_up + 3:
        step(count)
        count += 1
    sync()
    n_steps = max(5, int((count - warm_up) / (time.perf_counter() - started) * seconds))
    started = time.perf_counter()
    for index in range(count, count + n_steps):
        step(index)
    sync()
    return n_steps / (time.perf_counter() - started)


def host_seconds_per_step(step: Callable[[int], object], device: torch.device, n_steps: int = 8) -> float:
    """The host's time to issue one step, over a burst too short to fill the device's launch queue."""
    sync = synchroniser(device)
    sync()
    started = time.perf_counter()
    for index in range(n_steps):
        step(index)
    issued = time.perf_counter() - started
    sync()
    return issued / n_steps


def sampled_step_bytes(batch_size: int, dim: int, itemsize: int, dense_table: bool) -> int:
    rows = 6 * batch_size * dim * itemsize
    return rows + (2 * batch_size * SECTOR_BYTES if dense_table else 0) + 3 * batch_size * SECTOR_BYTES


@dataclass(frozen=True)
class Speed:
    name: str
    measured: float
    bound: float
    unit: str
    basis: str

    @property
    def ratio(self) -> float:
        return self.measured / self.bound


@dataclass(frozen=True)
class Ceilings:
    bandwidth: float  # bytes/s
    gemm: Mapping[str, float]  # flops/s by dtype name


@dataclass(frozen=True)
class Setting:
    """What a step's speed depends on."""

    vocab: int
    dim: int
    negative_weight: float
    loss: str
    reweight: str
    dtype: str
    batch_size: int
    exact: bool = False

    def config(self) -> RunConfig:
        return run_config(self.loss, self.reweight, self.batch_size, self.dtype, self.exact)


class StepRates:
    """Measured steps/s by Setting, memoising the synthetic problems; `speeds` holds the table rows."""

    def __init__(self, sizes: Sizes, device: torch.device, ceilings: Ceilings) -> None:
        self.sizes = sizes
        self.device = device
        self.ceilings = ceilings
        self.problems: dict[tuple[int, int, float], TrainingProblem] = {}
        self.rates: dict[Setting, float] = {}
        self.speeds: list[Speed] = []

    def problem(self, vocab: int, dim: int, negative_weight: float) -> TrainingProblem:
        key = (vocab, dim, negative_weight)
        if key not in self.problems:
            self.problems[key] = synthetic_problem(vocab, dim, self.sizes.speed_tokens, negative_weight)
        return self.problems[key]

    def rate(self, setting: Setting) -> float:
        """Measured on first use. A sampled QWEM/omniscient setting also times the exact step of the same
        size and dtype from the same objective (building an objective is the slow part at large V)."""
        if setting not in self.rates:
            problem = self.problem(setting.vocab, setting.dim, setting.negative_weight)
            with_exact = (setting.loss, setting.reweight) == ("qwem", "omniscient")
            exact = replace(setting, batch_size=1, exact=True)
            objective = build_objective(
                problem.statistics, problem.negative_weight, (exact if with_exact else setting).config()
            )
            if not setting.exact:
                self.rates[setting] = self._time_sampled(problem, objective, setting)
            if with_exact:
                self.rates[exact] = self._time_exact(problem, objective, exact)
        return self.rates[setting]

    def _time_sampled(self, problem: TrainingProblem, objective: Objective, setting: Setting) -> float:
        config = setting.config()
        layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
        stepper = TorchStepper(initial_w(problem), layout, objective, config, problem.negative_weight, self.device)
        rate = steps_per_second(lambda index: stepper.step(index, config.lr), self.device, self.sizes.timing_seconds)
        finite = self._finite_note(stepper)
        itemsize = torch.finfo(DTYPES[config.dtype]).bits // 8
        n_bytes = sampled_step_bytes(config.batch_size, problem.dim, itemsize, objective.weights.table is not None)
        name = (
            f"sampled step {config.loss}/{config.reweight} {config.dtype} "
            f"(V = {problem.vocab_size}, d = {problem.dim}, B = {config.batch_size})"
        )
        bandwidth_bound = self.ceilings.bandwidth / n_bytes
        self.speeds.append(Speed(name, rate, bandwidth_bound, "steps/s", f"{n_bytes / 1e6:.0f} MB{finite}"))
        if self.device.type != "cpu":  # on the CPU a step runs while it is issued
            host = host_seconds_per_step(lambda index: stepper.step(index, config.lr), self.device)
            self.speeds.append(Speed("  same, host time to issue a step", rate, 1 / host, "steps/s", "eager dispatch"))
        return rate

    def _time_exact(self, problem: TrainingProblem, objective: Objective, setting: Setting) -> float:
        config = setting.config()
        stepper = ExactStepper(initial_w(problem), objective, DTYPES[config.dtype], self.device)
        rate = steps_per_second(lambda index: stepper.step(index, config.lr), self.device, self.sizes.timing_seconds)
        finite = self._finite_note(stepper)
        V, d = problem.vocab_size, problem.dim
        itemsize = torch.finfo(DTYPES[config.dtype]).bits // 8
        seconds = max(
            (V * V + 2 * V * d) * itemsize / self.ceilings.bandwidth,
            (2 * V * V * d + 4 * V * d * d) / self.ceilings.gemm[config.dtype],
        )
        name = f"exact step {config.dtype} (V = {V}, d = {d})"
        self.speeds.append(Speed(name, rate, 1 / seconds, "steps/s", f"max(bytes, flops){finite}"))
        return rate

    @staticmethod
    def _finite_note(stepper) -> str:
        """Timing does not depend on W's values, but a diverged W is worth a note."""
        return "" if bool(torch.isfinite(stepper.W).all()) else "; W became non-finite"


def eigendecomposition_speed(
    matrix: np.ndarray, k: int, device: torch.device, ceilings: Ceilings
) -> tuple[Speed, np.ndarray]:
    """The timed top_eigenpairs (host-to-device transfer included) and its eigenvalues."""
    started = time.perf_counter()
    values, _ = top_eigenpairs(matrix, k, device=device.type)
    seconds = time.perf_counter() - started
    size = len(matrix)
    bound = max(size**3 / 3 * 8 / ceilings.bandwidth, (4 / 3 * size**3 + 2 * size**2 * k) / ceilings.gemm["float64"])
    name = f"top-{k} eigenpairs float64 (V = {size}, with transfers)"
    return Speed(name, 1 / seconds, 1 / bound, "per s", "max(bytes, flops)"), values


def training_loop_speed(problem: TrainingProblem, rates: StepRates, sizes: Sizes, device: torch.device) -> Speed:
    """`train` end to end (logging, SVD and checkpoints every eval_every steps) against the TorchStepper
    step alone (which is the step train uses on CUDA; on the CPU it uses the numba kernel)."""
    config = replace(
        run_config("qwem", "omniscient", sizes.speed_batch),
        steps=sizes.train_steps,
        eval_every=sizes.train_eval_every,
        n_checkpoints=3,
        device=device.type,
    )
    step_rate = rates.rate(
        Setting(
            problem.vocab_size, problem.dim, problem.negative_weight, "qwem", "omniscient", "float64", config.batch_size
        )
    )
    with tempfile.TemporaryDirectory() as run_dir:
        summary = train(config, problem, run_dir, evaluate=None, progress=False)
    return Speed(
        f"train() loop qwem/omniscient float64, eval_every = {config.eval_every}",
        float(summary["steps_per_second"]),
        step_rate,
        "steps/s",
        "TorchStepper step alone",
    )


def speed_measurements(sizes: Sizes, device: torch.device) -> tuple[StepRates, list[Speed]]:
    """Step rates at the paper's setting (kept in the returned StepRates) and the eigendecomposition
    and training-loop rows."""
    ceilings = Ceilings(
        copy_bandwidth(device, sizes.copy_bytes),
        {name: gemm_rate(device, DTYPES[name], sizes.gemm_size) for name in SPEED_DTYPES},
    )
    rates = StepRates(sizes, device, ceilings)
    V, d = sizes.speed_vocab, sizes.speed_dim
    for dtype in SPEED_DTYPES:
        # float64 also times the two mixed settings, to show what the loss alone changes
        for loss, reweight in SETTINGS + (MIXED_SETTINGS if dtype == "float64" else ()):
            rates.rate(Setting(V, d, 1.0, loss, reweight, dtype, sizes.speed_batch))
    problem = rates.problem(V, d, 1.0)
    eigendecomposition, eigvals = eigendecomposition_speed(problem_mstar(problem), sizes.speed_eig_k, device, ceilings)
    loop = training_loop_speed(replace(problem, mstar_eigvals=eigvals), rates, sizes, device)
    return rates, [eigendecomposition, loop]


# ---- GPU-hours of `snakemake paper` -------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRun:
    experiment: str
    run: str
    vocab: int
    dim: int
    negative_weight: float
    config: RunConfig


def paper_runs(config_path: Path) -> list[PaperRun]:
    """The training runs of config.yaml's `paper_experiments`, completed from the defaults."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    defaults = {**config.get("experiment_defaults", {})}
    runs = []
    for experiment in config["paper_experiments"]:
        settings = {**defaults, **config["experiments"][experiment]}
        for name, run in settings.get("runs", {}).items():
            values = resolve_run(config, run, settings.get("device"))
            run_config_ = RunConfig.from_mapping(values, f"experiments.{experiment}.runs.{name}")
            runs.append(
                PaperRun(
                    experiment,
                    name,
                    int(settings["vocab_size"]),
                    int(settings["dim"]),
                    float(settings.get("negative_weight", 1.0)),
                    run_config_,
                )
            )
    return runs


def gpu_hours(steps: int, rate: float) -> float:
    """Hours of one run: steps / (steps/s) / 3600."""
    return steps / rate / 3600.0


def run_setting(run: PaperRun) -> Setting:
    config = run.config
    return Setting(
        run.vocab,
        run.dim,
        run.negative_weight,
        config.loss,
        config.reweight,
        config.dtype,
        config.batch_size,
        config.exact,
    )


def cost_lines(runs: Sequence[PaperRun], rate_of: Callable[[PaperRun], tuple[float, str]], source: str) -> list[str]:
    """The GPU-hours table; rate_of(run) gives (steps/s, a mark for a footnote or "")."""
    lines = [
        f"GPU-hours of `snakemake paper` = sum over runs of steps / steps_per_s / 3600 ({source})",
        f"{'experiment':20s} {'run':20s} {'V':>6s} {'d':>4s} {'loss/reweight':18s} {'dtype':8s} "
        f"{'steps':>11s} {'steps/s':>10s} {'GPU-h':>7s}",
    ]
    total_steps, total_hours = 0, 0.0
    for run in runs:
        rate, mark = rate_of(run)
        hours = gpu_hours(run.config.steps, rate)
        total_steps += run.config.steps
        total_hours += hours
        setting = f"{run.config.loss}/{run.config.reweight}" + (" exact" if run.config.exact else "")
        lines.append(
            f"{run.experiment:20s} {run.run:20s} {run.vocab:6d} {run.dim:4d} {setting:18s} {run.config.dtype:8s} "
            f"{run.config.steps:11,d} {rate:9.1f}{mark or ' '} {hours:7.2f}"
        )
    lines.append(
        f"{'total':20s} {'':20s} {'':6s} {'':4s} {'':18s} {'':8s} {total_steps:11,d} {'':10s} {total_hours:7.2f}"
    )
    return lines


def measured_rate(rates: StepRates, paper_shape: tuple[int, int, float]) -> Callable[[PaperRun], tuple[float, str]]:
    """Each run's own setting, measured; except that away from the speed section's size a mixed setting
    (MIXED_SETTINGS) borrows the rate of its reweighting's usual loss (marked "*"): building an objective
    takes most of a minute at V = 20k, and the loss changes only elementwise kernels (the float64 rows of
    the speed table show all four settings at the paper's size)."""
    usual_loss = {reweight: loss for loss, reweight in SETTINGS}

    def rate_of(run: PaperRun) -> tuple[float, str]:
        setting = run_setting(run)
        mixed = (setting.loss, setting.reweight) in MIXED_SETTINGS
        if setting in rates.rates or not mixed or (setting.vocab, setting.dim, setting.negative_weight) == paper_shape:
            return rates.rate(setting), ""
        return rates.rate(replace(setting, loss=usual_loss[setting.reweight])), "*"

    return rate_of


BORROWED_NOTE = "* the rate of the same reweighting with its usual loss at this size (see measured_rate)"


# ---- Report -------------------------------------------------------------------------------------------


def format_number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def report(checks: Iterable[Check], speeds: Sequence[Speed], ceilings: Ceilings | None) -> list[str]:
    lines = [f"{'correctness':78s} {'error':>9s} {'tolerance':>9s}  result"]
    for check in checks:
        lines.append(
            f"{check.name:78s} {check.error:9.2e} {check.tolerance:9.0e}  {'ok' if check.ok else 'FAIL'}"
            + (f"  ({check.detail})" if check.detail else "")
        )
    if ceilings is not None:
        gemm = ", ".join(f"{name} {rate / 1e9:,.0f} GFLOP/s" for name, rate in ceilings.gemm.items())
        lines += ["", f"ceilings measured in this run: copy {ceilings.bandwidth / 1e9:,.0f} GB/s; GEMM {gemm}"]
        lines.append(f"{'speed':68s} {'measured':>10s} {'bound':>10s} {'meas/bound':>10s}  bound from")
        for speed in speeds:
            lines.append(
                f"{speed.name:68s} {format_number(speed.measured):>10s} {format_number(speed.bound):>10s} "
                f"{speed.ratio:10.0%}  {speed.basis} ({speed.unit})"
            )
    return lines


def describe(device: torch.device) -> str:
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    return (
        f"device check on {device.type} ({name}); torch {torch.__version__} ({torch.get_num_threads()} CPU threads), "
        f"numpy {np.__version__}, numba {numba.__version__}, python {sys.version.split()[0]}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=sorted(SIZES), default="cuda")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yaml", help="for the paper's runs")
    parser.add_argument("--cost-from", type=float, metavar="STEPS_PER_S", help="only print GPU-hours at this rate")
    parser.add_argument("--skip-speed", action="store_true", help="correctness only")
    parser.add_argument(
        "--threads",
        type=int,
        help="CPU threads for torch, numba and BLAS (default: 1 with --device cpu, where OpenMP barriers on a busy "
        "machine wait for descheduled threads and slowed small steps a hundredfold; else the libraries' own)",
    )
    args = parser.parse_args(argv)
    runs = paper_runs(args.config)
    if args.cost_from is not None:
        if not args.cost_from > 0:
            parser.error(f"--cost-from {args.cost_from}: give a positive steps/s")
        given = f"{args.cost_from:g} steps/s given for every run"
        print("\n".join(cost_lines(runs, lambda run: (args.cost_from, ""), given)))
        return 0
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("torch sees no CUDA device; use --device cpu for the small CPU check")
    device = torch.device(args.device)
    sizes = SIZES[args.device]
    threads = args.threads if args.threads is not None else (1 if device.type == "cpu" else None)
    if threads is not None:
        torch.set_num_threads(threads)
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    with threadpool_limits(limits=threads):  # BLAS threads too (None: no limit)
        return run_checks(device, sizes, runs, speed=not args.skip_speed)


def run_checks(device: torch.device, sizes: Sizes, runs: Sequence[PaperRun], speed: bool) -> int:
    """Correctness, speed and (on CUDA) the GPU-hours; prints the tables last and returns the exit status."""
    started = time.perf_counter()
    checks = correctness_checks(sizes, device)
    print(f"correctness: {time.perf_counter() - started:.0f} s", flush=True)
    speeds: list[Speed] = []
    ceilings = None
    cost: list[str] = []
    if speed:
        rates, other_speeds = speed_measurements(sizes, device)
        print(f"speed: {time.perf_counter() - started:.0f} s", flush=True)
        if device.type == "cuda":
            paper_shape = (sizes.speed_vocab, sizes.speed_dim, 1.0)
            source = "step rates measured in this run; analogy evaluation excluded"
            cost = [*cost_lines(runs, measured_rate(rates, paper_shape), source), BORROWED_NOTE]
            print(f"paper settings: {time.perf_counter() - started:.0f} s", flush=True)
        speeds, ceilings = rates.speeds + other_speeds, rates.ceilings
    lines = ["", describe(device), *report(checks, speeds, ceilings)]
    if cost:
        lines += ["", *cost]
    lines += ["", f"total {time.perf_counter() - started:.0f} s"]
    print("\n".join(lines))
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
