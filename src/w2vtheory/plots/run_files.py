"""Readers for a training run's files (written by the trainer and rule theory_curves) in the tidy
shapes the figures plot, with time measured in units of the run's tau_1.

A figure rule declares each file it reads as an input named <role>_<key>_<file stem>
(rules/figure_inputs.smk, `run_files`), e.g. small_init_qwem_evaluations; `role_files` groups them
back into one {file stem: path} mapping per run, so a figure reads only files its rule declares.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory.errors import InputError
from w2vtheory.training.outputs import singular_value_arrays

RunFiles = Mapping[str, str | os.PathLike[str]]
# The figure roles of a QWEM and an SGNS run (config `figures`), in the order figures draw them.
MODEL_PAIR = ("qwem", "sgns")
INIT_ROLES = ("small_init", "large_init")


def role_files(inputs: RunFiles, role: str, keys: Sequence[str]) -> dict[str, dict[str, str | os.PathLike[str]]]:
    """{key: {file stem: path}} of the runs playing `role`, for the keys among the inputs, in `keys` order."""
    runs = {}
    for key in keys:
        prefix = f"{role}_{key}_"
        files = {name.removeprefix(prefix): file for name, file in inputs.items() if name.startswith(prefix)}
        if files:
            runs[key] = files
    return runs


def _file(files: RunFiles, stem: str) -> Path:
    if stem not in files:
        raise InputError(f"the figure's rule declares no `{stem}` file for this run (inputs: {', '.join(files)})")
    path = Path(files[stem])
    if not path.is_file():
        raise InputError(f"{path} is missing: rerun the training rule for this run")
    return path


def _read_csv(files: RunFiles, stem: str, columns: list[str]) -> pd.DataFrame:
    path = _file(files, stem)
    table = pd.read_csv(path)
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise InputError(f"{path} lacks column(s) {', '.join(missing)}; it was written by an older trainer, rerun it")
    return table


def run_info(files: RunFiles) -> dict[str, Any]:
    return json.loads(_file(files, "run").read_text(encoding="utf-8"))


def first_tau(files: RunFiles) -> float:
    """tau_1 of the run (theory time at which the first mode is learned), from run.json."""
    taus = run_info(files).get("tau")  # the trainer writes null for modes never learned
    if not taus or taus[0] is None or not np.isfinite(taus[0]) or taus[0] <= 0:
        raise InputError(f"{files['run']} has no finite positive `tau` list to scale time by")
    return float(taus[0])


def singular_value_trace(files: RunFiles) -> pd.DataFrame:
    """Measured singular values: DataFrame(step, time, t_over_tau1, mode, singular_value), mode 1..d."""
    table = _read_csv(files, "singular_values", ["step", "time", "s1"])
    steps, values = singular_value_arrays(table)
    n_modes = values.shape[1]
    times = table["time"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "step": np.repeat(steps, n_modes),
            "time": np.repeat(times, n_modes),
            "t_over_tau1": np.repeat(times / first_tau(files), n_modes),
            "mode": np.tile(np.arange(1, n_modes + 1), len(table)),
            "singular_value": values.reshape(-1),
        }
    )


def theory_singular_values(files: RunFiles) -> pd.DataFrame:
    """Predicted s_k(t) at the eval steps: DataFrame(step, time, t_over_tau1, mode, singular_value)."""
    table = _read_csv(files, "theory", ["step", "time", "mode", "singular_value"])
    table["t_over_tau1"] = table["time"] / first_tau(files)
    return table[["step", "time", "t_over_tau1", "mode", "singular_value"]]


def loss_trace(files: RunFiles) -> pd.DataFrame:
    """Measured normalised loss: DataFrame(step, time, t_over_tau1, loss_normalised)."""
    table = _read_csv(files, "trace", ["step", "time", "loss_normalised"])
    table["t_over_tau1"] = table["time"] / first_tau(files)
    return table[["step", "time", "t_over_tau1", "loss_normalised"]]


def theory_loss(files: RunFiles) -> pd.DataFrame:
    table = _read_csv(files, "theory_loss", ["step", "time", "loss_normalised"])
    table["t_over_tau1"] = table["time"] / first_tau(files)
    return table[["step", "time", "t_over_tau1", "loss_normalised"]]
