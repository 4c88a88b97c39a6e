"""Fig 1: small-init QWEM (top) and word2vec (bottom): normalised loss and top singular values
against t / tau_1 (theory dotted for QWEM) until the top modes have risen, and three snapshots of the embeddings projected on
the final principal directions, taken when 1, 2 and 3 modes have been learned (in 2D when the
embedding has only two dimensions). Reads the runs' files (w2vtheory.plots.run_files) and their
snapshot tables, analysis/runs/<run>/snapshots.csv (w2vtheory.snapshots)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import run_files, style
from w2vtheory.snapshots import N_DIRECTIONS, N_SNAPSHOTS

TOP_MODES = 10
# The dynamics panels end this many times later than the last plotted mode's rise (90 % of its final
# value), so the steps fill the axis instead of the long settling phase after them.
RISE_MARGIN = 1.5


def dynamics_data(
    runs: Mapping[str, str | os.PathLike[str]],
    snapshots: Mapping[str, str | os.PathLike[str]],
    top_modes: int = TOP_MODES,
) -> pd.DataFrame:
    """Tidy DataFrame(model, panel, source, step, t_over_tau1, mode, word, value, labelled) for
    runs = {"qwem": dir, "sgns": dir} and their snapshot tables (rule dynamics_snapshots);
    panel in loss, singular_values, snapshot (mode = principal direction)."""
    frames = []
    for model, run_dir in runs.items():
        loss = run_files.loss_trace(run_dir).rename(columns={"loss_normalised": "value"})
        frames.append(loss.assign(model=model, panel="loss", source="measured"))
        values = run_files.singular_value_trace(run_dir)
        values = values[values["mode"] <= top_modes].rename(columns={"singular_value": "value"})
        frames.append(values.assign(model=model, panel="singular_values", source="measured"))
        if model == "qwem":
            theory_loss = run_files.theory_loss(run_dir).rename(columns={"loss_normalised": "value"})
            frames.append(theory_loss.assign(model=model, panel="loss", source="theory"))
            theory = run_files.theory_singular_values(run_dir)
            theory = theory[theory["mode"] <= top_modes].rename(columns={"singular_value": "value"})
            frames.append(theory.assign(model=model, panel="singular_values", source="theory"))
        projection = pd.read_csv(snapshots[model])
        projection["t_over_tau1"] = projection["time"] / run_files.first_tau(run_dir)
        frames.append(projection.assign(model=model, panel="snapshot", source="measured"))
    columns = ["model", "panel", "source", "step", "t_over_tau1", "mode", "word", "value", "labelled"]
    data = pd.concat(frames, ignore_index=True).reindex(columns=columns)
    data["labelled"] = data["labelled"].astype("boolean").fillna(False).astype(bool)
    return data


def rises_end(values: pd.DataFrame) -> float:
    """t / tau_1 at which the slowest plotted mode first reaches 90 % of its final value."""
    ends = []
    for _, curve in values.groupby("mode"):
        curve = curve.sort_values("t_over_tau1")
        final = curve["value"].iloc[-1]
        ends.append(curve.loc[curve["value"] >= 0.9 * final, "t_over_tau1"].iloc[0])
    return float(max(ends))


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    models = list(dict.fromkeys(data["model"]))
    figure = Figure(figsize=(16, 3.4 * len(models)), layout="constrained")
    grid = figure.add_gridspec(len(models), 2 + N_SNAPSHOTS)
    for row, model in enumerate(models):
        rows = data[data["model"] == model]
        measured_values = rows[(rows["panel"] == "singular_values") & (rows["source"] == "measured")]
        right = min(RISE_MARGIN * rises_end(measured_values), measured_values["t_over_tau1"].max())
        loss_axis = figure.add_subplot(grid[row, 0], xlim=(0, right))
        for source, linestyle in (("measured", "-"), ("theory", style.THEORY_LINESTYLE)):
            curve = rows[(rows["panel"] == "loss") & (rows["source"] == source)]
            if len(curve):
                loss_axis.plot(
                    curve["t_over_tau1"], curve["value"], linestyle, color=style.model_color(model), label=source
                )
        loss_axis.set(xlabel="t / τ₁", ylabel="normalised loss", title=f"{style.model_label(model)}: loss")
        loss_axis.legend(frameon=False)
        value_axis = figure.add_subplot(grid[row, 1], xlim=(0, right))
        values = rows[rows["panel"] == "singular_values"]
        modes = sorted(values["mode"].unique())
        for mode, color in zip(modes, style.mode_colors(len(modes))):
            for source, linestyle in (("measured", "-"), ("theory", style.THEORY_LINESTYLE)):
                curve = values[(values["mode"] == mode) & (values["source"] == source)]
                value_axis.plot(curve["t_over_tau1"], curve["value"], linestyle, color=color)
        value_axis.set(xlabel="t / τ₁", ylabel="singular value", title=f"top {len(modes)} singular values")
        snapshots = rows[rows["panel"] == "snapshot"]
        # shared limits, so a snapshot with fewer learned modes collapses onto a line or a plane
        limit = snapshots["value"].abs().max()
        n_directions = int(snapshots["mode"].max())
        for column, step in enumerate(sorted(snapshots["step"].unique())):
            axis = figure.add_subplot(grid[row, 2 + column], projection="3d" if n_directions >= 3 else None)
            _plot_snapshot(axis, snapshots[snapshots["step"] == step], model, n_directions)
            axis.set(xlim=(-limit, limit), ylim=(-limit, limit))
            if n_directions >= 3:
                axis.set(zlim=(-limit, limit))
    return figure


def _plot_snapshot(axis, snapshot: pd.DataFrame, model: str, n_directions: int) -> None:
    table = snapshot.pivot(index="word", columns="mode", values="value")
    columns = [table[direction] for direction in range(1, min(n_directions, N_DIRECTIONS) + 1)]
    if len(columns) == 1:  # a one-dimensional embedding: its words on a line
        columns.append(pd.Series(0.0, index=table.index))
    extra = {"depthshade": False} if len(columns) == 3 else {}
    axis.scatter(*columns, s=2, alpha=0.3, color=style.model_color(model), **extra)
    for word in snapshot.loc[snapshot["labelled"], "word"].unique():
        axis.text(*(column[word] for column in columns), word, fontsize=7)
    time = snapshot["t_over_tau1"].iloc[0]
    axis.set_title(f"step {int(snapshot['step'].iloc[0]):,}, t/τ₁ = {time:.2g}", fontsize=9)
    axis.set(xlabel="PC 1", ylabel="PC 2")
    if len(columns) == 3:
        axis.set(zlabel="PC 3")
    axis.tick_params(labelsize=6)


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]], runs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """`dynamics_data` of the runs {"qwem": dir, "sgns": dir} with inputs["<model>_snapshots"]."""
    return dynamics_data(runs, {model: inputs[f"{model}_snapshots"] for model in runs})
