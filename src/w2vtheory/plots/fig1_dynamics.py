"""Fig 1: small-init QWEM (top) and word2vec (bottom): normalised loss and top singular values
against t / tau_1 (theory dotted for QWEM), and three snapshots of the embeddings projected on
the final principal directions, taken when 1, 2 and 3 modes have been learned (in 2D when the
embedding has only two dimensions). Reads the runs' files (w2vtheory.plots.run_files)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import run_files, style
from w2vtheory.vocab import read_lexicon

N_SNAPSHOTS = 3
N_DIRECTIONS = 3
TOP_MODES = 10
# A mode counts as learned once its singular value passes this share of its final value.
LEARNED_SHARE = 0.5
LABELLED_FREQUENT = 4_000


def learned_modes(values: np.ndarray, final: np.ndarray) -> np.ndarray:
    """Number of learned modes per row of `values` (rows: times, columns: modes)."""
    return (values > LEARNED_SHARE * final).sum(axis=1)


def snapshot_steps(run_dir: str | os.PathLike[str], n_snapshots: int = N_SNAPSHOTS) -> list[int]:
    """Checkpoint steps when 1, 2, ..., n modes are learned: the last checkpoint with exactly k
    learned modes, or else the unused checkpoint whose count is nearest to k."""
    trace = run_files.singular_value_trace(run_dir)
    table = trace.pivot(index="step", columns="mode", values="singular_value")
    steps = run_files.checkpoints(run_dir)["step"].to_numpy()
    values = np.stack([np.interp(steps, table.index, table[mode]) for mode in table.columns], axis=1)
    counts = learned_modes(values, table.iloc[-1].to_numpy())
    chosen: list[int] = []
    for k in range(1, n_snapshots + 1):
        candidates = [i for i in range(len(steps)) if int(steps[i]) not in chosen]
        if not candidates:
            break
        best = min(candidates, key=lambda i: (abs(counts[i] - k), -i if counts[i] == k else i))
        chosen.append(int(steps[best]))
    return sorted(chosen)


def snapshot_projections(
    run_dir: str | os.PathLike[str], words: Sequence[str], steps: Sequence[int], n_directions: int = N_DIRECTIONS
) -> pd.DataFrame:
    """DataFrame(step, word, direction, value): checkpoints projected on the top right singular
    vectors of the final W (the subspace no longer rotates once learned)."""
    _, _, right = np.linalg.svd(run_files.final_embedding(run_dir), full_matrices=False)
    n_directions = min(n_directions, right.shape[0])
    directions = right[:n_directions].T
    files = run_files.checkpoints(run_dir).set_index("step")["file"]
    frames = []
    for step in steps:
        coordinates = np.load(files[step]) @ directions
        frames.append(
            pd.DataFrame(
                {
                    "step": step,
                    "word": np.repeat(np.asarray(words, dtype=object), n_directions),
                    "direction": np.tile(np.arange(1, n_directions + 1), len(words)),
                    "value": coordinates.reshape(-1),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def labelled_words(projection: pd.DataFrame, n_frequent: int = LABELLED_FREQUENT) -> set[str]:
    """The words at both ends of each direction in the last snapshot, among the frequent words."""
    last = projection[projection["step"] == projection["step"].max()]
    table = last.pivot(index="word", columns="direction", values="value")
    frequent = list(dict.fromkeys(last["word"]))[:n_frequent]
    table = table.loc[frequent]
    return {word for direction in table.columns for word in (table[direction].idxmax(), table[direction].idxmin())}


def dynamics_data(
    runs: Mapping[str, str | os.PathLike[str]], words: Sequence[str], top_modes: int = TOP_MODES
) -> pd.DataFrame:
    """Tidy DataFrame(model, panel, source, step, t_over_tau1, mode, word, value, labelled) for
    runs = {"qwem": dir, "sgns": dir}; panel in loss, singular_values, snapshot (mode = direction)."""
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
        steps = snapshot_steps(run_dir)
        projection = snapshot_projections(run_dir, words, steps)
        labels = labelled_words(projection)
        times = run_files.checkpoints(run_dir).set_index("step")["time"] / run_files.first_tau(run_dir)
        projection = projection.rename(columns={"direction": "mode"})
        projection["t_over_tau1"] = projection["step"].map(times)
        projection["labelled"] = projection["word"].isin(labels)
        frames.append(projection.assign(model=model, panel="snapshot", source="measured"))
    columns = ["model", "panel", "source", "step", "t_over_tau1", "mode", "word", "value", "labelled"]
    data = pd.concat(frames, ignore_index=True).reindex(columns=columns)
    data["labelled"] = data["labelled"].astype("boolean").fillna(False).astype(bool)
    return data


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    models = list(dict.fromkeys(data["model"]))
    figure = Figure(figsize=(16, 3.4 * len(models)), layout="constrained")
    grid = figure.add_gridspec(len(models), 2 + N_SNAPSHOTS)
    for row, model in enumerate(models):
        rows = data[data["model"] == model]
        loss_axis = figure.add_subplot(grid[row, 0])
        for source, linestyle in (("measured", "-"), ("theory", style.THEORY_LINESTYLE)):
            curve = rows[(rows["panel"] == "loss") & (rows["source"] == source)]
            if len(curve):
                loss_axis.plot(
                    curve["t_over_tau1"], curve["value"], linestyle, color=style.model_color(model), label=source
                )
        loss_axis.set(xlabel="t / τ₁", ylabel="normalised loss", title=f"{style.model_label(model)}: loss")
        loss_axis.legend(frameon=False)
        value_axis = figure.add_subplot(grid[row, 1])
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
    """`dynamics_data` of the runs {"qwem": dir, "sgns": dir}, words from inputs["vocab"]."""
    words, _ = read_lexicon(inputs["vocab"])
    return dynamics_data(runs, words)
