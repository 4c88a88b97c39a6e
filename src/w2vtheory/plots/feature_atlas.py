"""The feature atlas: for the top eigenvectors of M*, the predicted step time tau_k of small-init
training and the words at both ends. Reads analysis/feature_atlas.csv
(w2vtheory.analysis.feature_atlas.feature_atlas), which needs no training."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style

WORDS_SHOWN = 8
# Characters per line of a word cell: the words wrap inside their column instead of spilling out.
CELL_WIDTH = 75


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """The atlas table: DataFrame(component, eigenvalue, tau, end, rank, word, value)."""
    return pd.read_csv(inputs["atlas"])


def draw(data: pd.DataFrame, words_shown: int = WORDS_SHOWN) -> Figure:
    style.apply_style()
    components = data.drop_duplicates("component").sort_values("component")
    cells = [
        [
            str(record.component),
            f"{record.eigenvalue:.3g}",
            *(_end_words(data, record.component, end, words_shown) for end in ("top", "bottom")),
        ]
        for record in components.itertuples()
    ]
    wrap = [0, 0, CELL_WIDTH, CELL_WIDTH]
    figure = Figure(figsize=(13, 0.17 * style.table_lines(cells, wrap) + 0.2 * len(cells) + 1.2), layout="constrained")
    time_axis, table_axis = figure.subplots(1, 2, width_ratios=[1, 4])
    finite = np.isfinite(components["tau"])
    time_axis.plot(components["component"][finite], components["tau"][finite], "o-", color=style.model_color("mstar"))
    time_axis.set(xlabel="eigenvector k of M*", ylabel="predicted step time τₖ (theory time)")
    style.fitted_table(
        table_axis, cells, ["k", "λₖ", "largest entries", "smallest entries"], [0.04, 0.08, 0.44, 0.44], wrap
    )
    return figure


def _end_words(atlas: pd.DataFrame, component: int, end: str, words_shown: int) -> str:
    rows = atlas[(atlas["component"] == component) & (atlas["end"] == end) & (atlas["rank"] <= words_shown)]
    return ", ".join(rows.sort_values("rank")["word"].astype(str))
