"""What a finished run writes into results/<experiment>/runs/<run>/ (every file atomically).

| file | content |
|---|---|
| trace.csv | step,time,lr,loss,loss_normalised: the batch loss of step s at W_s, every log_every steps |
| evaluations.csv | step,time,analogy_accuracy of W_s, every eval_every steps and at the final step |
| singular_values.csv | step,time,s1..sd: W_s's singular values, descending, every singular_values_every steps and at the final step |
| checkpoints.csv, checkpoints/W_<step>.npy | step,time,file of W on a log-spaced schedule incl. 0 and the end |
| W.npy | the final V x d W |
| run.json | resolved hyperparameters and derived quantities (normaliser, clock, s0, tau_k) |

`time` is theory time (`w2vtheory.training.objective.objective_clock`), the same axis as tau_k.

The theory curves (theory.csv, theory_loss.csv) are a rule of their own (`w2vtheory.theory_curves`),
so a change to the theory reruns in seconds without retraining.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory import theory
from w2vtheory.atomic import save_npy, write_table, write_text
from w2vtheory.training.objective import Clock, Objective
from w2vtheory.training.problem import TrainingProblem
from w2vtheory.training.resume import (
    CHECKPOINT_COLUMNS,
    EVALUATION_COLUMNS,
    TRACE_COLUMNS,
    RunRecord,
    SingularValueRow,
    checkpoint_name,
    resume_dir,
)
from w2vtheory.training.run_config import RunConfig


def run_time(config: RunConfig, time_per_unit_lr: float, steps: np.ndarray | int) -> np.ndarray:
    """Theory time after `steps` steps of the run's schedule (`w2vtheory.theory.cumulative_time`)."""
    return theory.cumulative_time(
        steps, config.lr, config.lr_schedule, time_per_unit_lr, config.momentum, config.momentum_from
    )


def summary(
    config: RunConfig,
    problem: TrainingProblem,
    objective: Objective,
    clock: Clock,
    record: RunRecord,
    device: str,
    resumed_from: int,
) -> dict[str, Any]:
    eigvals = np.asarray(problem.mstar_eigvals[: problem.dim], dtype=np.float64)
    s0 = theory.init_s0(config.init_scale)
    taus = theory.tau(eigvals, s0)
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
        "quadratic_share": theory.QUADRATIC_SHARE[config.loss],
        "signed_weight_top_eigenvalue": clock.signed_weight_top,
        "mstar_top_eigenvalue": clock.mstar_top,
        "time_per_unit_lr": clock.time_per_unit_lr,
        "final_time": float(run_time(config, clock.time_per_unit_lr, config.steps)),
        "s0": s0,
        "tau": [float(value) if math.isfinite(value) else None for value in taus],
        "final_loss_normalised": record.trace[-1].loss_normalised if record.trace else None,
        "final_analogy_accuracy": (
            _finite_or_none(record.evaluations[-1].analogy_accuracy) if record.evaluations else None
        ),
        "device": device,
        "dtype": config.dtype,
        "resumed_from_step": resumed_from,
    }


def singular_value_table(rows: list[SingularValueRow]) -> pd.DataFrame:
    """singular_values.csv: step, time, then s1..sd."""
    values = np.array([row.values for row in rows], dtype=np.float64).reshape(len(rows), -1)
    table = pd.DataFrame(values, columns=[f"s{mode}" for mode in range(1, values.shape[1] + 1)])
    table.insert(0, "time", [row.time for row in rows])
    table.insert(0, "step", np.array([row.step for row in rows], dtype=np.int64))
    return table


def singular_value_arrays(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of a singular_values.csv table: values is n_records x d, descending."""
    columns = [column for column in table.columns if column not in ("step", "time")]
    return table["step"].to_numpy(dtype=np.int64), table[columns].to_numpy(dtype=np.float64)


def write_outputs(run_dir: Path, record: RunRecord, W: np.ndarray, run_summary: dict[str, Any]) -> None:
    """Publish the staged checkpoints, then every table; run.json last (it marks a complete run)."""
    trace = pd.DataFrame([asdict(row) for row in record.trace], columns=TRACE_COLUMNS)
    evaluations = pd.DataFrame([asdict(row) for row in record.evaluations], columns=EVALUATION_COLUMNS)
    checkpoints = pd.DataFrame([asdict(row) for row in record.checkpoints], columns=CHECKPOINT_COLUMNS)
    for table in (trace, evaluations, checkpoints):
        table["step"] = table["step"].astype(np.int64)
    checkpoints["file"] = [checkpoint_name(step) for step in checkpoints["step"]]
    published = run_dir / "checkpoints"
    shutil.rmtree(published, ignore_errors=True)
    published.mkdir(parents=True)
    for name in checkpoints["file"]:
        (resume_dir(run_dir) / name).replace(run_dir / name)
    write_table(run_dir / "trace.csv", trace)
    write_table(run_dir / "evaluations.csv", evaluations)
    write_table(run_dir / "singular_values.csv", singular_value_table(record.singular_values))
    write_table(run_dir / "checkpoints.csv", checkpoints)
    save_npy(run_dir / "W.npy", W)
    write_text(run_dir / "run.json", json.dumps(run_summary, indent=2, allow_nan=False, default=_json_default) + "\n")


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")
