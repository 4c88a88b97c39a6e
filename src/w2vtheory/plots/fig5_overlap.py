"""Fig 5: overlap (v_i . v~_j)^2 of word2vec's top singular directions v_i with QWEM's and with
PPMI's v~_j (large-init runs). With v~ orthonormal, each row sums to at most 1 (1 when v_i lies in
their span). Reads analysis/overlaps.csv."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """DataFrame(comparison, i, j, overlap), i and j from 1."""
    return pd.read_csv(inputs["overlaps"])


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    comparisons = list(dict.fromkeys(data["comparison"]))
    figure = Figure(figsize=(4.6 * len(comparisons), 4.0), layout="constrained")
    axes = figure.subplots(1, len(comparisons), squeeze=False)[0]
    for axis, name in zip(axes, comparisons):
        matrix = data[data["comparison"] == name].pivot(index="i", columns="j", values="overlap")
        image = axis.imshow(
            matrix.to_numpy(),
            cmap=style.MODE_COLORMAP,
            vmin=0,
            vmax=1,
            origin="upper",
            extent=(0.5, matrix.shape[1] + 0.5, matrix.shape[0] + 0.5, 0.5),
        )
        axis.set(
            xlabel=f"{style.model_label(name)} direction j",
            ylabel="word2vec direction i",
            title=f"word2vec vs {style.model_label(name)}",
        )
    figure.colorbar(image, ax=list(axes), label="(vᵢ · ṽⱼ)²", shrink=0.8)
    return figure
