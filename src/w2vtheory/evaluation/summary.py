"""summary.md's first section: every model's score on every benchmark, from benchmarks.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd

from w2vtheory.evaluation.scoring import SPEARMAN


def _format_score(method: str, score: float) -> str:
    if np.isnan(score):
        return "n/a"
    return f"{score:.3f}" if method == SPEARMAN else f"{100 * score:.1f}%"


def _format_coverage(coverage: float) -> str:
    return "n/a" if np.isnan(coverage) else f"{100 * coverage:.1f}%"


def summary_markdown(
    benchmarks: pd.DataFrame,
    *,
    experiment: str,
    corpus: str,
    vocab_size: int,
    dim: int,
    window: int,
) -> str:
    """benchmarks x models as a Markdown table, each row with its method, n and coverage; models and
    benchmarks in order of appearance. Where the models scored different items, each cell carries
    its own n and coverage."""
    models = list(dict.fromkeys(benchmarks["model"]))
    names = list(dict.fromkeys(benchmarks["benchmark"]))
    indexed = benchmarks.set_index(["model", "benchmark"])
    headers = ["benchmark", "method", "n", "coverage", *models]
    lines = [
        f"# Experiment `{experiment}`: corpus `{corpus}`, V = {vocab_size:,}, d = {dim}, window L = {window}",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    for name in names:
        rows = benchmarks[benchmarks["benchmark"] == name]
        method = rows["method"].iloc[0]
        shared = rows["n"].nunique() == 1
        cells = []
        for model in models:
            if (model, name) not in indexed.index:
                cells.append("–")
                continue
            record = indexed.loc[(model, name)]
            cell = _format_score(method, record["score"])
            if not shared:
                cell += f" (n = {record['n']:,}, {_format_coverage(record['coverage'])})"
            cells.append(cell)
        counts = (
            [f"{rows['n'].iloc[0]:,}", _format_coverage(rows["coverage"].iloc[0])] if shared else ["varies", "varies"]
        )
        lines.append("| " + " | ".join([name, method, *counts, *cells]) + " |")
    lines += [
        "",
        "Analogies: fraction of items answered correctly, by 3CosAdd or 3CosMul. `analogy` and "
        "`analogy_pair_3cosmul`: the paper's pair protocol on the Google set (docs/paper.md section 5); "
        "`analogy_3cosadd` and `analogy_3cosmul`: the Google questions with all four words in the "
        "vocabulary; `analogy_<set>` and `analogy_<set>_3cosmul`: the questions of a further set. "
        "Similarity benchmarks: Spearman rho between cosine similarity and human scores over the pairs "
        "with both words in the vocabulary. n: items scored; coverage: n over the items the file gives "
        "with every word in the vocabulary.",
    ]
    return "\n".join(lines) + "\n"
