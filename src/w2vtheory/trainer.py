"""Train tied word embeddings with SGD on SGNS or QWEM (PAPER.md section 3) and record the run.

Objective. Each step draws B positive pairs (weight psi+ = distance weight * q+(i, j)) and, for each,
a negative pair with the same centre (weight psi- = k q-(i, j')); the batch loss is
sum_b (psi+ l+(x) + psi- l-(x')) / B, and SGD descends the normalised loss
1 - batch_loss/min_loss (`w2vtheory.reweighting.min_loss`). For omniscient QWEM its expectation
is 1/2 + ||W W^T - M*||^2 / (2 ||M*||^2), so a step of size lr advances the theory time t of
PAPER.md section 4 by 4 lr / (V^2 mean(M*^2)) (`w2vtheory.theory.time_per_step`). `exact: true`
takes that expectation's gradient step, 2 lr (W W^T - M*) W / ||M*||^2, without sampling, so the
noise-free run sits on the same time axis. Plain SGD: the whole batch's gradient is taken at the
pre-step W.

Where it runs: CUDA (device "auto" when present) uses the torch sampler and step, which never wait
on the host between log steps; the CPU uses the fused numba kernel (`w2vtheory.cpu_kernels`).
W starts as i.i.d. N(0, (init_scale/sqrt(d))^2) from `seed`, and batch s is keyed by (seed, s).

Run directory results/<experiment>/runs/<run>/ (every file written atomically):
| file | content |
|---|---|
| trace.csv | step,time,lr,loss,loss_normalised: the batch loss of step s at W_s, every log_every steps |
| evaluations.csv | step,time,analogy_accuracy of W_s, every eval_every steps and at the final step |
| singular_values.npy | n_evals x d float64, descending, rows aligned with evaluations.csv |
| checkpoints.csv, checkpoints/W_<step>.npy | step,time,file of W on a log-spaced schedule incl. 0 and the end |
| W.npy | the final V x d W |
| theory.csv | step,time,mode,singular_value: s_k(t) of the theory at the evaluation steps |
| theory_loss.csv | step,time,loss_normalised: the theory's normalised loss at the trace steps |
| run.json | resolved hyperparameters and derived quantities |
| resume/state.npz | W, step and the rows so far; a rerun continues from it (deleted when done) |
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from w2vtheory import cpu_kernels, losses, theory
from w2vtheory.atomic import atomic_path, save_npy, write_text
from w2vtheory.errors import InputError
from w2vtheory.reweighting import REWEIGHTINGS, PairWeights, min_loss, pair_weights
from w2vtheory.sampler import CorpusLayout, PairBatch, TorchPairSampler, corpus_layout, step_key
from w2vtheory.statistics import joint_probability, mstar, unigram_probability

log = logging.getLogger(__name__)

DTYPES = {"float32": torch.float32, "float64": torch.float64}
DEVICES = ("auto", "cpu", "cuda")
# A resume state is written at an evaluation step once this long has passed since the last one.
RESUME_INTERVAL_SECONDS = 60.0

TRACE_COLUMNS = ["step", "time", "lr", "loss", "loss_normalised"]
EVALUATION_COLUMNS = ["step", "time", "analogy_accuracy"]


@dataclass(frozen=True)
class RunConfig:
    """One training run (config `experiments.<experiment>.runs.<run>`, completed from run_defaults)."""

    loss: str
    reweight: str
    lr: float
    init_scale: float
    steps: int
    lr_schedule: tuple[tuple[int, float], ...] = ()
    batch_size: int = 50_000
    dtype: str = "float64"
    seed: int = 0
    device: str = "auto"
    exact: bool = False
    log_every: int = 100
    eval_every: int = 1000
    n_checkpoints: int = 30
    subsample_t: float = 1e-5
    config_key: str = field(default="run", compare=False)

    @classmethod
    def from_mapping(cls, run: Mapping[str, Any], config_key: str = "run") -> RunConfig:
        known = {name for name in cls.__dataclass_fields__ if name != "config_key"}
        unknown = sorted(set(run) - known)
        if unknown:
            raise InputError(f"config key `{config_key}`: unknown run settings {', '.join(unknown)}")
        missing = [name for name in ("loss", "reweight", "lr", "init_scale", "steps") if name not in run]
        if missing:
            raise InputError(f"config key `{config_key}`: missing {', '.join(missing)}")
        values = dict(run)
        values["lr_schedule"] = tuple((int(start), float(factor)) for start, factor in run.get("lr_schedule", ()))
        config = cls(**values, config_key=config_key)
        config.check()
        return config

    def check(self) -> None:
        def fail(key: str, problem: str) -> None:
            raise InputError(f"config key `{self.config_key}.{key}` = {getattr(self, key)!r}: {problem}")

        if self.loss not in losses.LOSSES:
            fail("loss", f"use one of {', '.join(losses.LOSSES)}")
        if self.reweight not in REWEIGHTINGS:
            fail("reweight", f"use one of {', '.join(REWEIGHTINGS)}")
        if self.dtype not in DTYPES:
            fail("dtype", f"use one of {', '.join(DTYPES)}")
        if self.device not in DEVICES:
            fail("device", f"use one of {', '.join(DEVICES)}")
        for key in ("lr", "init_scale", "subsample_t"):
            if not getattr(self, key) > 0:
                fail(key, "must be positive")
        for key in ("steps", "batch_size", "log_every", "eval_every", "n_checkpoints"):
            if getattr(self, key) < 1:
                fail(key, "must be a positive integer")
        if self.exact and (self.loss, self.reweight) != ("qwem", "omniscient"):
            fail("exact", "exact mode is gradient flow of omniscient QWEM; set loss: qwem and reweight: omniscient")

    def learning_rate(self, step: int) -> float:
        return float(theory.learning_rate(step, self.lr, self.lr_schedule))

    def resolved(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("config_key")
        values["lr_schedule"] = [list(entry) for entry in self.lr_schedule]
        return values


@dataclass(frozen=True)
class TrainingProblem:
    """The experiment's data a run trains on."""

    tokens: np.ndarray  # in-vocabulary token ids
    doc_offsets: np.ndarray
    cooccurrence: np.ndarray  # C, V x V
    n_pairs: int  # N
    window: int
    negative_weight: float
    dim: int
    mstar_eigvals: np.ndarray  # top eigenvalues of M* (at least dim), descending

    @property
    def vocab_size(self) -> int:
        return self.cooccurrence.shape[0]


