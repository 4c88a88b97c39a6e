"""The closed-form theory on a finished run's own axes (rule theory_curves): theory.csv and theory_loss.csv.

Computed from the run's run.json (s0, clock, mean(G), mean(M*^2)), its singular-value record and trace steps and
the spectrum of M*, not by the training job, so a change to `w2vtheory.theory` reruns in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from w2vtheory import theory


def singular_value_curves(run: Mapping[str, Any], records: pd.DataFrame, eigvals: np.ndarray) -> pd.DataFrame:
    """step,time,mode,singular_value: s_k(t) of modes 1..d at the steps of `records` (the run's
    singular_values.csv, columns step and time)."""
    dim = int(run["dim"])
    times = records["time"].to_numpy(dtype=np.float64)
    predicted = theory.singular_value_theory(times, np.asarray(eigvals[:dim], dtype=np.float64), float(run["s0"]))
    return pd.DataFrame(
        {
            "step": np.repeat(records["step"].to_numpy(), dim),
            "time": np.repeat(times, dim),
            "mode": np.tile(np.arange(1, dim + 1), len(times)),
            "singular_value": predicted.reshape(-1),
        }
    )


def loss_curve(run: Mapping[str, Any], trace: pd.DataFrame, eigvals: np.ndarray) -> pd.DataFrame:
    """step,time,loss_normalised: omniscient QWEM's expected normalised loss at the trace steps."""
    dim, vocab_size = int(run["dim"]), int(run["vocab_size"])
    top = np.asarray(eigvals[:dim], dtype=np.float64)
    times = trace["time"].to_numpy(dtype=np.float64)
    squared_norm = float(run["mstar_mean_square"]) * vocab_size**2
    predicted = theory.normalised_loss_theory(
        theory.singular_value_theory(times, top, float(run["s0"])),
        top,
        squared_norm,
        float(run["mean_pair_weight"]),
        vocab_size,
    )
    return pd.DataFrame({"step": trace["step"], "time": times, "loss_normalised": predicted})
