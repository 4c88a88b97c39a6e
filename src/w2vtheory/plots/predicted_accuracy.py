"""Predicted against measured analogy accuracy over training, against t / tau_1: the accuracy of
W(t) = U_d diag(s_k(t)) that the theory predicts from M* alone (w2vtheory.theory.predicted_accuracy; on its
own grid, dotted, available before any training, from when its first mode has risen over the random
start, shaded before) beside the measured accuracy of the small-init QWEM and word2vec runs. Reads analysis/runs/<run>/predicted_accuracy.csv and
predicted_accuracy_at_evaluations.csv of each run."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style

MODELS = ("qwem", "sgns")
COLUMNS = ["model", "source", "step", "time", "t_over_tau1", "accuracy"]


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """DataFrame(model, source, step, time, t_over_tau1, accuracy); source "predicted" (the own grid,
    step empty), "measured" and "predicted_at_evaluation" (at the run's evaluation steps)."""
    frames = []
    for model in MODELS:
        if f"{model}_prediction" not in inputs:
            continue
        grid = pd.read_csv(inputs[f"{model}_prediction"]).rename(columns={"predicted_accuracy": "accuracy"})
        frames.append(grid.assign(model=model, source="predicted", step=pd.NA))
        at = pd.read_csv(inputs[f"{model}_evaluations"])
        for source, column in (("measured", "measured_accuracy"), ("predicted_at_evaluation", "predicted_accuracy")):
            frames.append(at.rename(columns={column: "accuracy"}).assign(model=model, source=source))
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    models = list(dict.fromkeys(data["model"]))
    figure = Figure(figsize=(4.6 * len(models), 3.6), layout="constrained")
    axes = figure.subplots(1, len(models), squeeze=False, sharey=True)[0]
    for axis, model in zip(axes, models):
        rows = data[data["model"] == model]
        color = style.model_color(model)
        predicted = rows[rows["source"] == "predicted"]
        measured = rows[rows["source"] == "measured"]
        right = max(predicted["t_over_tau1"].max(), measured["t_over_tau1"].max())
        axis.plot(
            predicted["t_over_tau1"],
            100 * predicted["accuracy"],
            style.THEORY_LINESTYLE,
            color=style.model_color("theory"),
            label="theory, from M* alone",
        )
        axis.plot(
            measured["t_over_tau1"],
            100 * measured["accuracy"],
            "o-",
            markersize=2.5,
            color=color,
            label=f"{style.model_label(model)}, measured",
        )
        # the prediction leaves out the random start, and begins once the first mode has risen
        start = predicted["t_over_tau1"].min()
        axis.axvspan(0.0, start, color="0.93", zorder=-1)
        axis.text(
            start / 2, 0.97, "random\nstart", transform=axis.get_xaxis_transform(), ha="center", va="top", fontsize=6
        )
        axis.set(xlim=(0, right), xlabel="t / τ₁", title=style.model_label(model))
        axis.legend(frameon=False, fontsize=7, loc="lower right")
    axes[0].set_ylabel("pair-analogy accuracy (%)")
    return figure
