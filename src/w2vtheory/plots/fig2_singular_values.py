"""Fig 2: every singular value against t / tau_1 for word2vec, QWEM and the theory, one row per
initialisation scale (small and large). Reads the runs' files (w2vtheory.plots.run_files)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import run_files, style

COLUMNS = ("sgns", "qwem", "theory")


def singular_values_data(inits: Mapping[str, Mapping[str, run_files.RunFiles]]) -> pd.DataFrame:
    """Tidy DataFrame(init, model, step, t_over_tau1, mode, singular_value) for inits =
    {"small_init": {"qwem": files, "sgns": files}, ...} ({file stem: path}); the theory is the QWEM run's."""
    frames = []
    for init, runs in inits.items():
        for model, files in runs.items():
            frames.append(run_files.singular_value_trace(files).assign(init=init, model=model))
        frames.append(run_files.theory_singular_values(runs["qwem"]).assign(init=init, model="theory"))
    columns = ["init", "model", "step", "t_over_tau1", "mode", "singular_value"]
    return pd.concat(frames, ignore_index=True)[columns]


def plot_mode_curves(axis, curves: pd.DataFrame, linestyle: str = "-") -> None:
    """One line per mode, coloured from first (dark) to last (light) learned."""
    modes = sorted(curves["mode"].unique())
    for mode, color in zip(modes, style.mode_colors(len(modes))):
        curve = curves[curves["mode"] == mode]
        axis.plot(curve["t_over_tau1"], curve["singular_value"], linestyle, color=color, linewidth=0.8)


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    inits = list(dict.fromkeys(data["init"]))
    figure = Figure(figsize=(12, 3.2 * len(inits)), layout="constrained")
    axes = figure.subplots(len(inits), len(COLUMNS), squeeze=False, sharey="row")
    for row, init in enumerate(inits):
        for column, model in enumerate(COLUMNS):
            axis = axes[row, column]
            curves = data[(data["init"] == init) & (data["model"] == model)]
            plot_mode_curves(axis, curves, style.THEORY_LINESTYLE if model == "theory" else "-")
            axis.set(title=f"{style.model_label(model)}, {init.replace('_', ' ')}", xlabel="t / τ₁")
        axes[row, 0].set_ylabel("singular value")
    return figure


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """`singular_values_data` of the runs' files (inputs <init>_<model>_<stem>) of each init role
    that names both runs."""
    inits = {init: run_files.role_files(inputs, init, run_files.MODEL_PAIR) for init in run_files.INIT_ROLES}
    return singular_values_data({init: runs for init, runs in inits.items() if set(runs) == set(run_files.MODEL_PAIR)})
