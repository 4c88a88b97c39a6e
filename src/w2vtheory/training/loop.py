"""The training loop: `train` runs a RunConfig on a TrainingProblem and writes the run directory.

Where it runs: CUDA (device "auto" when present) uses the torch sampler and step, which never wait
on the host between log steps; the CPU uses the fused numba kernel (`w2vtheory.training.cpu_kernels`);
`exact: true` takes full-batch steps on the expected loss on either. W starts as i.i.d.
N(0, (init_scale/sqrt(d))^2) from `seed`, and batch s is keyed by (seed, s), so a resumed run
repeats an uninterrupted one. Time axis: `w2vtheory.training.objective.objective_clock` (docs/paper.md
section 4).
"""

from __future__ import annotations

import logging
import math
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numba
import numpy as np
import torch
from tqdm import tqdm

from w2vtheory.atomic import save_npy
from w2vtheory.devices import resolve_device
from w2vtheory.errors import InputError
from w2vtheory.finite import check_finite
from w2vtheory.training.objective import Objective, build_objective, objective_clock
from w2vtheory.training.outputs import run_time, summary, write_outputs
from w2vtheory.training.problem import TrainingProblem
from w2vtheory.training.resume import (
    CheckpointRow,
    EvaluationRow,
    RunRecord,
    SingularValueRow,
    TraceRow,
    fingerprint,
    load_resume,
    resume_dir,
    save_resume,
    staged_checkpoint,
)
from w2vtheory.training.run_config import DTYPES, RunConfig
from w2vtheory.training.sampler import corpus_layout
from w2vtheory.training.steppers import (
    ExactStepper,
    NumbaStepper,
    ProportionalNumbaStepper,
    ProportionalTorchStepper,
    Stepper,
    TorchStepper,
)

log = logging.getLogger(__name__)

# A resume state is written at an evaluation step once this long has passed since the last one.
RESUME_INTERVAL_SECONDS = 60.0


def initial_embeddings(vocab_size: int, dim: int, init_scale: float, seed: int) -> np.ndarray:
    """W_0 with i.i.d. N(0, (init_scale/sqrt(d))^2) entries, float64, the same on every device."""
    return np.random.default_rng(seed).standard_normal((vocab_size, dim)) * (init_scale / math.sqrt(dim))


def checkpoint_steps(steps: int, n_checkpoints: int) -> np.ndarray:
    """Log-spaced steps: 0, then n_checkpoints - 1 geometric steps from 1 to `steps` (fewer where a short
    run rounds two onto one step); 0 and `steps` always, so n_checkpoints 1 or 2 gives just those two."""
    geometric = np.round(np.geomspace(1, steps, n_checkpoints - 1) if n_checkpoints > 2 else []).astype(np.int64)
    return np.unique(np.concatenate([[0], geometric, [steps]]))


def make_stepper(
    W0: np.ndarray,
    problem: TrainingProblem,
    objective: Objective,
    config: RunConfig,
    device: torch.device,
    velocity: np.ndarray | None = None,
) -> Stepper:
    if config.exact:
        dtype = DTYPES[config.dtype]
        return ExactStepper(W0, objective, dtype, device, config.momentum, config.momentum_from, velocity)
    if objective.pairs is not None:
        if device.type == "cpu":
            return ProportionalNumbaStepper(W0.astype(config.dtype, copy=True), objective.pairs, objective, config)
        return ProportionalTorchStepper(W0, objective.pairs, objective, config, device)
    layout = corpus_layout(problem.tokens, problem.doc_offsets, problem.window)
    if layout.n_forward_pairs == 0:
        raise InputError("the corpus has no pair of tokens within the window: nothing to train on")
    if device.type == "cpu":
        return NumbaStepper(W0.astype(config.dtype, copy=True), layout, objective, config, problem.negative_weight)
    return TorchStepper(W0, layout, objective, config, problem.negative_weight, device)


def divergence_error(config: RunConfig, step: int, lr: float, what: str) -> InputError:
    precision = " or use dtype float64" if config.dtype != "float64" else ""
    return InputError(
        f"run `{config.config_key}`: {what} at step {step} (learning rate {lr:g}, {config.dtype}): "
        f"{'exact gradient descent' if config.exact else 'SGD'} diverged. Lower `{config.config_key}.lr` "
        f"(or add an lr_schedule that decays it before step {step}){precision}, or a smaller init_scale."
    )