def load_problem(
    tokens: str | os.PathLike[str],
    doc_offsets: str | os.PathLike[str],
    cooccurrence: str | os.PathLike[str],
    stats: str | os.PathLike[str],
    mstar_eigvals: str | os.PathLike[str],
    window: int,
    negative_weight: float,
    dim: int,
) -> TrainingProblem:
    """The experiment's files (results/<experiment>/...) as a TrainingProblem, checked for consistency."""
    counts = json.loads(Path(stats).read_text(encoding="utf-8"))
    if counts["window"] != window:
        raise InputError(
            f"{stats} was counted with window {counts['window']} but the experiment's window is {window}; "
            "rerun the counting rule (delete the file) so both agree"
        )
    eigvals = np.load(mstar_eigvals)
    if len(eigvals) < dim:
        raise InputError(
            f"{mstar_eigvals} holds {len(eigvals)} eigenvalues, fewer than dim = {dim}; recompute the spectrum"
        )
    return TrainingProblem(
        np.load(tokens),
        np.load(doc_offsets),
        np.load(cooccurrence),
        int(counts["n_pairs"]),
        window,
        negative_weight,
        dim,
        eigvals,
    )


@dataclass(frozen=True)
class Objective:
    """The weighted objective of a run and the constants that put it on the theory's time axis."""

    weights: PairWeights
    min_loss: float
    mean_pair_weight: float  # mean(G)
    mstar_squared_norm: float  # ||M*||_F^2
    mstar: np.ndarray | None  # dense M*, kept only for exact mode

    def mstar_mean_square(self, vocab_size: int) -> float:
        return self.mstar_squared_norm / vocab_size**2


