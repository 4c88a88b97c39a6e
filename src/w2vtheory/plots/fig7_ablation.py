"""Fig 7: ablation of the two changes that turn word2vec into QWEM: singular-value dynamics of
SGNS, the quartic loss only, Setting 3.1 reweighting only, and both (QWEM; theory dotted)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import run_files, style
from w2vtheory.plots.fig2_singular_values import plot_mode_curves

ROLES = {
    "sgns": "SGNS (word2vec)",
    "quartic": "quartic loss only",
    "setting31": "Setting 3.1 only",
    "qwem": "QWEM (both)",
}


def ablation_data(runs: Mapping[str, run_files.RunFiles]) -> pd.DataFrame:
    """Tidy DataFrame(role, source, step, t_over_tau1, mode, singular_value), roles in ROLES order,
    of runs = {role: {file stem: path}}."""
    frames = []
    for role in (role for role in ROLES if role in runs):
        frames.append(run_files.singular_value_trace(runs[role]).assign(role=role, source="measured"))
        if role == "qwem":
            frames.append(run_files.theory_singular_values(runs[role]).assign(role=role, source="theory"))
    columns = ["role", "source", "step", "t_over_tau1", "mode", "singular_value"]
    return pd.concat(frames, ignore_index=True)[columns]


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    roles = list(dict.fromkeys(data["role"]))
    figure = Figure(figsize=(3.3 * len(roles), 3.2), layout="constrained")
    axes = figure.subplots(1, len(roles), squeeze=False)[0]
    for axis, role in zip(axes, roles):
        rows = data[data["role"] == role]
        plot_mode_curves(axis, rows[rows["source"] == "measured"])
        plot_mode_curves(axis, rows[rows["source"] == "theory"], style.THEORY_LINESTYLE)
        axis.set(title=ROLES[role], xlabel="t / τ₁")
    axes[0].set_ylabel("singular value")
    return figure


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """`ablation_data` of the runs' files (inputs ablation_<role>_<stem>)."""
    return ablation_data(run_files.role_files(inputs, "ablation", tuple(ROLES)))
