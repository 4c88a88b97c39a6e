"""Fig 8: against the embedding dimension d of the closed-form M* embedding, the mean cosine of the
analogy target b' with the predicted point b^ - a^ + a'^, and the mean ratio of that cosine to the
largest cosine of b' with any word other than a, b, a', b' (the authors' appx-top1 notebook).
Reads analysis/task_vector_sweep.csv, the sweep Fig 4 plots too."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style

SERIES = {
    "mean_target_cosine": "mean cos(target b′, prediction)",
    "mean_cosine_ratio": "mean cos(b′, prediction) / max cos(b′, other word)",
}


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]]) -> pd.DataFrame:
    """Tidy DataFrame(category, dim, n_analogies, series, value) from the dimension sweep."""
    sweep = pd.read_csv(inputs["sweep"])
    return sweep.melt(
        id_vars=["category", "dim", "n_analogies"], value_vars=list(SERIES), var_name="series", value_name="value"
    )


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    figure = Figure(figsize=(9.0, 3.4), layout="constrained")
    axes = figure.subplots(1, len(SERIES))
    for axis, (series, label) in zip(axes, SERIES.items()):
        for position, category in enumerate(dict.fromkeys(data["category"])):
            curve = data[(data["category"] == category) & (data["series"] == series)]
            axis.plot(
                curve["dim"],
                curve["value"],
                "o-",
                markersize=3,
                label=category,
                color=style.OKABE_ITO[position % len(style.OKABE_ITO)],
            )
        axis.set_xscale("log", base=2)
        axis.set(xlabel="embedding dimension d", ylabel=label)
    axes[1].axhline(1.0, color=style.model_color("theory"), linestyle=style.THEORY_LINESTYLE, linewidth=0.8)
    axes[1].legend(frameon=False, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure
