"""The feature atlas: for the top eigenvectors of M*, the predicted step time tau_k of small-init
training and the words at both ends (the table is w2vtheory.feature_atlas.feature_atlas)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.feature_atlas import feature_atlas
from w2vtheory.plots import style
from w2vtheory.theory import init_s0
from w2vtheory.vocab import read_lexicon

WORDS_SHOWN = 8


def plot_feature_atlas(atlas: pd.DataFrame, words_shown: int = WORDS_SHOWN) -> Figure:
    style.apply_style()
    components = atlas.drop_duplicates("component").sort_values("component")
    figure = Figure(figsize=(13, 0.42 * len(components) + 1.4), layout="constrained")
    time_axis, table_axis = figure.subplots(1, 2, width_ratios=[1, 4])
    finite = np.isfinite(components["tau"])
    time_axis.plot(components["component"][finite], components["tau"][finite], "o-", color=style.model_color("mstar"))
    time_axis.set(xlabel="eigenvector k of M*", ylabel="predicted step time τₖ (theory time)")
    cells = [
        [f"{record.eigenvalue:.3g}", *(_end_words(atlas, record.component, end, words_shown) for end in ("top", "bottom"))]
        for record in components.itertuples()
    ]
    table_axis.axis("off")
    table = table_axis.table(cellText=cells, rowLabels=[str(k) for k in components["component"]],
                             colLabels=["λₖ", "largest entries", "smallest entries"], loc="center", cellLoc="left",
                             colWidths=[0.08, 0.46, 0.46])
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    table.scale(1.0, 1.25)
    return figure


def _end_words(atlas: pd.DataFrame, component: int, end: str, words_shown: int) -> str:
    rows = atlas[(atlas["component"] == component) & (atlas["end"] == end) & (atlas["rank"] <= words_shown)]
    return ", ".join(rows.sort_values("rank")["word"])


def write_feature_atlas(
    eigvals: str | os.PathLike[str],
    eigvecs: str | os.PathLike[str],
    vocab: str | os.PathLike[str],
    init_scale: float,
    n_components: int,
    pdf: str,
    png: str,
    csv: str,
) -> None:
    """The atlas of the top n_components eigenvectors; tau_k for a small-init run of `init_scale`."""
    words, _ = read_lexicon(vocab)
    atlas = feature_atlas(np.load(eigvals), np.load(eigvecs, mmap_mode="r")[:, :n_components], words,
                          init_s0(init_scale), n_components)
    style.save_outputs(plot_feature_atlas(atlas), atlas, pdf, png, csv)
