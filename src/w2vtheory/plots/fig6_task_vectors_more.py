"""Fig 6: Fig 4's spectrum and localisation panels for further categories (the authors' family,
adjective-to-adverb, plural and comparative), one row each. Reads analysis/task_vector_spectra.csv."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.plots import style
from w2vtheory.plots.task_vector_panels import localisation_rows, plot_localisation, plot_spectrum, spectrum_rows


def tidy_data(inputs: Mapping[str, str | os.PathLike[str]], categories: Sequence[str]) -> pd.DataFrame:
    """The spectra table's rows of `categories`, in their order."""
    spectra = pd.read_csv(inputs["spectra"])
    order = {name: position for position, name in enumerate(dict.fromkeys(categories))}
    rows = spectra[spectra["category"].isin(order)]
    return rows.sort_values("category", key=lambda names: names.map(order), kind="stable", ignore_index=True)


def draw(data: pd.DataFrame) -> Figure:
    style.apply_style()
    categories = list(dict.fromkeys(data["category"]))
    dims = sorted(data.loc[data["panel"] == "spectrum", "dim"].unique())
    figure = Figure(figsize=(3.0 * (len(dims) + 2), 2.8 * len(categories)), layout="constrained")
    grid = figure.add_gridspec(len(categories), len(dims) + 2)
    for row, category in enumerate(categories):
        spectra = spectrum_rows(data, category)
        for column, dim in enumerate(dims):
            plot_spectrum(figure.add_subplot(grid[row, column]), spectra[spectra["dim"] == dim], category, dim)
        plot_localisation(figure.add_subplot(grid[row, len(dims) :]), localisation_rows(data, category), category)
    return figure
