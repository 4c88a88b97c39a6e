"""One look for every figure: seaborn's paper context, a colour-blind-safe palette (Okabe & Ito)
with a fixed colour per model, and the writers for the figure files and their tidy data."""

from __future__ import annotations

import os
import textwrap

import matplotlib

matplotlib.use("Agg")  # figures are written by workflow jobs, never shown

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.colors import Colormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from w2vtheory.atomic import atomic_path, write_table  # noqa: E402

# Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies.
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)

MODEL_COLORS = {
    "sgns": OKABE_ITO[5],
    "qwem": OKABE_ITO[4],
    "mstar": OKABE_ITO[2],
    "ppmi": OKABE_ITO[0],
    "pmi": OKABE_ITO[6],
    "pair_ratio": OKABE_ITO[1],
    "theory": OKABE_ITO[7],
}
MODEL_LABELS = {
    "sgns": "word2vec (SGNS)",
    "qwem": "QWEM",
    "mstar": "M*",
    "ppmi": "PPMI",
    "pmi": "PMI",
    "pair_ratio": "P(i,j)/(P(i)P(j)) + 1",
    "theory": "theory",
}
# Perceptually uniform and colour-blind-safe, for series ordered by mode index k.
MODE_COLORMAP = "viridis"
THEORY_LINESTYLE = ":"
DPI = 200


def apply_style() -> None:
    sns.set_theme(context="paper", style="ticks", palette=list(OKABE_ITO), font_scale=1.0)
    plt.rcParams.update({"savefig.dpi": DPI, "figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False})


def model_color(model: str) -> str:
    """The model's fixed colour; unknown (further trained) models cycle through the palette."""
    if model in MODEL_COLORS:
        return MODEL_COLORS[model]
    return OKABE_ITO[sum(map(ord, model)) % len(OKABE_ITO)]


def model_label(model: str) -> str:
    return MODEL_LABELS.get(model, model)


def mode_colors(n_modes: int) -> list[tuple[float, float, float, float]]:
    """One colour per mode k = 1..n_modes, dark (first learned) to light (last)."""
    colormap: Colormap = plt.get_cmap(MODE_COLORMAP)
    return [colormap(0.9 * k / max(n_modes - 1, 1)) for k in range(n_modes)]


def save_figure(figure: Figure, *paths: str | os.PathLike[str]) -> None:
    """Write the figure in each path's format (PDF, PNG), atomically, then free it."""
    for path in paths:
        with atomic_path(path) as tmp:
            figure.savefig(tmp, bbox_inches="tight")
    plt.close(figure)


def save_outputs(
    figure: Figure,
    data: pd.DataFrame,
    pdf: str | os.PathLike[str],
    png: str | os.PathLike[str],
    csv: str | os.PathLike[str],
) -> None:
    """The figure as PDF and PNG and the tidy table of what it plots as CSV."""
    write_table(csv, data)
    save_figure(figure, pdf, png)


def fitted_table(axis, cells: list[list[str]], headers: list[str], widths: list[float], wrap: list[int]) -> None:
    """A text table laid out inside `axis` (no row labels, which matplotlib puts outside): column c
    takes the share widths[c] of the width and wraps its text at wrap[c] characters (0: never),
    and each row is as tall as its most wrapped cell."""
    wrapped = [
        ["\n".join(textwrap.wrap(text, limit)) if limit else text for text, limit in zip(row, wrap)] for row in cells
    ]
    lines = [1] + [max(cell.count("\n") + 1 for cell in row) for row in wrapped]
    axis.axis("off")
    table = axis.table(cellText=wrapped, colLabels=headers, cellLoc="left", colWidths=widths, bbox=[0.0, 0.0, 1.0, 1.0])
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    for (row, _), cell in table.get_celld().items():
        cell.set_height(lines[row] / sum(lines))
        cell.PAD = 0.02


def table_lines(cells: list[list[str]], wrap: list[int]) -> int:
    """Text lines `fitted_table` needs for these cells, header included (to size the figure)."""
    return 1 + sum(
        max(len(textwrap.wrap(text, limit)) if limit and text else 1 for text, limit in zip(row, wrap)) for row in cells
    )
