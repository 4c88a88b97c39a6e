"""Readers for a training run directory results/<experiment>/runs/<run>/ (written by the trainer)
in the tidy shapes the figures plot, with time measured in units of the run's tau_1."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory.errors import InputError
from w2vtheory.finite import load_npy
from w2vtheory.training.outputs import singular_value_arrays


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path} is missing: rerun the training rule for this run")
    table = pd.read_csv(path)
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputError(f"{path} lacks column(s) {', '.join(missing)}; it was written by an older trainer, rerun it")
    return table


def run_info(run_dir: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(run_dir) / "run.json"
    if not path.is_file():
        raise InputError(f"{path} is missing: rerun the training rule for this run")
    return json.loads(path.read_text(encoding="utf-8"))


def first_tau(run_dir: str | os.PathLike[str]) -> float:
    """tau_1 of the run (theory time at which the first mode is learned), from run.json."""
    taus = run_info(run_dir).get("tau")  # the trainer writes null for modes never learned
    if not taus or taus[0] is None or not np.isfinite(taus[0]) or taus[0] <= 0:
        raise InputError(f"{Path(run_dir) / 'run.json'} has no finite positive `tau` list to scale time by")
    return float(taus[0])


def singular_value_trace(run_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Measured singular values: DataFrame(step, time, t_over_tau1, mode, singular_value), mode 1..d."""
    directory = Path(run_dir)
    table = _read_csv(directory / "singular_values.csv", ["step", "time", "s1"])
    steps, values = singular_value_arrays(table)
    n_modes = values.shape[1]
    times = table["time"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "step": np.repeat(steps, n_modes),
            "time": np.repeat(times, n_modes),
            "t_over_tau1": np.repeat(times / first_tau(directory), n_modes),
            "mode": np.tile(np.arange(1, n_modes + 1), len(table)),
            "singular_value": values.reshape(-1),
        }
    )


def theory_singular_values(run_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Predicted s_k(t) at the eval steps: DataFrame(step, time, t_over_tau1, mode, singular_value)."""
    directory = Path(run_dir)
    table = _read_csv(directory / "theory.csv", ["step", "time", "mode", "singular_value"])
    table["t_over_tau1"] = table["time"] / first_tau(directory)
    return table[["step", "time", "t_over_tau1", "mode", "singular_value"]]


def loss_trace(run_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Measured normalised loss: DataFrame(step, time, t_over_tau1, loss_normalised)."""
    directory = Path(run_dir)
    table = _read_csv(directory / "trace.csv", ["step", "time", "loss_normalised"])
    table["t_over_tau1"] = table["time"] / first_tau(directory)
    return table[["step", "time", "t_over_tau1", "loss_normalised"]]


def theory_loss(run_dir: str | os.PathLike[str]) -> pd.DataFrame:
    directory = Path(run_dir)
    table = _read_csv(directory / "theory_loss.csv", ["step", "time", "loss_normalised"])
    table["t_over_tau1"] = table["time"] / first_tau(directory)
    return table[["step", "time", "t_over_tau1", "loss_normalised"]]


def checkpoints(run_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """DataFrame(step, time, file) with `file` resolved to a path."""
    directory = Path(run_dir)
    table = _read_csv(directory / "checkpoints.csv", ["step", "time", "file"])
    table["file"] = [directory / name for name in table["file"]]
    return table.sort_values("step", ignore_index=True)


def final_embedding(run_dir: str | os.PathLike[str]) -> np.ndarray:
    path = Path(run_dir) / "W.npy"
    if not path.is_file():
        raise InputError(f"{path} is missing: rerun the training rule for this run")
    return load_npy(path)
