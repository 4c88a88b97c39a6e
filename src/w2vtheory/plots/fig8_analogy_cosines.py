"""Fig 8: against the embedding dimension d of the closed-form M* embedding, the mean cosine of the
analogy target b' with the predicted point b^ - a^ + a'^, and the mean ratio of that cosine to the
largest cosine to any word outside the analogy (above 1 exactly when the analogy is solved)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory import task_vectors
from w2vtheory.plots import style
from w2vtheory.plots.fig4_task_vectors import load_categories
from w2vtheory.vocab import read_lexicon

SERIES = {
    "mean_target_cosine": "mean cos(target, prediction)",
    "mean_cosine_ratio": "mean cos(target) / max cos(other word)",
}


def cosines_data(sweep: pd.DataFrame) -> pd.DataFrame:
    """Tidy DataFrame(category, dim, n_analogies, series, value) from the dimension sweep."""
    return sweep.melt(id_vars=["category", "dim", "n_analogies"], value_vars=list(SERIES), var_name="series", value_name="value")


def plot_cosines(data: pd.DataFrame) -> Figure:
    style.apply_style()
    figure = Figure(figsize=(9.0, 3.4), layout="constrained")
    axes = figure.subplots(1, len(SERIES))
    for axis, (series, label) in zip(axes, SERIES.items()):
        for position, category in enumerate(dict.fromkeys(data["category"])):
            curve = data[(data["category"] == category) & (data["series"] == series)]
            axis.plot(curve["dim"], curve["value"], "o-", markersize=3, label=category,
                      color=style.OKABE_ITO[position % len(style.OKABE_ITO)])
        axis.set_xscale("log", base=2)
        axis.set(xlabel="embedding dimension d", ylabel=label)
    axes[1].axhline(1.0, color=style.model_color("theory"), linestyle=style.THEORY_LINESTYLE, linewidth=0.8)
    axes[1].legend(frameon=False, fontsize=6)
    return figure


def write_cosines(
    eigvals: str | os.PathLike[str],
    eigvecs: str | os.PathLike[str],
    vocab: str | os.PathLike[str],
    questions: str | os.PathLike[str],
    categories: Sequence[str],
    pdf: str,
    png: str,
    csv: str,
) -> None:
    words, _ = read_lexicon(vocab)
    values, vectors = np.load(eigvals), np.load(eigvecs)
    pairs = load_categories(questions, words, categories)
    sweep = task_vectors.dimension_sweep(values, vectors, pairs, task_vectors.sweep_dimensions(len(values)))
    data = cosines_data(sweep)
    style.save_outputs(plot_cosines(data), data, pdf, png, csv)
