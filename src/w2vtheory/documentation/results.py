"""The tables of docs/results.md (and the headline table of README.md and of the report's front
page, report/workflow.rst), rendered from a finished job's results/ directory.

Each table sits between `<!-- begin generated: NAME -->` and `<!-- end generated: NAME -->` in
the document; `render_results` replaces what lies between the markers and nothing else, so the
prose around the tables stays as written. Tables:

- `headline`: results/default/benchmarks.csv beside the paper's numbers (w2vtheory.paper);
- `convergence`: each trained run of the default experiments against its objective's converged
  value (results/<experiment>/convergence.csv, the run's settings from runs/<run>/run.json);
- `rise_times`: when each of the top modes of every trained run rises, over the theory's tau_k
  (results/<experiment>/analysis/rise_times.csv);
- `seeds`: the same runs' scores and unlearned shares over several results directories that
  differ only in `run_defaults.seed` (only when such directories are given);
- `minimiser`: the rank-d minimiser of Setting 3.1's objective (SGNS loss, omniscient weights):
  its norm and how few words hold its weight, from the lower-loss of its reference and its trained
  run (references/<objective>/W.npy or runs/<run>/W.npy: a run that beat its reference is the
  closer to the minimum; vocab.tsv).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from w2vtheory.corpus.vocab import read_lexicon
from w2vtheory.errors import InputError
from w2vtheory.paper import PAPER_MODEL_NAMES, PAPER_SCORES

DEFAULT_EXPERIMENTS = ("default", "default-ablation")
HEADLINE_EXPERIMENT = "default"
HEADLINE_BENCHMARKS = ("analogy", "men", "ws353", "simlex")
SETTING31_OBJECTIVE = "sgns-omniscient"
# The minimiser table names the fewest words that together hold this share of ||W||^2.
WEIGHT_SHARE = 0.96
TOP_WORDS = 5


def _read(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path} does not exist: the {what} table needs a finished default job (`make run`)")
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def headline_cells(benchmarks: pd.DataFrame) -> list[list[str]]:
    """Header and rows: models (in the paper's column order) x benchmarks, ours beside the paper's."""
    score = benchmarks.set_index(["model", "benchmark"])["score"]
    count = benchmarks.set_index(["model", "benchmark"])["n"]
    analogies = int(count.xs("analogy", level="benchmark").max())
    rows = [["model", f"analogy (n = {analogies:,})", "MEN", "WS353", "SimLex", "paper: analogy", "MEN", "WS353"]]
    for model, label in PAPER_MODEL_NAMES.items():
        if (model, "analogy") not in score.index:
            continue
        ours = [
            _percent(score[(model, name)]) if name == "analogy" else f"{score[(model, name)]:.3f}"
            for name in HEADLINE_BENCHMARKS
        ]
        paper = [
            _percent(PAPER_SCORES[name][model]) if name == "analogy" else f"{PAPER_SCORES[name][model]:.3f}"
            for name in ("analogy", "men", "ws353")
        ]
        rows.append([f"{label} (`{model}`)", *ours, *paper])
    return rows


def headline_markdown(benchmarks: pd.DataFrame) -> str:
    header, *rows = headline_cells(benchmarks)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def headline_rst(benchmarks: pd.DataFrame) -> str:
    """The headline table as a reStructuredText list-table (the Snakemake report's front page)."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in headline_cells(benchmarks):
        cells = [cell.replace("`", "``") for cell in row]
        lines += [f"   * - {cells[0]}", *(f"     - {cell}" for cell in cells[1:])]
    return "\n".join(lines) + "\n"


def run_label(settings: Mapping[str, object]) -> str:
    """How a run trains, from its run.json settings: exact or sampled, momentum, dtype."""
    if settings.get("exact"):
        parts = ["exact"] + (["momentum"] if float(settings.get("momentum", 0.0)) > 0 else [])
    else:
        parts = [f"sampled, {settings.get('negatives_per_positive', 1)} neg/pos"]
    return ", ".join([*parts, str(settings.get("dtype"))])


def convergence_markdown(tables: Mapping[str, pd.DataFrame], settings: Mapping[tuple[str, str], Mapping]) -> str:
    """Every trained run of `tables` {experiment: convergence.csv}; `settings` {(experiment, run): run.json `run`}."""
    lines = [
        "| run | how | steps | wall s | analogy | converged value | gap (points) | loss | converged loss "
        "| unlearned | converged |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for experiment, table in tables.items():
        for row in table.itertuples(index=False):
            note = " (beaten)" if row.reference_beaten else "" if row.reference_converged else " (unconverged)"
            reference = _percent(row.reference_analogy) + note
            lines.append(
                f"| {experiment}/{row.run} | {run_label(settings[(experiment, row.run)])} | {row.steps:,} "
                f"| {row.wall_seconds:.0f} | {_percent(row.analogy)} | {reference} | {100 * row.gap:+.1f} "
                f"| {row.loss_normalised:.5f} | {row.reference_loss_normalised:.5f} "
                f"| {_percent(row.unlearned_fraction)} | {'yes' if row.converged else 'no'} |"
            )
    return "\n".join(lines) + "\n"


def rise_times_markdown(tables: Mapping[str, pd.DataFrame]) -> str:
    """Per trained run of `tables` {experiment: rise_times.csv}, mode k's rise time over tau_k: to half
    its final value, and (after the slash) to half the theory's sqrt(lambda_k)."""
    modes = sorted({int(mode) for table in tables.values() for mode in table["mode"]})
    lines = ["| run | " + " | ".join(f"mode {mode}" for mode in modes) + " |", "|---|" + "---|" * len(modes)]
    for experiment, table in tables.items():
        for run, rows in table.groupby("run", sort=False):
            ratio = rows.set_index("mode")[["rise_over_tau", "level_over_tau"]]
            cells = [
                (
                    f"{ratio.loc[mode, 'rise_over_tau']:.2f} / {ratio.loc[mode, 'level_over_tau']:.2f}"
                    if mode in ratio.index
                    else ""
                )
                for mode in modes
            ]
            lines.append(f"| {experiment}/{run} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def seeds_markdown(by_seed: Mapping[int, Mapping[str, pd.DataFrame]], sampled: Sequence[tuple[str, str]]) -> str:
    """The sampled runs' scores per seed {seed: {experiment: convergence.csv}} and their unlearned range."""
    seeds = sorted(by_seed)
    lines = [
        "| run | converged value | " + " | ".join(f"seed {seed}" for seed in seeds) + " | unlearned, all seeds |",
        "|---|---|" + "---|" * len(seeds) + "---|",
    ]
    for experiment, run in sampled:
        rows = [by_seed[seed][experiment].set_index("run").loc[run] for seed in seeds]
        unlearned = [row["unlearned_fraction"] for row in rows]
        spread = f"{100 * min(unlearned):.2f}-{100 * max(unlearned):.2f}%"
        scores = " | ".join(_percent(row["analogy"]) for row in rows)
        lines.append(f"| {experiment}/{run} | {_percent(rows[0]['reference_analogy'])} | {scores} | {spread} |")
    return "\n".join(lines) + "\n"


def minimiser_markdown(W: np.ndarray, words: Sequence[str], share: float = WEIGHT_SHARE) -> str:
    """Norm of W, the fewest words holding `share` of ||W||^2, and the heaviest words."""
    weights = np.sum(np.asarray(W, dtype=np.float64) ** 2, axis=1)
    order = np.argsort(-weights, kind="stable")
    held = np.cumsum(weights[order]) / weights.sum()
    holders = int(np.searchsorted(held, share) + 1)
    heaviest = ", ".join(f"{words[index]} ({weights[index]:,.0f})" for index in order[:TOP_WORDS])
    lines = [
        f"| norm of W | words holding {100 * share:.0f} % of the squared norm | heaviest words (squared length) |",
        "|---|---|---|",
        f"| {np.sqrt(weights.sum()):,.0f} | {holders:,} of {len(words):,} ({100 * holders / len(words):.0f} %) "
        f"| {heaviest} |",
    ]
    return "\n".join(lines) + "\n"


MARKDOWN_MARKERS = ("<!-- begin generated: {name} -->", "<!-- end generated: {name} -->")
RST_MARKERS = (".. begin generated: {name}", ".. end generated: {name}")


def replace_generated(document: str, name: str, body: str, markers: tuple[str, str] = MARKDOWN_MARKERS) -> str:
    """`document` with the text between the markers of table `name` replaced by `body`."""
    begin, end = (marker.format(name=name) for marker in markers)
    pattern = re.compile(rf"({re.escape(begin)}\n).*?({re.escape(end)})", re.DOTALL)
    if not pattern.search(document):
        raise InputError(f"the document has no `{begin}` ... `{end}`")
    return pattern.sub(lambda match: match[1] + body + match[2], document, count=1)


def _convergence_tables(results: Path) -> dict[str, pd.DataFrame]:
    return {
        experiment: _read(results / experiment / "convergence.csv", "convergence") for experiment in DEFAULT_EXPERIMENTS
    }


def _run_settings(results: Path, tables: Mapping[str, pd.DataFrame]) -> dict[tuple[str, str], Mapping]:
    settings = {}
    for experiment, table in tables.items():
        for run in table["run"]:
            path = results / experiment / "runs" / run / "run.json"
            if not path.is_file():
                raise InputError(f"{path} does not exist: the convergence table needs every run's run.json")
            settings[(experiment, run)] = json.loads(path.read_text(encoding="utf-8"))["run"]
    return settings


def render_headline(document: str, results: Path, rst: bool = False) -> str:
    """`document` (README.md, or report/workflow.rst when `rst`) with its headline table rendered
    from `results`."""
    benchmarks = _read(Path(results) / HEADLINE_EXPERIMENT / "benchmarks.csv", "headline")
    if rst:
        return replace_generated(document, "headline", "\n" + headline_rst(benchmarks) + "\n", RST_MARKERS)
    return replace_generated(document, "headline", headline_markdown(benchmarks))


def render_results(document: str, results: Path, seed_results: Sequence[Path] = ()) -> str:
    """docs/results.md with its generated tables rendered from `results` (and, for the seeds
    table, from `seed_results`: results directories of the same job with other seeds)."""
    results = Path(results)
    tables = _convergence_tables(results)
    settings = _run_settings(results, tables)
    document = render_headline(document, results)
    document = replace_generated(document, "convergence", convergence_markdown(tables, settings))
    rises = {
        experiment: _read(results / experiment / "analysis" / "rise_times.csv", "rise times")
        for experiment in DEFAULT_EXPERIMENTS
    }
    document = replace_generated(document, "rise_times", rise_times_markdown(rises))
    if seed_results:
        by_seed = {}
        for directory in [results, *map(Path, seed_results)]:
            seed_tables = _convergence_tables(directory)
            seed_settings = _run_settings(directory, seed_tables)
            seeds = {int(value["seed"]) for value in seed_settings.values()}
            if len(seeds) != 1:
                raise InputError(f"{directory}: its runs have seeds {sorted(seeds)}; expected one seed per directory")
            by_seed[seeds.pop()] = seed_tables
        sampled = [key for key, value in settings.items() if not value.get("exact")]
        document = replace_generated(document, "seeds", seeds_markdown(by_seed, sampled))
    ablation = tables[DEFAULT_EXPERIMENTS[1]]
    setting31 = ablation[ablation["objective"].str.startswith(SETTING31_OBJECTIVE)]
    if len(setting31):
        row = setting31.iloc[0]
        directory = results / DEFAULT_EXPERIMENTS[1]
        lowest = (
            directory / "runs" / row["run"] if row["reference_beaten"] else directory / "references" / row["objective"]
        )
        words, _ = read_lexicon(directory / "vocab.tsv")
        document = replace_generated(document, "minimiser", minimiser_markdown(np.load(lowest / "W.npy"), words))
    return document
