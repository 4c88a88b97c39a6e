"""Figs 4 and 6: task vectors of analogy categories in the eigenbasis of M*
(w2vtheory.task_vectors): the spectrum of R_d R_d^T / d with its Marchenko-Pastur bulk at several
d, the share of the mean task vector on each eigenfeature, and (Fig 4) the SNR and the pair-analogy
accuracy against d for several categories."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory import task_vectors
from w2vtheory.evaluation_sets import read_analogy_questions
from w2vtheory.plots import style
from w2vtheory.vocab import read_lexicon

SPECTRUM_DIMS = (128, 256, 512, 1024)
DENSITY_POINTS = 400


def spectrum_data(
    eigvals: np.ndarray, eigvecs: np.ndarray, categories: Mapping[str, task_vectors.WordPairs], dims: Sequence[int]
) -> pd.DataFrame:
    """Tidy DataFrame(panel, category, dim, series, x, y) for each category and d:
    panel "spectrum": series "eigenvalue" (x = index from 1, y = eigenvalue of R_d R_d^T / d),
    "marchenko_pastur" (x = eigenvalue, y = density of the fitted bulk) and the fit's parameters
    as series "mp_scale", "mp_effective_dim", "mp_upper_edge", "snr" (value in y);
    panel "localisation": series "mean_share" (x = eigenfeature k, y = share of the mean task
    vector's squared length), at the largest d."""
    frames = []
    for dim in dims:
        unit_embedding = task_vectors.normalized_embedding(eigvals, eigvecs, dim)
        for category, pairs in categories.items():
            matrix = task_vectors.task_vectors(unit_embedding, pairs)
            spectrum = task_vectors.task_vector_spectrum(matrix)
            fit = task_vectors.fit_marchenko_pastur(matrix)
            grid = np.linspace(fit.lower_edge, fit.upper_edge, DENSITY_POINTS)
            parameters = {
                "mp_scale": fit.scale,
                "mp_effective_dim": fit.effective_dim,
                "mp_upper_edge": fit.upper_edge,
                "snr": task_vectors.signal_to_noise(spectrum),
            }
            pieces = [
                pd.DataFrame({"series": "eigenvalue", "x": np.arange(1, len(spectrum) + 1), "y": spectrum}),
                pd.DataFrame({"series": "marchenko_pastur", "x": grid, "y": fit.density(grid)}),
                pd.DataFrame({"series": list(parameters), "x": np.nan, "y": list(parameters.values())}),
            ]
            frames += [piece.assign(panel="spectrum", category=category, dim=dim) for piece in pieces]
            if dim == max(dims):
                share = task_vectors.mean_vector_projection(matrix)
                frames.append(
                    pd.DataFrame({"series": "mean_share", "x": np.arange(1, dim + 1), "y": share}).assign(
                        panel="localisation", category=category, dim=dim
                    )
                )
    return pd.concat(frames, ignore_index=True)[["panel", "category", "dim", "series", "x", "y"]]


def sweep_data(sweep: pd.DataFrame) -> pd.DataFrame:
    """The dimension sweep (w2vtheory.task_vectors.dimension_sweep) in the same tidy shape."""
    long = sweep.melt(id_vars=["category", "dim"], value_vars=["snr", "accuracy"], var_name="series", value_name="y")
    return long.assign(panel="sweep", x=long["dim"])[["panel", "category", "dim", "series", "x", "y"]]


def plot_spectrum(axis, rows: pd.DataFrame, category: str, dim: int) -> None:
    """Histogram of the eigenvalues with the fitted MP density; the spike is marked."""
    eigenvalues = rows.loc[rows["series"] == "eigenvalue", "y"].to_numpy()
    density = rows[rows["series"] == "marchenko_pastur"]
    parameters = rows[rows["x"].isna()].set_index("series")["y"]
    upper = parameters["mp_upper_edge"]
    right = 1.3 * max(upper, eigenvalues[1] if len(eigenvalues) > 1 else upper)
    shown = eigenvalues[eigenvalues <= right]
    axis.hist(shown, bins=max(8, len(eigenvalues) // 3), range=(0, right), density=True,
              color=style.model_color("mstar"), alpha=0.5, label="eigenvalues")
    axis.plot(density["x"], density["y"] * len(shown) / len(eigenvalues), color=style.model_color("theory"),
              label=f"MP, d_eff = {parameters['mp_effective_dim']:.0f}")
    spike = eigenvalues[0]
    note = f"spike λ₁ = {spike:.3g}\nSNR = {parameters['snr']:.1f}"
    if spike <= right:
        axis.axvline(spike, color=style.model_color("sgns"), linestyle="--")
    else:
        note += " (off axis →)"
    axis.text(0.97, 0.95, note, transform=axis.transAxes, ha="right", va="top", fontsize=7)
    axis.set(title=f"{category}, d = {dim}", xlabel="eigenvalue of R Rᵀ / d", ylabel="density")
    axis.legend(frameon=False, fontsize=6, loc="center right")


def plot_localisation(axis, rows: pd.DataFrame, category: str) -> None:
    axis.plot(rows["x"], rows["y"], color=style.model_color("mstar"), linewidth=0.8)
    axis.set(xscale="log", xlabel="eigenfeature k of M*", ylabel="share of mean task vector",
             title=f"{category}: mean task vector")


def plot_task_vectors(spectra: pd.DataFrame, sweep: pd.DataFrame, category: str) -> Figure:
    """Fig 4: one category's spectra and localisation, and all categories' SNR and accuracy vs d."""
    style.apply_style()
    rows = spectra[spectra["category"] == category]
    dims = sorted(rows.loc[rows["panel"] == "spectrum", "dim"].unique())
    figure = Figure(figsize=(3.2 * max(len(dims), 4), 6.4), layout="constrained")
    grid = figure.add_gridspec(2, max(len(dims), 4))
    for column, dim in enumerate(dims):
        plot_spectrum(figure.add_subplot(grid[0, column]), rows[(rows["panel"] == "spectrum") & (rows["dim"] == dim)], category, dim)
    plot_localisation(figure.add_subplot(grid[1, :2]), rows[rows["panel"] == "localisation"], category)
    categories = list(dict.fromkeys(sweep["category"]))
    for column, (series, label) in enumerate((("snr", "SNR = λ_max / (Tr / rank)"), ("accuracy", "pair-analogy accuracy"))):
        axis = figure.add_subplot(grid[1, 2 + column])
        for position, name in enumerate(categories):
            curve = sweep[(sweep["category"] == name) & (sweep["series"] == series)]
            axis.plot(curve["x"], curve["y"], "o-", markersize=3, color=style.OKABE_ITO[position % len(style.OKABE_ITO)],
                      label=name, linewidth=2.0 if name == category else 1.0)
        axis.set_xscale("log", base=2)
        axis.set(xlabel="embedding dimension d", ylabel=label)
    axis.legend(frameon=False, fontsize=6)
    return figure


def plot_task_vectors_more(spectra: pd.DataFrame) -> Figure:
    """Fig 6: for each category a row of spectra at every d and the localisation panel."""
    style.apply_style()
    categories = list(dict.fromkeys(spectra["category"]))
    dims = sorted(spectra.loc[spectra["panel"] == "spectrum", "dim"].unique())
    figure = Figure(figsize=(3.0 * (len(dims) + 1), 2.8 * len(categories)), layout="constrained")
    axes = figure.subplots(len(categories), len(dims) + 1, squeeze=False)
    for row, category in enumerate(categories):
        rows = spectra[spectra["category"] == category]
        for column, dim in enumerate(dims):
            plot_spectrum(axes[row, column], rows[(rows["panel"] == "spectrum") & (rows["dim"] == dim)], category, dim)
        plot_localisation(axes[row, -1], rows[rows["panel"] == "localisation"], category)
    return figure


def load_categories(questions: str | os.PathLike[str], words: Sequence[str], names: Sequence[str]) -> dict[str, task_vectors.WordPairs]:
    """The named categories' in-vocabulary word pairs, in the given order."""
    analogies = read_analogy_questions(questions)
    index = {word: position for position, word in reversed(list(enumerate(words)))}
    return {name: task_vectors.select_category(analogies, name, index, str(questions)) for name in names}


def available_dims(requested: Sequence[int], n_eigenpairs: int) -> list[int]:
    """The requested spectrum dimensions that fit the computed eigenpairs (else the largest that does)."""
    cap = min(task_vectors.MAX_DIM, n_eigenpairs)
    fitting = sorted(dim for dim in requested if dim <= cap)
    return fitting or [cap]


def write_task_vectors(
    eigvals: str | os.PathLike[str],
    eigvecs: str | os.PathLike[str],
    vocab: str | os.PathLike[str],
    questions: str | os.PathLike[str],
    category: str,
    sweep_categories: Sequence[str],
    spectrum_dims: Sequence[int],
    pdf: str,
    png: str,
    csv: str,
) -> None:
    """Fig 4 for `category`; the SNR and accuracy panels cover `category` and `sweep_categories`."""
    words, _ = read_lexicon(vocab)
    values, vectors = np.load(eigvals), np.load(eigvecs)
    names = list(dict.fromkeys([category, *sweep_categories]))
    categories = load_categories(questions, words, names)
    spectra = spectrum_data(values, vectors, {category: categories[category]}, available_dims(spectrum_dims, len(values)))
    sweep = sweep_data(task_vectors.dimension_sweep(values, vectors, categories, task_vectors.sweep_dimensions(len(values))))
    style.save_outputs(plot_task_vectors(spectra, sweep, category), pd.concat([spectra, sweep], ignore_index=True), pdf, png, csv)


def write_task_vectors_more(
    eigvals: str | os.PathLike[str],
    eigvecs: str | os.PathLike[str],
    vocab: str | os.PathLike[str],
    questions: str | os.PathLike[str],
    categories: Sequence[str],
    spectrum_dims: Sequence[int],
    pdf: str,
    png: str,
    csv: str,
) -> None:
    """Fig 6: Fig 4's spectrum and localisation panels for further categories."""
    words, _ = read_lexicon(vocab)
    values, vectors = np.load(eigvals), np.load(eigvecs)
    pairs = load_categories(questions, words, categories)
    spectra = spectrum_data(values, vectors, pairs, available_dims(spectrum_dims, len(values)))
    style.save_outputs(plot_task_vectors_more(spectra), spectra, pdf, png, csv)