def build_objective(problem: TrainingProblem, config: RunConfig) -> Objective:
    joint = joint_probability(problem.cooccurrence, problem.n_pairs, problem.window)
    unigram = unigram_probability(np.bincount(problem.tokens, minlength=problem.vocab_size).astype(np.float64))
    target = mstar(joint, unigram, problem.negative_weight)
    squared_norm = float(np.sum(target**2))
    mean_pair_weight = float((joint.sum() + problem.negative_weight * unigram.sum() ** 2) / problem.vocab_size**2)
    weights = pair_weights(config.reweight, joint, unigram, problem.negative_weight, config.subsample_t)
    normaliser = min_loss(config.loss, weights, joint, unigram, problem.negative_weight)
    if weights.table is not None and config.dtype == "float32":
        weights = replace(weights, table=weights.table.astype(np.float32))
    return Objective(weights, normaliser, mean_pair_weight, squared_norm, target if config.exact else None)


def resolve_device(device: str) -> torch.device:
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise InputError("device `cuda` was requested but torch sees no CUDA device; use device: auto or cpu")
        return torch.device("cuda")
    return torch.device("cpu")


def initial_embeddings(vocab_size: int, dim: int, init_scale: float, seed: int) -> np.ndarray:
    """W_0 with i.i.d. N(0, (init_scale/sqrt(d))^2) entries, float64, the same on every device."""
    return np.random.default_rng(seed).standard_normal((vocab_size, dim)) * (init_scale / math.sqrt(dim))


def checkpoint_steps(steps: int, n_checkpoints: int) -> np.ndarray:
    """Log-spaced steps: 0, then about n_checkpoints - 1 geometric steps from 1 to `steps`."""
    geometric = np.round(np.geomspace(1, steps, max(n_checkpoints - 1, 1))).astype(np.int64)
    return np.unique(np.concatenate([[0], geometric, [steps]]))


# ----------------------------------------------------------------------------------------------
# Steps


