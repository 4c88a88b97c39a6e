"""Fig 3a: the words at both ends of the top principal directions of word2vec, QWEM (large init)
and PPMI, among the most frequent words (PAPER.md section 5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.feature_atlas import left_singular_vectors, word_ends_table
from w2vtheory.plots import style
from w2vtheory.vocab import read_lexicon

N_COMPONENTS = 5
WORDS_SHOWN = 6


def directions_data(
    directions: Mapping[str, np.ndarray], words: Sequence[str], n_components: int = N_COMPONENTS, n_words: int = WORDS_SHOWN
) -> pd.DataFrame:
    """Tidy DataFrame(model, component, end, rank, word, value) from each model's principal
    directions over words (V x k columns: left singular vectors or eigenvectors)."""
    frames = [
        word_ends_table(columns[:, :n_components], words, n_words).assign(model=model)
        for model, columns in directions.items()
    ]
    return pd.concat(frames, ignore_index=True)[["model", "component", "end", "rank", "word", "value"]]


def plot_directions(data: pd.DataFrame) -> Figure:
    style.apply_style()
    models = list(dict.fromkeys(data["model"]))
    components = sorted(data["component"].unique())
    figure = Figure(figsize=(4.2 * len(models), 0.55 * len(components) + 0.8), layout="constrained")
    axes = figure.subplots(1, len(models), squeeze=False)[0]
    for axis, model in zip(axes, models):
        rows = data[data["model"] == model]
        cells = [
            [", ".join(rows[(rows["component"] == k) & (rows["end"] == end)].sort_values("rank")["word"]) for end in ("top", "bottom")]
            for k in components
        ]
        axis.axis("off")
        table = axis.table(
            cellText=cells,
            rowLabels=[f"{k}" for k in components],
            colLabels=["+ end", "− end"],
            loc="center",
            cellLoc="left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(7)
        table.scale(1.0, 1.4)
        axis.set_title(style.model_label(model), color=style.model_color(model))
    return figure


def write_directions(
    trained: Mapping[str, str | os.PathLike[str]],
    ppmi_eigvecs: str | os.PathLike[str],
    vocab: str | os.PathLike[str],
    pdf: str,
    png: str,
    csv: str,
) -> None:
    """trained = {"sgns": W.npy, "qwem": W.npy}; PPMI's directions are its eigenvectors."""
    words, _ = read_lexicon(vocab)
    directions = {model: left_singular_vectors(np.load(path), N_COMPONENTS) for model, path in trained.items()}
    directions["ppmi"] = np.load(ppmi_eigvecs, mmap_mode="r")[:, :N_COMPONENTS]
    data = directions_data(directions, words)
    style.save_outputs(plot_directions(data), data, pdf, png, csv)
