"""What a finished run writes into results/<experiment>/runs/<run>/ (every file atomically).

| file | content |
|---|---|
| trace.csv | step,time,lr,loss,loss_normalised: the batch loss of step s at W_s, every log_every steps |
| evaluations.csv | step,time,analogy_accuracy of W_s, every eval_every steps and at the final step |
| singular_values.npy | n_evals x d float64, descending, rows aligned with evaluations.csv |
| checkpoints.csv, checkpoints/W_<step>.npy | step,time,file of W on a log-spaced schedule incl. 0 and the end |
| W.npy | the final V x d W |
| run.json | resolved hyperparameters and derived quantities (normaliser, clock, s0, tau_k) |

The theory curves (theory.csv, theory_loss.csv) are a rule of their own (`w2vtheory.theory.curves`),
so a change to the theory reruns in seconds without retraining.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory.atomic import save_npy, write_table, write_text
from w2vtheory.theory import dynamics
from w2vtheory.training.objective import Objective, time_per_unit_lr
from w2vtheory.training.problem import TrainingProblem
from w2vtheory.training.resume import EVALUATION_COLUMNS, TRACE_COLUMNS, RunRecord, checkpoint_name, resume_dir
from w2vtheory.training.run_config import RunConfig


def run_time(config: RunConfig, objective: Objective, vocab_size: int, steps: np.ndarray | int) -> np.ndarray:
    """Theory time after `steps` steps of the run's schedule (`w2vtheory.theory.dynamics.cumulative_time`)."""
    return dynamics.cumulative_time(
        steps,
        config.lr,
        config.lr_schedule,
        time_per_unit_lr(objective, vocab_size),
        config.momentum,
        config.momentum_from,
    )


def summary(
    config: RunConfig, problem: TrainingProblem, objective: Objective, record: RunRecord, device: str, resumed_from: int
) -> dict[str, Any]:
    eigvals = np.asarray(problem.mstar_eigvals[: problem.dim], dtype=np.float64)
    s0 = dynamics.init_s0(config.init_scale)
    taus = dynamics.tau(eigvals, s0)
    statistics = problem.statistics
    return {
        "run": config.resolved(),
        "config_key": config.config_key,
        "vocab_size": problem.vocab_size,
        "dim": problem.dim,
        "window": problem.window,
        "negative_weight": problem.negative_weight,
        "n_tokens": int(len(problem.tokens)),
        "n_pairs": int(statistics.n_pairs),
        "mstar_mean_square": objective.mstar_mean_square(problem.vocab_size),
        "mean_pair_weight": objective.mean_pair_weight,
        "loss_normaliser": objective.normaliser,
        "time_per_unit_lr": time_per_unit_lr(objective, problem.vocab_size),
        "final_time": float(run_time(config, objective, problem.vocab_size, config.steps)),
        "s0": s0,
        "tau": [float(value) if math.isfinite(value) else None for value in taus],
        "final_loss_normalised": record.trace[-1][4] if record.trace else None,
        "final_analogy_accuracy": _finite_or_none(record.evaluations[-1][2]) if record.evaluations else None,
        "device": device,
        "dtype": config.dtype,
        "resumed_from_step": resumed_from,
    }


def write_outputs(
    run_dir: Path,
    config: RunConfig,
    objective: Objective,
    vocab_size: int,
    record: RunRecord,
    W: np.ndarray,
    run_summary: dict[str, Any],
) -> None:
    """Publish the staged checkpoints, then every table; run.json last (it marks a complete run)."""
    trace = pd.DataFrame(record.trace, columns=TRACE_COLUMNS)
    trace["step"] = trace["step"].astype(np.int64)
    trace["time"] = run_time(config, objective, vocab_size, trace["step"].to_numpy())
    evaluations = pd.DataFrame(record.evaluations, columns=EVALUATION_COLUMNS)
    evaluations["step"] = evaluations["step"].astype(np.int64)
    checkpoints = pd.DataFrame(record.checkpoints, columns=["step", "time"])
    checkpoints["step"] = checkpoints["step"].astype(np.int64)
    checkpoints["file"] = [checkpoint_name(step) for step in checkpoints["step"]]
    published = run_dir / "checkpoints"
    shutil.rmtree(published, ignore_errors=True)
    published.mkdir(parents=True)
    for name in checkpoints["file"]:
        (resume_dir(run_dir) / name).replace(run_dir / name)
    write_table(run_dir / "trace.csv", trace)
    write_table(run_dir / "evaluations.csv", evaluations)
    save_npy(
        run_dir / "singular_values.npy",
        np.array(record.singular_values, dtype=np.float64).reshape(len(record.singular_values), -1),
    )
    write_table(run_dir / "checkpoints.csv", checkpoints)
    save_npy(run_dir / "W.npy", W)
    write_text(run_dir / "run.json", json.dumps(run_summary, indent=2, allow_nan=False, default=_json_default) + "\n")


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")
