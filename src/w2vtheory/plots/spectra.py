"""Extra figure: the computed eigenvalues of M*, PMI, PPMI and the pair-weight matrix G against
their rank, on log-log axes (only positive eigenvalues can be drawn there; the legend counts them)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style


def spectra_data(eigvals: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Tidy DataFrame(matrix, rank, eigenvalue), rank from 1, every computed eigenvalue."""
    return pd.concat(
        [pd.DataFrame({"matrix": name, "rank": np.arange(1, len(values) + 1), "eigenvalue": values}) for name, values in eigvals.items()],
        ignore_index=True,
    )


def plot_spectra(data: pd.DataFrame) -> Figure:
    style.apply_style()
    figure = Figure(figsize=(5.0, 4.0), layout="constrained")
    axis = figure.subplots()
    for name in dict.fromkeys(data["matrix"]):
        rows = data[data["matrix"] == name]
        positive = rows[rows["eigenvalue"] > 0]
        axis.loglog(positive["rank"], positive["eigenvalue"], color=style.model_color(name),
                    label=f"{style.model_label(name)} ({len(positive)} of {len(rows)} > 0)")
    axis.set(xlabel="rank", ylabel="eigenvalue")
    axis.legend(frameon=False)
    return figure


def write_spectra(eigvals: Mapping[str, str | os.PathLike[str]], pdf: str, png: str, csv: str) -> None:
    """eigvals = {matrix name: <matrix>_eigvals.npy}."""
    data = spectra_data({name: np.load(path) for name, path in eigvals.items()})
    style.save_outputs(plot_spectra(data), data, pdf, png, csv)
