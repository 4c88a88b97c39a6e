"""Fig 5: overlap (v_i . v~_j)^2 of word2vec's top singular directions v_i with QWEM's and with
PPMI's v~_j. With v~ orthonormal, each row sums to at most 1 (1 when v_i lies in their span)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.feature_atlas import left_singular_vectors
from w2vtheory.plots import style

N_DIRECTIONS = 64


def overlap_matrix(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """(v_i . v~_j)^2 for orthonormal columns v_i of `reference` and v~_j of `other`."""
    return (reference.T @ other) ** 2


def overlap_data(reference: np.ndarray, others: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Tidy DataFrame(comparison, i, j, overlap); i, j from 1."""
    frames = []
    for name, directions in others.items():
        overlaps = overlap_matrix(reference, directions)
        i, j = np.indices(overlaps.shape)
        frames.append(pd.DataFrame({"comparison": name, "i": i.ravel() + 1, "j": j.ravel() + 1, "overlap": overlaps.ravel()}))
    return pd.concat(frames, ignore_index=True)


def plot_overlap(data: pd.DataFrame) -> Figure:
    style.apply_style()
    comparisons = list(dict.fromkeys(data["comparison"]))
    figure = Figure(figsize=(4.6 * len(comparisons), 4.0), layout="constrained")
    axes = figure.subplots(1, len(comparisons), squeeze=False)[0]
    for axis, name in zip(axes, comparisons):
        matrix = data[data["comparison"] == name].pivot(index="i", columns="j", values="overlap")
        image = axis.imshow(matrix.to_numpy(), cmap=style.MODE_COLORMAP, vmin=0, vmax=1, origin="upper",
                            extent=(0.5, matrix.shape[1] + 0.5, matrix.shape[0] + 0.5, 0.5))
        axis.set(xlabel=f"{style.model_label(name)} direction j", ylabel="word2vec direction i",
                 title=f"word2vec vs {style.model_label(name)}")
    figure.colorbar(image, ax=list(axes), label="(vᵢ · ṽⱼ)²", shrink=0.8)
    return figure


def write_overlap(
    sgns: str | os.PathLike[str],
    qwem: str | os.PathLike[str] | None,
    ppmi_eigvecs: str | os.PathLike[str],
    pdf: str,
    png: str,
    csv: str,
) -> None:
    """word2vec's (sgns W.npy) top directions against QWEM's (W.npy, if given) and PPMI's."""
    sgns_embedding = np.load(sgns)
    n_directions = min(N_DIRECTIONS, sgns_embedding.shape[1])
    others = {}
    if qwem is not None:
        others["qwem"] = left_singular_vectors(np.load(qwem), n_directions)
    others["ppmi"] = np.asarray(np.load(ppmi_eigvecs, mmap_mode="r")[:, :n_directions])
    data = overlap_data(left_singular_vectors(sgns_embedding, n_directions), others)
    style.save_outputs(plot_overlap(data), data, pdf, png, csv)