class TorchPairWeights:
    """`PairWeights` on a torch device."""

    def __init__(self, weights: PairWeights, device: torch.device, dtype: torch.dtype) -> None:
        def put(array: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(array, device=device).to(dtype)

        self.table = None if weights.table is None else put(weights.table)
        self.positive = put(weights.positive)
        self.centre = put(weights.negative_centre)
        self.context = put(weights.negative_context)

    def lookup(
        self, centre: torch.Tensor, context: torch.Tensor, negative: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.table is not None:
            return self.table[centre, context], self.table[centre, negative]
        q_positive = self.positive[centre] * self.positive[context]
        q_negative = 0.5 * (self.centre[centre] * self.context[negative] + self.centre[negative] * self.context[centre])
        return q_positive, q_negative


def torch_sgd_step(
    W: torch.Tensor,
    batch: PairBatch,
    weights: TorchPairWeights,
    loss: str,
    negative_weight: float,
    gradient_scale: float,
    lr: float,
) -> torch.Tensor:
    """One SGD step in place on W from a sampled batch (index_select / index_add_); returns the
    batch loss at the pre-step W as a 0-d tensor (no host synchronisation)."""
    batch_size = len(batch.centre)
    q_positive, q_negative = weights.lookup(batch.centre, batch.context, batch.negative)
    rows = torch.cat([batch.centre, batch.centre])
    columns = torch.cat([batch.context, batch.negative])
    psi = torch.cat([batch.weight * q_positive, negative_weight * q_negative])
    row_vectors = W.index_select(0, rows)
    column_vectors = W.index_select(0, columns)
    x = (row_vectors * column_vectors).sum(dim=1)
    x_positive, x_negative = x[:batch_size], x[batch_size:]
    pair_losses = torch.cat([losses.positive_loss(loss, x_positive), losses.negative_loss(loss, x_negative)])
    slopes = torch.cat(
        [losses.positive_loss_derivative(loss, x_positive), losses.negative_loss_derivative(loss, x_negative)]
    )
    step = (-lr * gradient_scale / batch_size) * (psi * slopes)
    W.index_add_(0, rows, step[:, None] * column_vectors)
    W.index_add_(0, columns, step[:, None] * row_vectors)
    return (psi * pair_losses).sum() / batch_size


class NumbaStepper:
    """The fused CPU kernel with its preallocated buffers; W is a numpy array updated in place."""

    def __init__(self, W: np.ndarray, layout: CorpusLayout, objective: Objective, config: RunConfig, k: float) -> None:
        self.W = W
        self.layout = layout
        self.config = config
        self.negative_weight = float(k)
        weights = objective.weights
        self.has_table = weights.table is not None
        self.table = weights.table if self.has_table else np.zeros((1, 1), dtype=W.dtype)
        self.factors = (weights.positive, weights.negative_centre, weights.negative_context)
        self.gradient_scale = 1.0 / abs(objective.min_loss)
        self.gradient = np.zeros_like(W)
        self.entry_rows = np.empty(2 * config.batch_size, dtype=np.int64)
        self.entry_columns = np.empty(2 * config.batch_size, dtype=np.int64)
        self.entry_coefficients = np.empty(2 * config.batch_size, dtype=W.dtype)
        self.chunk_losses = np.zeros(cpu_kernels.N_CHUNKS)

    def step(self, step: int, lr: float) -> float:
        layout = self.layout
        return cpu_kernels.fused_sgd_step(
            self.W,
            self.gradient,
            np.uint64(step_key(self.config.seed, step)),
            self.config.batch_size,
            layout.tokens,
            layout.doc_starts,
            layout.doc_lengths,
            layout.pair_offsets,
            layout.window,
            self.table,
            self.has_table,
            *self.factors,
            self.negative_weight,
            self.config.loss == "sgns",
            self.gradient_scale,
            lr,
            self.entry_rows,
            self.entry_columns,
            self.entry_coefficients,
            self.chunk_losses,
            numba.get_num_threads(),
        )

    def embeddings(self) -> np.ndarray:
        return self.W.astype(np.float64)


class TorchStepper:
    """The sampled step on a torch device (the GPU path); W is a device tensor."""

    def __init__(
        self,
        W: np.ndarray,
        layout: CorpusLayout,
        objective: Objective,
        config: RunConfig,
        k: float,
        device: torch.device,
    ) -> None:
        dtype = DTYPES[config.dtype]
        self.W = torch.tensor(W, device=device, dtype=dtype)  # a copy: never alias the caller's array
        self.sampler = TorchPairSampler(layout, device, dtype)
        self.weights = TorchPairWeights(objective.weights, device, dtype)
        self.config = config
        self.negative_weight = float(k)
        self.gradient_scale = 1.0 / abs(objective.min_loss)

    def step(self, step: int, lr: float) -> torch.Tensor:
        batch = self.sampler.sample(self.config.seed, step, self.config.batch_size)
        return torch_sgd_step(
            self.W, batch, self.weights, self.config.loss, self.negative_weight, self.gradient_scale, lr
        )

    def embeddings(self) -> np.ndarray:
        return self.W.double().cpu().numpy()


class ExactStepper:
    """Full-batch gradient descent on the expected omniscient QWEM loss (no sampling)."""

    def __init__(self, W: np.ndarray, objective: Objective, dtype: torch.dtype, device: torch.device) -> None:
        self.W = torch.tensor(W, device=device, dtype=dtype)  # a copy: never alias the caller's array
        self.target = torch.as_tensor(objective.mstar, device=device).to(dtype)
        self.squared_norm = objective.mstar_squared_norm
        self.mean_pair_weight = objective.mean_pair_weight

    def step(self, step: int, lr: float) -> torch.Tensor:
        """W -= 2 lr (W W^T - M*) W / ||M*||^2; returns the expected batch loss at the pre-step W,
        mean(G)/4 (||W W^T - M*||^2 - ||M*||^2), computed without forming the V x V W W^T."""
        projected = self.target @ self.W
        gram = self.W.T @ self.W
        residual_times_w = self.W @ gram - projected
        excess = torch.sum(gram * gram) - 2.0 * torch.sum(self.W * projected)
        self.W -= (2.0 * lr / self.squared_norm) * residual_times_w
        return 0.25 * self.mean_pair_weight * excess

    def embeddings(self) -> np.ndarray:
        return self.W.double().cpu().numpy()


# ----------------------------------------------------------------------------------------------
# The run


@dataclass
class RunRecord:
    """Everything written so far; also what the resume state holds."""

    step: int
    trace: list[list[float]] = field(default_factory=list)
    evaluations: list[list[float]] = field(default_factory=list)
    singular_values: list[np.ndarray] = field(default_factory=list)
    checkpoints: list[list[float]] = field(default_factory=list)


def _fingerprint(config: RunConfig, problem: TrainingProblem) -> str:
    """Identifies what a resume state was computed from: the run settings and the data."""
    digest = hashlib.sha256(json.dumps(config.resolved(), sort_keys=True).encode())
    for array in (
        problem.doc_offsets,
        problem.tokens[:: max(1, len(problem.tokens) // 1_000_000)],
        problem.mstar_eigvals,
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(f"{problem.n_pairs} {problem.window} {problem.negative_weight} {problem.dim}".encode())
    return digest.hexdigest()


def _resume_path(run_dir: Path) -> Path:
    return run_dir / "resume" / "state.npz"


def save_resume(run_dir: Path, record: RunRecord, W: np.ndarray, fingerprint: str) -> None:
    with atomic_path(_resume_path(run_dir)) as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            W=W,
            step=record.step,
            trace=np.array(record.trace, dtype=np.float64).reshape(-1, len(TRACE_COLUMNS)),
            evaluations=np.array(record.evaluations, dtype=np.float64).reshape(-1, len(EVALUATION_COLUMNS)),
            singular_values=np.array(record.singular_values, dtype=np.float64).reshape(len(record.singular_values), -1),
            checkpoints=np.array(record.checkpoints, dtype=np.float64).reshape(-1, 2),
            fingerprint=fingerprint,
        )


def load_resume(run_dir: Path, fingerprint: str) -> tuple[RunRecord, np.ndarray] | None:
    path = _resume_path(run_dir)
    if not path.exists():
        return None
    with np.load(path) as state:
        if str(state["fingerprint"]) != fingerprint:
            log.warning("ignoring %s: it was written for other run settings or data", path)
            return None
        record = RunRecord(
            int(state["step"]),
            state["trace"].tolist(),
            state["evaluations"].tolist(),
            list(state["singular_values"]),
            state["checkpoints"].tolist(),
        )
        return record, state["W"]


def _divergence_error(config: RunConfig, step: int, lr: float, loss: float) -> InputError:
    precision = " or use dtype float64" if config.dtype != "float64" else ""
    return InputError(
        f"run `{config.config_key}`: the loss became {loss} at step {step} (learning rate {lr:g}, "
        f"{config.dtype}): SGD diverged. Lower `{config.config_key}.lr` (or add an lr_schedule "
        f"that decays it before step {step}){precision}, or a smaller init_scale."
    )


def _make_stepper(
    W0: np.ndarray, problem: TrainingProblem, objective: Objective, config: RunConfig, device: torch.device
):
    dtype = DTYPES[config.dtype]
    if config.exact:
        return ExactStepper(W0, objective, dtype, device)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    if layout.n_forward_pairs == 0:
        raise InputError("the corpus has no pair of tokens within the window: nothing to train on")
    if device.type == "cpu":
        return NumbaStepper(W0.astype(config.dtype, copy=True), layout, objective, config, problem.negative_weight)
    return TorchStepper(W0, layout, objective, config, problem.negative_weight, device)


def _progress(total: int, initial: int, enabled: bool) -> tqdm:
    interactive = sys.stderr.isatty()
    return tqdm(
        total=total,
        initial=initial,
        unit="step",
        mininterval=0.5 if interactive else 60.0,
        disable=not enabled,
        dynamic_ncols=interactive,
    )


def train(
    config: RunConfig,
    problem: TrainingProblem,
    run_dir: str | os.PathLike[str],
    evaluate: Callable[[np.ndarray], float] | None = None,
    threads: int | None = None,
    progress: bool = True,
    resume_interval_seconds: float = RESUME_INTERVAL_SECONDS,
) -> dict[str, Any]:
    """Run `config` on `problem`, write the run directory and return the run.json summary.

    `evaluate(W)` (float64 V x d) returns the analogy accuracy; None records NaN.
    """
    started = time.perf_counter()
    run_dir = Path(run_dir)
    if problem.dim > len(problem.mstar_eigvals):
        raise InputError(f"mstar_eigvals has {len(problem.mstar_eigvals)} eigenvalues but dim = {problem.dim}")
    device = resolve_device(config.device)
    previous_threads = (numba.get_num_threads(), torch.get_num_threads())
    if threads is not None:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        torch.set_num_threads(threads)
    try:
        objective = build_objective(problem, config)
        fingerprint = _fingerprint(config, problem)
        resumed = load_resume(run_dir, fingerprint)
        if resumed is None:
            record = RunRecord(0)
            W0 = initial_embeddings(problem.vocab_size, problem.dim, config.init_scale, config.seed)
        else:
            record, W0 = resumed
            log.info("resuming %s from step %d", run_dir, record.step)
        resumed_from = record.step
        stepper = _make_stepper(W0, problem, objective, config, device)
        loop_started = time.perf_counter()
        _training_loop(
            config,
            problem,
            objective,
            stepper,
            record,
            run_dir,
            evaluate,
            fingerprint,
            progress,
            resume_interval_seconds,
        )
        loop_seconds = time.perf_counter() - loop_started
    finally:
        numba.set_num_threads(previous_threads[0])
        torch.set_num_threads(previous_threads[1])
    W = stepper.embeddings().astype(config.dtype)
    summary = _summary(config, problem, objective, record, device, resumed_from)
    summary["wall_seconds"] = time.perf_counter() - started
    summary["steps_per_second"] = (config.steps - resumed_from) / loop_seconds if loop_seconds > 0 else None
    _write_outputs(run_dir, config, problem, objective, record, W, summary)
    _resume_path(run_dir).unlink(missing_ok=True)
    return summary


def _time(config: RunConfig, problem: TrainingProblem, objective: Objective, steps: np.ndarray | int) -> np.ndarray:
    return theory.cumulative_time(
        steps, config.lr, config.lr_schedule, objective.mstar_mean_square(problem.vocab_size), problem.vocab_size
    )


def _training_loop(
    config: RunConfig,
    problem: TrainingProblem,
    objective: Objective,
    stepper: NumbaStepper | TorchStepper | ExactStepper,
    record: RunRecord,
    run_dir: Path,
    evaluate: Callable[[np.ndarray], float] | None,
    fingerprint: str,
    progress: bool,
    resume_interval_seconds: float,
) -> None:
    checkpoints = set(checkpoint_steps(config.steps, config.n_checkpoints).tolist())
    last_resume = time.perf_counter()
    pending: list[tuple[int, float, Any]] = []  # trace rows whose loss may still be on the device
    first_step = record.step
    accuracy = float("nan")
    with _progress(config.steps, first_step, progress) as bar:
        for step in range(first_step, config.steps + 1):
            evaluating = step % config.eval_every == 0 or step == config.steps
            if step in checkpoints or evaluating:
                _flush_trace(config, objective, record, pending)
                W = stepper.embeddings()
                t = float(_time(config, problem, objective, step))
                if step > first_step and evaluating and time.perf_counter() - last_resume >= resume_interval_seconds:
                    record.step = step
                    save_resume(run_dir, record, W.astype(config.dtype), fingerprint)
                    last_resume = time.perf_counter()
                if evaluating:
                    accuracy = float("nan") if evaluate is None else float(evaluate(W))
                    record.evaluations.append([step, t, accuracy])
                    record.singular_values.append(np.linalg.svd(W, compute_uv=False))
                if step in checkpoints:
                    name = f"checkpoints/W_{step:09d}.npy"
                    save_npy(run_dir / name, W.astype(config.dtype))
                    record.checkpoints.append([step, t])
            if step == config.steps:
                break
            lr = config.learning_rate(step)
            loss = stepper.step(step, lr)
            if isinstance(loss, float) and not math.isfinite(loss):
                raise _divergence_error(config, step, lr, loss)
            if step % config.log_every == 0:
                pending.append((step, lr, loss))
                if len(pending) * config.log_every >= 10 * config.eval_every or not isinstance(loss, torch.Tensor):
                    _flush_trace(config, objective, record, pending)
                bar.set_postfix(
                    loss=f"{record.trace[-1][4]:.4f}" if record.trace else "-", acc=f"{accuracy:.3f}", refresh=False
                )
            bar.update(1)
    record.step = config.steps


def _flush_trace(
    config: RunConfig, objective: Objective, record: RunRecord, pending: list[tuple[int, float, Any]]
) -> None:
    """Move logged losses to the host (one synchronisation for many steps) and check them."""
    for step, lr, loss in pending:
        value = float(loss)
        if not math.isfinite(value):
            raise _divergence_error(config, step, lr, value)
        record.trace.append([step, float("nan"), lr, value, 1.0 - value / objective.min_loss])
    pending.clear()


def _summary(
    config: RunConfig,
    problem: TrainingProblem,
    objective: Objective,
    record: RunRecord,
    device: torch.device,
    resumed_from: int,
) -> dict[str, Any]:
    eigvals = np.asarray(problem.mstar_eigvals[: problem.dim], dtype=np.float64)
    s0 = theory.init_s0(config.init_scale)
    mean_square = objective.mstar_mean_square(problem.vocab_size)
    taus = theory.tau(eigvals, s0)
    return {
        "run": config.resolved(),
        "config_key": config.config_key,
        "vocab_size": problem.vocab_size,
        "dim": problem.dim,
        "window": problem.window,
        "negative_weight": problem.negative_weight,
        "n_tokens": int(len(problem.tokens)),
        "n_pairs": int(problem.n_pairs),
        "mstar_mean_square": mean_square,
        "mean_pair_weight": objective.mean_pair_weight,
        "min_loss": objective.min_loss,
        "time_per_unit_lr": float(theory.time_per_step(1.0, mean_square, problem.vocab_size)),
        "final_time": float(_time(config, problem, objective, config.steps)),
        "s0": s0,
        "tau": [float(value) if math.isfinite(value) else None for value in taus],
        "final_loss_normalised": record.trace[-1][4] if record.trace else None,
        "final_analogy_accuracy": _finite_or_none(record.evaluations[-1][2]) if record.evaluations else None,
        "device": device.type,
        "dtype": config.dtype,
        "resumed_from_step": resumed_from,
    }


def _write_csv(path: Path, table: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False)


def _write_outputs(
    run_dir: Path,
    config: RunConfig,
    problem: TrainingProblem,
    objective: Objective,
    record: RunRecord,
    W: np.ndarray,
    summary: dict[str, Any],
) -> None:
    eigvals = np.asarray(problem.mstar_eigvals[: problem.dim], dtype=np.float64)
    s0 = theory.init_s0(config.init_scale)
    trace = pd.DataFrame(record.trace, columns=TRACE_COLUMNS)
    trace["step"] = trace["step"].astype(np.int64)
    trace["time"] = _time(config, problem, objective, trace["step"].to_numpy())
    evaluations = pd.DataFrame(record.evaluations, columns=EVALUATION_COLUMNS)
    evaluations["step"] = evaluations["step"].astype(np.int64)
    checkpoints = pd.DataFrame(record.checkpoints, columns=["step", "time"])
    checkpoints["step"] = checkpoints["step"].astype(np.int64)
    checkpoints["file"] = [f"checkpoints/W_{step:09d}.npy" for step in checkpoints["step"]]
    eval_times = evaluations["time"].to_numpy()
    predicted = theory.singular_value_theory(eval_times, eigvals, s0)
    theory_rows = pd.DataFrame(
        {
            "step": np.repeat(evaluations["step"].to_numpy(), problem.dim),
            "time": np.repeat(eval_times, problem.dim),
            "mode": np.tile(np.arange(1, problem.dim + 1), len(evaluations)),
            "singular_value": predicted.reshape(-1),
        }
    )
    trace_times = trace["time"].to_numpy()
    theory_loss = pd.DataFrame(
        {
            "step": trace["step"],
            "time": trace_times,
            "loss_normalised": theory.normalised_loss_theory(
                theory.singular_value_theory(trace_times, eigvals, s0), eigvals, objective.mstar_squared_norm
            ),
        }
    )
    _write_csv(run_dir / "trace.csv", trace)
    _write_csv(run_dir / "evaluations.csv", evaluations)
    save_npy(
        run_dir / "singular_values.npy",
        np.array(record.singular_values, dtype=np.float64).reshape(len(record.singular_values), -1),
    )
    _write_csv(run_dir / "checkpoints.csv", checkpoints)
    _write_csv(run_dir / "theory.csv", theory_rows)
    _write_csv(run_dir / "theory_loss.csv", theory_loss)
    save_npy(run_dir / "W.npy", W)
    write_text(run_dir / "run.json", json.dumps(summary, indent=2, allow_nan=False, default=_json_default) + "\n")


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")