def train(
    config: RunConfig,
    problem: TrainingProblem,
    run_dir: str | Path,
    evaluate: Callable[[np.ndarray], float] | None = None,
    threads: int | None = None,
    progress: bool = True,
    resume_interval_seconds: float = RESUME_INTERVAL_SECONDS,
) -> dict[str, Any]:
    """Run `config` on `problem`, write the run directory and return the run.json summary.

    `evaluate(W)` (float64 V x d) returns the analogy accuracy; None records NaN. A run that fails
    (divergence) leaves no resume state and no checkpoints behind.
    """
    started = time.perf_counter()
    run_dir = Path(run_dir)
    if problem.dim > len(problem.mstar_eigvals):
        raise InputError(f"mstar_eigvals has {len(problem.mstar_eigvals)} eigenvalues but dim = {problem.dim}")
    for name, array in (("mstar_eigvals", problem.mstar_eigvals), ("P(i,j)", problem.statistics.joint),
                        ("P(i)", problem.statistics.unigram)):  # fmt: skip
        check_finite(array, f"run `{config.config_key}`: the problem's {name}", "rebuild the experiment's files")
    device = resolve_device(config.device)
    previous_threads = (numba.get_num_threads(), torch.get_num_threads())
    if threads is not None:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        torch.set_num_threads(threads)
    try:
        objective = build_objective(problem.statistics, problem.negative_weight, config)
        clock = objective_clock(objective, problem.statistics, problem.negative_weight, float(problem.mstar_eigvals[0]))
        times = run_time(config, clock.time_per_unit_lr, np.arange(config.steps + 1))
        key = fingerprint(config, problem)
        resumed = load_resume(run_dir, key)
        if resumed is None:
            shutil.rmtree(resume_dir(run_dir), ignore_errors=True)
            record, velocity = RunRecord(0), None
            W0 = initial_embeddings(problem.vocab_size, problem.dim, config.init_scale, config.seed)
        else:
            record, W0, velocity = resumed
            log.info("resuming %s from step %d", run_dir, record.step)
        check_finite(W0, f"run `{config.config_key}`: its starting W", "lower init_scale")
        resumed_from = record.step
        stepper = make_stepper(W0, problem, objective, config, device, velocity)
        loop_started = time.perf_counter()
        try:
            _training_loop(config, objective, times, stepper, record, run_dir, evaluate, key, progress,
                           resume_interval_seconds)  # fmt: skip
        except InputError:
            shutil.rmtree(resume_dir(run_dir), ignore_errors=True)
            raise
        loop_seconds = time.perf_counter() - loop_started
    finally:
        numba.set_num_threads(previous_threads[0])
        torch.set_num_threads(previous_threads[1])
    W = stepper.embeddings().astype(config.dtype)
    run_summary = summary(config, problem, objective, clock, record, device.type, resumed_from)
    run_summary["wall_seconds"] = time.perf_counter() - started
    run_summary["steps_per_second"] = (config.steps - resumed_from) / loop_seconds if loop_seconds > 0 else None
    write_outputs(run_dir, record, W, run_summary)
    shutil.rmtree(resume_dir(run_dir), ignore_errors=True)
    return run_summary


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


def _training_loop(
    config: RunConfig,
    objective: Objective,
    times: np.ndarray,
    stepper: Stepper,
    record: RunRecord,
    run_dir: Path,
    evaluate: Callable[[np.ndarray], float] | None,
    key: str,
    progress: bool,
    resume_interval_seconds: float,
) -> None:
    """Steps `first_step`..`steps`; `times[s]` is the theory time after s steps. Losses and singular
    values stay on the stepper's device until `_flush_pending` (one synchronisation for many)."""
    checkpoints = set(checkpoint_steps(config.steps, config.n_checkpoints).tolist())
    last_resume = time.perf_counter()
    pending = Pending()
    first_step = record.step
    accuracy = float("nan")
    with _progress(config.steps, first_step, progress) as bar:
        for step in range(first_step, config.steps + 1):
            final = step == config.steps
            evaluating = step % config.eval_every == 0 or final
            if step in checkpoints or evaluating:
                _flush_pending(config, objective, times, record, pending)
                W = stepper.embeddings()
                if not np.isfinite(W).all():
                    raise divergence_error(config, step, config.learning_rate(max(step - 1, 0)), "W became non-finite")
                if step > first_step and evaluating and time.perf_counter() - last_resume >= resume_interval_seconds:
                    record.step = step
                    save_resume(run_dir, record, W.astype(config.dtype), key, stepper.velocity_embeddings())
                    last_resume = time.perf_counter()
                if evaluating:
                    accuracy = float("nan") if evaluate is None else float(evaluate(W))
                    record.evaluations.append(EvaluationRow(step, float(times[step]), accuracy))
                if step in checkpoints:
                    save_npy(staged_checkpoint(run_dir, step), W.astype(config.dtype))
                    record.checkpoints.append(CheckpointRow(step, float(times[step])))
            if step % config.singular_values_every == 0 or final:
                pending.singular_values.append((step, stepper.singular_values()))
            if final:
                break
            lr = config.learning_rate(step)
            logging = step % config.log_every == 0
            loss = stepper.step(step, lr, logging)
            if logging:
                pending.losses.append((step, lr, loss))
                if pending.full(config) or not isinstance(loss, torch.Tensor):
                    _flush_pending(config, objective, times, record, pending)
                bar.set_postfix(
                    loss=f"{record.trace[-1].loss_normalised:.4f}" if record.trace else "-",
                    acc=f"{accuracy:.3f}",
                    refresh=False,
                )
            bar.update(1)
    _flush_pending(config, objective, times, record, pending)
    record.step = config.steps


@dataclass
class Pending:
    """Logged losses (step, lr, loss) and singular values (step, values) not yet read to the host."""

    losses: list[tuple[int, float, Any]] = field(default_factory=list)
    singular_values: list[tuple[int, Any]] = field(default_factory=list)

    def full(self, config: RunConfig) -> bool:
        """Read them about every 10 evaluations' worth of steps."""
        return len(self.losses) * config.log_every >= 10 * config.eval_every


def _flush_pending(
    config: RunConfig, objective: Objective, times: np.ndarray, record: RunRecord, pending: Pending
) -> None:
    """Move the pending values to the record (one synchronisation for many steps) and check them."""
    for step, lr, loss in pending.losses:
        value = float(loss)
        if not math.isfinite(value):
            raise divergence_error(config, step, lr, f"the loss became {value}")
        normalised = 1.0 - value / objective.normaliser
        record.trace.append(TraceRow(step, float(times[step]), lr, value, normalised))
    for step, values in pending.singular_values:
        values = values.cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)
        if not np.isfinite(values).all():
            raise divergence_error(config, step, config.learning_rate(max(step - 1, 0)), "W became non-finite")
        record.singular_values.append(SingularValueRow(step, float(times[step]), values))
    pending.losses.clear()
    pending.singular_values.clear()
