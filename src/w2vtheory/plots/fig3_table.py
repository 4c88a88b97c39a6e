"""Fig 3b, the headline table: the closed forms and the small-init runs (as the paper's table, whose
word2vec and QWEM columns are its small-init runs) x benchmarks beside the paper's numbers and the
difference, with both settings (corpus, V, d, L) stated, so an offline number is never taken for
the paper's."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from w2vtheory.atomic import write_text
from w2vtheory.config import CLOSED_FORM_MODELS
from w2vtheory.errors import InputError
from w2vtheory.paper import PAPER_CORPUS, PAPER_DIM, PAPER_VOCAB_SIZE, PAPER_WINDOW, paper_score
from w2vtheory.plots import style

BENCHMARK_ORDER = ("analogy", "men", "ws353", "simlex")
BENCHMARK_LABELS = {"analogy": "analogies %", "men": "MEN ρ", "ws353": "WS353 ρ", "simlex": "SimLex ρ"}
# Analogy accuracy is printed in percent, as in the paper; similarities as Spearman rho.
DISPLAY_FACTOR = {"analogy": 100.0}


def settings_line(corpus: str, vocab_size: int, dim: int, window: int) -> str:
    return (
        f"ours: corpus {corpus}, V = {vocab_size:,}, d = {dim}, L = {window}; "
        f"paper: corpus {PAPER_CORPUS}, V = {PAPER_VOCAB_SIZE:,}, d = {PAPER_DIM}, L = {PAPER_WINDOW}"
    )


def small_init_rows(benchmarks: pd.DataFrame, small_init: Mapping[str, str]) -> pd.DataFrame:
    """The closed-form models' rows and the small-init runs' rows, each run named by its role
    (sgns, qwem: the paper's names) with the run's own name in column `run`."""
    role_of = {run: role for role, run in small_init.items()}
    kept = benchmarks[benchmarks["model"].isin(CLOSED_FORM_MODELS) | benchmarks["model"].isin(role_of)].copy()
    kept["run"] = kept["model"]
    kept["model"] = kept["model"].map(lambda name: role_of.get(name, name))
    return kept.reset_index(drop=True)


def headline_table(
    benchmarks: pd.DataFrame, corpus: str, vocab_size: int, dim: int, window: int, small_init: Mapping[str, str]
) -> pd.DataFrame:
    """Tidy DataFrame(model, run, benchmark, unit, ours, paper, difference, n, corpus, vocab_size,
    dim, window, paper_corpus, paper_vocab_size, paper_dim, paper_window) of the closed forms and
    the small-init runs {role: run} on the paper's benchmarks (BENCHMARK_ORDER), in display units
    (analogy in percent); difference = ours - paper, empty where the paper has no number."""
    missing = {"model", "benchmark", "score", "n"} - set(benchmarks.columns)
    if missing:
        raise InputError(f"benchmarks.csv lacks column(s) {', '.join(sorted(missing))}; rerun the evaluation rules")
    benchmarks = small_init_rows(benchmarks[benchmarks["benchmark"].isin(BENCHMARK_ORDER)], small_init)
    rows = []
    order = {name: position for position, name in enumerate(BENCHMARK_ORDER)}
    for record in benchmarks.itertuples(index=False):
        factor = DISPLAY_FACTOR.get(record.benchmark, 1.0)
        paper = paper_score(record.model, record.benchmark)
        ours = float(record.score) * factor
        paper_value = np.nan if paper is None else paper * factor
        rows.append(
            {
                "model": record.model,
                "run": record.run,
                "benchmark": record.benchmark,
                "unit": "percent" if record.benchmark in DISPLAY_FACTOR else "spearman_rho",
                "ours": ours,
                "paper": paper_value,
                "difference": ours - paper_value,
                "n": int(record.n),
            }
        )
    table = pd.DataFrame(rows)
    table["benchmark_order"] = table["benchmark"].map(order).fillna(len(order))
    table["model_order"] = table["model"].map({m: i for i, m in enumerate(dict.fromkeys(benchmarks["model"]))})
    table = table.sort_values(["model_order", "benchmark_order"], ignore_index=True).drop(
        columns=["benchmark_order", "model_order"]
    )
    return table.assign(
        corpus=corpus,
        vocab_size=vocab_size,
        dim=dim,
        window=window,
        paper_corpus=PAPER_CORPUS,
        paper_vocab_size=PAPER_VOCAB_SIZE,
        paper_dim=PAPER_DIM,
        paper_window=PAPER_WINDOW,
    )


def _format(value: float, benchmark: str, signed: bool = False) -> str:
    if np.isnan(value):
        return "–"
    digits = 1 if benchmark in DISPLAY_FACTOR else 3
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def wide_cells(table: pd.DataFrame) -> tuple[list[str], list[str], list[list[str]]]:
    """(column headers, row labels, cells): one row per model, ours | paper | diff per benchmark."""
    benchmarks = list(dict.fromkeys(table["benchmark"]))
    models = list(dict.fromkeys(table["model"]))
    headers = [f"{BENCHMARK_LABELS.get(b, b)} {part}" for b in benchmarks for part in ("ours", "paper", "diff")]
    indexed = table.set_index(["model", "benchmark"])
    cells = []
    for model in models:
        row = []
        for benchmark in benchmarks:
            if (model, benchmark) in indexed.index:
                record = indexed.loc[(model, benchmark)]
                row += [
                    _format(record["ours"], benchmark),
                    _format(record["paper"], benchmark),
                    _format(record["difference"], benchmark, signed=True),
                ]
            else:
                row += ["–", "–", "–"]
        cells.append(row)
    labels = [
        f"{model} ({style.model_label(model)})" if style.model_label(model) != model else model for model in models
    ]
    return headers, labels, cells


def table_markdown(table: pd.DataFrame) -> str:
    first = table.iloc[0]
    headers, labels, cells = wide_cells(table)
    settings = settings_line(first["corpus"], int(first["vocab_size"]), int(first["dim"]), int(first["window"]))
    lines = [
        f"Headline table (Fig 3b). {settings}.",
        "Numbers from different settings are not comparable; diff = ours - paper.",
        "",
        "| model | " + " | ".join(headers) + " |",
        "|---|" + "---:|" * len(headers),
        *("| " + label + " | " + " | ".join(row) + " |" for label, row in zip(labels, cells)),
    ]
    return "\n".join(lines) + "\n"


def plot_table(table: pd.DataFrame) -> Figure:
    style.apply_style()
    first = table.iloc[0]
    headers, labels, cells = wide_cells(table)
    figure = Figure(figsize=(1.0 * len(headers) + 2.5, 0.4 * len(labels) + 1.2), layout="constrained")
    axis = figure.subplots()
    axis.axis("off")
    rendered = axis.table(cellText=cells, rowLabels=labels, colLabels=headers, loc="center", cellLoc="center")
    rendered.auto_set_font_size(False)
    rendered.set_fontsize(7)
    rendered.scale(1.0, 1.3)
    axis.set_title(
        settings_line(first["corpus"], int(first["vocab_size"]), int(first["dim"]), int(first["window"])), fontsize=8
    )
    return figure


def write_table(
    benchmarks: str | os.PathLike[str],
    corpus: str,
    vocab_size: int,
    dim: int,
    window: int,
    small_init: Mapping[str, str],
    csv: str,
    markdown: str,
    pdf: str,
    png: str,
) -> None:
    table = headline_table(pd.read_csv(benchmarks), corpus, vocab_size, dim, window, small_init)
    write_text(markdown, table_markdown(table))
    style.save_outputs(plot_table(table), table, pdf, png, csv)
