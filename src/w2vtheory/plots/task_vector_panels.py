"""Panels shared by Figs 4 and 6: one category's task-vector spectrum at one d with its
Marchenko-Pastur fit, and the mean task vector's localisation on the eigenfeatures, drawn from
the table of w2vtheory.analysis.task_vectors.task_vector_spectra."""

from __future__ import annotations

import pandas as pd

from w2vtheory.plots import style


def plot_spectrum(axis, rows: pd.DataFrame, category: str, dim: int) -> None:
    """Histogram of the eigenvalues with the fitted MP density (scaled to the bulk's share); the spike is marked."""
    eigenvalues = rows.loc[rows["series"] == "eigenvalue", "y"].to_numpy()
    parameters = rows[rows["x"].isna()].set_index("series")["y"]
    density = rows[rows["series"] == "mp_density"]
    upper = parameters.get("mp_upper_edge", eigenvalues[1] if len(eigenvalues) > 1 else eigenvalues[0])
    right = 1.3 * max(upper, eigenvalues[1] if len(eigenvalues) > 1 else upper)
    shown = eigenvalues[eigenvalues <= right]
    axis.hist(
        shown,
        bins=max(8, len(eigenvalues) // 2),
        range=(0, right),
        density=True,
        color=style.model_color("mstar"),
        alpha=0.5,
    )
    spike = eigenvalues[0]
    note = f"spike λ₁ = {spike:.3g}"
    if spike <= right:
        axis.axvline(spike, color=style.model_color("sgns"), linestyle="--")
    else:
        note += " (off axis →)"
    note += f"\nSNR = {parameters['snr']:.2f}"
    if len(density):
        axis.plot(density["x"], density["y"] * len(shown) / len(eigenvalues), color=style.model_color("theory"))
        note += f"\nMP (line): d_eff = {parameters['mp_effective_dim']:.0f}"
    axis.text(0.97, 0.95, note, transform=axis.transAxes, ha="right", va="top", fontsize=7)
    axis.set(title=f"{category}, d = {dim}", xlabel="eigenvalue of R Rᵀ / d", ylabel="density")


def plot_localisation(axis, rows: pd.DataFrame, category: str) -> None:
    """Bars: the share of the mean task vector's squared length on eigenfeature k."""
    axis.bar(rows["x"], rows["y"], width=1.0, align="edge", color=style.model_color("mstar"))
    dim = int(rows["dim"].iloc[0])
    axis.set(
        xlim=(0, dim + 1),
        xlabel="eigenfeature k of M*",
        ylabel="share of mean task vector",
        title=f"{category}: mean task vector, d = {dim}",
    )


def spectrum_rows(spectra: pd.DataFrame, category: str) -> pd.DataFrame:
    return spectra[(spectra["category"] == category) & (spectra["panel"] == "spectrum")]


def localisation_rows(spectra: pd.DataFrame, category: str) -> pd.DataFrame:
    return spectra[(spectra["category"] == category) & (spectra["panel"] == "localisation")]
