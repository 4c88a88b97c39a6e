"""Fig 4: task vectors of one analogy category in the eigenbasis of M*: the spectrum of the raw
R_d R_d^T / d with its Marchenko-Pastur bulk at several d, the share of the mean task vector on
each eigenfeature at d = 100, and the SNR and pair-analogy accuracy against d for the sweep's
categories. Reads analysis/task_vector_spectra.csv and analysis/task_vector_sweep.csv."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style
from w2vtheory.plots.task_vector_panels import localisation_rows, plot_localisation, plot_spectrum, spectrum_rows

COLUMNS = ["panel", "category", "dim", "series", "x", "y"]
SWEEP_SERIES = {"snr": "SNR = λ_max / (Tr / rank)", "accuracy": "pair-analogy accuracy"}


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]], category: str) -> pd.DataFrame:
    """DataFrame(panel, category, dim, series, x, y): `category`'s spectrum and localisation rows,
    then panel "sweep" (series snr, accuracy; x = d) for every category of the sweep."""
    spectra = pd.read_csv(inputs["spectra"])
    shown = spectra[spectra["category"] == category]
    sweep = pd.read_csv(inputs["sweep"])
    long = sweep.melt(id_vars=["category", "dim"], value_vars=list(SWEEP_SERIES), var_name="series", value_name="y")
    long = long.assign(panel="sweep", x=long["dim"])
    return pd.concat([shown[COLUMNS], long[COLUMNS]], ignore_index=True)


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    category = data.loc[data["panel"] == "spectrum", "category"].iloc[0]
    spectra = spectrum_rows(data, category)
    dims = sorted(spectra["dim"].unique())
    columns = max(len(dims), 4)
    figure = Figure(figsize=(3.2 * columns, 6.4), layout="constrained")
    grid = figure.add_gridspec(2, columns)
    for column, dim in enumerate(dims):
        plot_spectrum(figure.add_subplot(grid[0, column]), spectra[spectra["dim"] == dim], category, dim)
    plot_localisation(figure.add_subplot(grid[1, :2]), localisation_rows(data, category), category)
    sweep = data[data["panel"] == "sweep"]
    categories = list(dict.fromkeys(sweep["category"]))
    for column, (series, label) in enumerate(SWEEP_SERIES.items()):
        axis = figure.add_subplot(grid[1, 2 + column])
        for position, name in enumerate(categories):
            curve = sweep[(sweep["category"] == name) & (sweep["series"] == series)]
            axis.plot(
                curve["x"],
                curve["y"],
                "o-",
                markersize=3,
                color=style.OKABE_ITO[position % len(style.OKABE_ITO)],
                label=name,
                linewidth=2.0 if name == category else 1.0,
            )
        axis.set_xscale("log", base=2)
        if series == "snr":
            axis.set_yscale("log")
        axis.set(xlabel="embedding dimension d", ylabel=label)
    axis.legend(frameon=False, fontsize=6)
    return figure
