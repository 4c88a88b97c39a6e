"""Fig 3a: the words at both ends of the top principal directions of word2vec and QWEM (the
small-init runs) and PPMI, in row-normalised coordinates, among the most frequent words
(docs/paper.md section 6). Reads analysis/principal_words.csv."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style

WORDS_SHOWN = 6
# Characters per line of a word cell (the words wrap inside their column).
CELL_WIDTH = 32


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]], words_shown: int = WORDS_SHOWN) -> pd.DataFrame:
    """DataFrame(model, component, end, rank, word, value): the first `words_shown` words per end."""
    words = pd.read_csv(inputs["words"])
    return words[words["rank"] <= words_shown].reset_index(drop=True)


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    models = list(dict.fromkeys(data["model"]))
    components = sorted(data["component"].unique())
    tables = {}
    for model in models:
        rows = data[data["model"] == model]
        tables[model] = [
            [
                str(k),
                *(
                    ", ".join(
                        rows[(rows["component"] == k) & (rows["end"] == end)].sort_values("rank")["word"].astype(str)
                    )
                    for end in ("top", "bottom")
                ),
            ]
            for k in components
        ]
    wrap = [0, CELL_WIDTH, CELL_WIDTH]
    lines = max(style.table_lines(cells, wrap) for cells in tables.values())
    figure = Figure(figsize=(4.6 * len(models), 0.17 * lines + 0.2 * len(components) + 0.8), layout="constrained")
    axes = figure.subplots(1, len(models), squeeze=False)[0]
    for axis, model in zip(axes, models):
        style.fitted_table(axis, tables[model], ["k", "+ end", "− end"], [0.06, 0.47, 0.47], wrap)
        axis.set_title(style.model_label(model), color=style.model_color(model))
    return figure
