"""Extra figure: the computed eigenvalues of M*, PMI, PPMI and the authors' pair-ratio matrix
P(i,j)/(P(i)P(j)) + 1 against their rank, on log-log axes (only positive eigenvalues can be drawn
there; the legend counts them). Reads spectrum/<matrix>_eigvals.npy."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.finite import load_npy
from w2vtheory.plots import style


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """Tidy DataFrame(matrix, rank, eigenvalue), rank from 1, every computed eigenvalue;
    inputs = {matrix name: <matrix>_eigvals.npy}."""
    frames = []
    for name, path in inputs.items():
        values = load_npy(path)
        frames.append(pd.DataFrame({"matrix": name, "rank": np.arange(1, len(values) + 1), "eigenvalue": values}))
    return pd.concat(frames, ignore_index=True)


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    figure = Figure(figsize=(5.0, 4.0), layout="constrained")
    axis = figure.subplots()
    for name in dict.fromkeys(data["matrix"]):
        rows = data[data["matrix"] == name]
        positive = rows[rows["eigenvalue"] > 0]
        axis.loglog(
            positive["rank"],
            positive["eigenvalue"],
            color=style.model_color(name),
            label=f"{style.model_label(name)} ({len(positive)} of {len(rows)} > 0)",
        )
    axis.set(xlabel="rank", ylabel="eigenvalue")
    axis.legend(frameon=False)
    return figure
