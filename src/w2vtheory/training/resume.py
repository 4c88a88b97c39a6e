"""Resume state of an interrupted run: W (and an exact run's heavy-ball velocity), the step and every
row recorded so far.

A run writes `resume/state.npz` at evaluation steps (at most once a RESUME_INTERVAL_SECONDS) and
stages its checkpoints under `resume/checkpoints/`; the state carries a fingerprint of the settings
and data, so a rerun with other settings starts afresh instead of continuing a different run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from w2vtheory.atomic import atomic_path
from w2vtheory.finite import check_finite
from w2vtheory.training.problem import TrainingProblem
from w2vtheory.training.run_config import RunConfig

log = logging.getLogger(__name__)

TRACE_COLUMNS = ["step", "time", "lr", "loss", "loss_normalised"]
EVALUATION_COLUMNS = ["step", "time", "analogy_accuracy"]
CHECKPOINT_COLUMNS = ["step", "time"]


@dataclass(frozen=True)
class TraceRow:
    """The batch loss of step `step` at W_step (trace.csv)."""

    step: int
    time: float
    lr: float
    loss: float
    loss_normalised: float


@dataclass(frozen=True)
class EvaluationRow:
    """The analogy accuracy of W_step (evaluations.csv)."""

    step: int
    time: float
    analogy_accuracy: float


@dataclass(frozen=True)
class SingularValueRow:
    """The singular values of W_step, descending (singular_values.csv)."""

    step: int
    time: float
    values: np.ndarray


@dataclass(frozen=True)
class CheckpointRow:
    step: int
    time: float


@dataclass
class RunRecord:
    """Everything recorded so far; also what the resume state holds."""

    step: int
    trace: list[TraceRow] = field(default_factory=list)
    evaluations: list[EvaluationRow] = field(default_factory=list)
    singular_values: list[SingularValueRow] = field(default_factory=list)
    checkpoints: list[CheckpointRow] = field(default_factory=list)


def _rows_array(rows: list, columns: list[str]) -> np.ndarray:
    return np.array([[getattr(row, column) for column in columns] for row in rows], dtype=np.float64).reshape(
        -1, len(columns)
    )


def _rows(array: np.ndarray, row_type: type) -> list:
    return [row_type(int(values[0]), *(float(value) for value in values[1:])) for values in array]


def fingerprint(config: RunConfig, problem: TrainingProblem) -> str:
    """Identifies what a resume state was computed from: the run settings and the data."""
    digest = hashlib.sha256(json.dumps(config.resolved(), sort_keys=True).encode())
    for array in (
        problem.doc_offsets,
        problem.tokens[:: max(1, len(problem.tokens) // 1_000_000)],
        problem.mstar_eigvals,
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    statistics = problem.statistics
    digest.update(f"{statistics.n_pairs} {statistics.window} {problem.negative_weight} {problem.dim}".encode())
    return digest.hexdigest()


def resume_dir(run_dir: Path) -> Path:
    return run_dir / "resume"


def staged_checkpoint(run_dir: Path, step: int) -> Path:
    return resume_dir(run_dir) / checkpoint_name(step)


def checkpoint_name(step: int) -> str:
    return f"checkpoints/W_{step:09d}.npy"


def save_resume(run_dir: Path, record: RunRecord, W: np.ndarray, key: str, velocity: np.ndarray | None = None) -> None:
    momentum = {} if velocity is None else {"velocity": velocity}
    with atomic_path(resume_dir(run_dir) / "state.npz") as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            W=W,
            **momentum,
            step=record.step,
            trace=_rows_array(record.trace, TRACE_COLUMNS),
            evaluations=_rows_array(record.evaluations, EVALUATION_COLUMNS),
            singular_value_times=_rows_array(record.singular_values, CHECKPOINT_COLUMNS),
            singular_values=np.array([row.values for row in record.singular_values], dtype=np.float64).reshape(
                len(record.singular_values), -1
            ),
            checkpoints=_rows_array(record.checkpoints, CHECKPOINT_COLUMNS),
            fingerprint=key,
        )


def load_resume(run_dir: Path, key: str) -> tuple[RunRecord, np.ndarray, np.ndarray | None] | None:
    """The record, W and the velocity (None if the run had none yet) of a state written for `key`."""
    path = resume_dir(run_dir) / "state.npz"
    if not path.exists():
        return None
    with np.load(path) as state:
        if str(state["fingerprint"]) != key:
            log.warning("ignoring %s: it was written for other run settings or data", path)
            return None
        times = state["singular_value_times"]
        record = RunRecord(
            int(state["step"]),
            _rows(state["trace"], TraceRow),
            _rows(state["evaluations"], EvaluationRow),
            [
                SingularValueRow(int(step), float(time), values)
                for (step, time), values in zip(times, state["singular_values"])
            ],
            _rows(state["checkpoints"], CheckpointRow),
        )
        W, velocity = state["W"], state["velocity"] if "velocity" in state else None
        for name, array in (("W", W), ("velocity", velocity)):
            if array is not None:
                check_finite(array, f"{path} ({name})", f"delete {path} to start the run afresh")
        return record, W, velocity
