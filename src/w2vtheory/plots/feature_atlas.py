"""The feature atlas: for the top eigenvectors of M*, the predicted step time tau_k of small-init
training and the words at both ends. Reads analysis/feature_atlas.csv
(w2vtheory.feature_atlas.feature_atlas), which needs no training."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style

WORDS_SHOWN = 8
# Characters per line of a word cell: the words wrap inside their column instead of spilling out.
CELL_WIDTH = 60


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
    lines = [max(cell.count("\n") + 1 for cell in row) for row in cells]
    figure = Figure(figsize=(13, 0.22 * sum(lines) + 0.25 * len(lines) + 1.4), layout="constrained")
    time_axis, table_axis = figure.subplots(1, 2, width_ratios=[1, 4])
    finite = np.isfinite(components["tau"])
    time_axis.plot(components["component"][finite], components["tau"][finite], "o-", color=style.model_color("mstar"))
    time_axis.set(xlabel="eigenvector k of M*", ylabel="predicted step time τₖ (theory time)")
    table_axis.axis("off")
    # bbox fills the panel exactly and k is a column, not a row label (labels sit outside the bbox):
    # the table is laid out inside its axes, never beyond them
    table = table_axis.table(cellText=cells, colLabels=["k", "λₖ", "largest entries", "smallest entries"],
                             cellLoc="left", colWidths=[0.04, 0.08, 0.44, 0.44], bbox=[0.0, 0.0, 1.0, 1.0])
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    total = sum(lines) + 1
    for (row, _), cell in table.get_celld().items():
        cell.set_height((lines[row - 1] if row > 0 else 1) / total)
    return figure


def _end_words(atlas: pd.DataFrame, component: int, end: str, words_shown: int) -> str:
    rows = atlas[(atlas["component"] == component) & (atlas["end"] == end) & (atlas["rank"] <= words_shown)]
    return "\n".join(textwrap.wrap(", ".join(rows.sort_values("rank")["word"].astype(str)), CELL_WIDTH))
