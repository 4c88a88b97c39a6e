"""The tables of docs/results.md are rendered from a results/ directory, between their markers only."""

from __future__ import annotations

import json
from pathlib import Path

import docutils.core
import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT
from w2vtheory.documentation.__main__ import main
from w2vtheory.documentation.results import minimiser_markdown, render_results, replace_generated
from w2vtheory.errors import InputError
from w2vtheory.evaluation.convergence import convergence_table

TABLES = ("headline", "convergence", "rise_times", "seeds", "minimiser")
DOCUMENT = "\n".join(
    ["# Findings", "", "Prose that stays.", ""]
    + [
        f"<!-- begin generated: {name} -->\nold {name}\n<!-- end generated: {name} -->\n\nMore prose."
        for name in TABLES
    ]
)


def convergence_row(run: str, objective: str, analogy: float, unlearned: float) -> dict:
    reference_loss = 0.9
    return {
        "run": run,
        "objective": objective,
        "steps": 1000,
        "wall_seconds": 12.4,
        "analogy": analogy,
        "reference_analogy": 0.30,
        "gap": 0.30 - analogy,
        "loss_normalised": reference_loss + unlearned * (1 - reference_loss),
        "reference_loss_normalised": reference_loss,
        "loss_gap": unlearned * (1 - reference_loss),
        "unlearned_fraction": unlearned,
        "singular_value_change": 0.001,
        "converged": True,
        "reference_converged": objective != "sgns-sgns-t1e-05",
        "reference_beaten": False,
    }


def write_results(root: Path, seed: int = 0, shift: float = 0.0) -> Path:
    """A results/ directory with what the generator reads, for two experiments."""
    default, ablation = root / "default", root / "default-ablation"
    runs = {
        "default": {
            "sgns": ({"exact": False, "negatives_per_positive": 2, "dtype": "float32"}, "sgns-sgns-t1e-05", 0.301),
            "qwem": ({"exact": True, "momentum": 0.0, "dtype": "float32"}, "qwem-omniscient", 0.312),
        },
        "default-ablation": {
            "ablation-setting31": (
                {"exact": True, "momentum": 0.95, "dtype": "float32"},
                "sgns-omniscient",
                0.176,
            ),
        },
    }
    for experiment, experiment_runs in runs.items():
        rows = []
        for run, (settings, objective, analogy) in experiment_runs.items():
            run_dir = root / experiment / "runs" / run
            run_dir.mkdir(parents=True)
            (run_dir / "run.json").write_text(json.dumps({"run": {**settings, "seed": seed}}))
            rows.append(convergence_row(run, objective, analogy + shift, 0.0138 + shift))
        convergence_table(rows).to_csv(root / experiment / "convergence.csv", index=False)
        (root / experiment / "analysis").mkdir()
        rises = [
            {"run": run, "mode": mode, "rise_over_tau": 1.0 + 0.01 * mode + shift, "level_over_tau": 0.98 + shift}
            for run in experiment_runs
            for mode in (1, 2)
        ]
        pd.DataFrame(rises).to_csv(root / experiment / "analysis" / "rise_times.csv", index=False)
    benchmarks = [
        (model, benchmark, score, 2056 if benchmark == "analogy" else 100)
        for model, score in [("mstar", 0.317), ("ppmi", 0.264), ("pmi", 0.273), ("sgns", 0.306), ("qwem", 0.312)]
        for benchmark in ("analogy", "analogy_3cosadd", "men", "ws353", "simlex")
    ]
    pd.DataFrame(benchmarks, columns=["model", "benchmark", "score", "n"]).to_csv(
        default / "benchmarks.csv", index=False
    )
    words = [f"word{index}" for index in range(10)]
    (ablation / "vocab.tsv").write_text("".join(f"{word}\t{10 - index}\n" for index, word in enumerate(words)))
    (ablation / "references" / "sgns-omniscient").mkdir(parents=True)
    W = np.tile([0.0, 1.0], (10, 1))  # |w|^2 = 1 each, but
    W[3] = [30.0, 40.0]  # 2,500: 95.9 % of the total 2,608, under 96 % alone
    W[7] = [10.0, 0.0]  # 100
    np.save(ablation / "references" / "sgns-omniscient" / "W.npy", W)
    return root


def test_tables_are_rendered_between_their_markers_and_the_prose_is_kept(tmp_path):
    document = render_results(DOCUMENT, write_results(tmp_path / "results"))
    assert document.count("Prose that stays.") == 1 and document.count("More prose.") == len(TABLES)
    assert not any(f"old {name}" in document for name in TABLES if name != "seeds")
    assert "old seeds" in document  # no seed directories given: the seeds table is left as it was
    assert "| model | analogy (n = 2,056) | MEN | WS353 | SimLex | paper: analogy | MEN | WS353 |" in document
    assert "| svd(M*) (`mstar`) | 31.7% | 0.317 | 0.317 | 0.317 | 66.3% | 0.755 | 0.683 |" in document
    assert (
        "| default/sgns | sampled, 2 neg/pos, float32 | 1,000 | 12 | 30.1% | 30.0% (unconverged) | -0.1 |" in document
    )
    assert "| default-ablation/ablation-setting31 | exact, momentum, float32 |" in document
    assert "| default/qwem | exact, float32 |" in document
    assert "| 51 | 2 of 10 (20 %) | word3 (2,500), word7 (100)," in document
    assert (
        "| run | mode 1 | mode 2 |" in document
        and "| default-ablation/ablation-setting31 | 1.01 / 0.98 | 1.02 / 0.98 |" in document
    )


def test_the_seeds_table_takes_one_directory_per_seed(tmp_path):
    results = write_results(tmp_path / "results")
    seeds = [write_results(tmp_path / f"seed{seed}", seed=seed, shift=0.001 * seed) for seed in (1, 2)]
    document = render_results(DOCUMENT, results, seeds)
    assert "| run | converged value | seed 0 | seed 1 | seed 2 | unlearned, all seeds |" in document
    assert "| default/sgns | 30.0% | 30.1% | 30.2% | 30.3% | 1.38-1.58% |" in document
    assert "qwem" not in document.split("generated: seeds -->")[1].split("<!--")[0]  # exact runs have no noise


def test_the_minimiser_table_takes_the_run_that_beat_its_reference(tmp_path):
    results = write_results(tmp_path / "results")
    ablation = results / "default-ablation"
    table = pd.read_csv(ablation / "convergence.csv")
    table["reference_beaten"] = True
    table.to_csv(ablation / "convergence.csv", index=False)
    W = np.tile([0.0, 1.0], (10, 1))
    W[5] = [60.0, 80.0]  # 10,000 of 10,009
    np.save(ablation / "runs" / "ablation-setting31" / "W.npy", W)
    document = render_results(DOCUMENT, results)
    assert "| 100 | 1 of 10 (10 %) | word5 (10,000)," in document
    assert "(beaten)" in document


def test_a_missing_results_file_is_named(tmp_path):
    results = write_results(tmp_path / "results")
    (results / "default" / "benchmarks.csv").unlink()
    with pytest.raises(InputError, match="default/benchmarks.csv does not exist"):
        render_results(DOCUMENT, results)


def test_a_missing_marker_is_named():
    with pytest.raises(InputError, match="generated: seeds"):
        replace_generated("no markers here", "seeds", "table")


def test_minimiser_counts_the_fewest_words_holding_the_share():
    W = np.diag([3.0, 2.0, 1.0, 0.1])
    assert "| 4 | 2 of 4 (50 %) |" in minimiser_markdown(W, list("abcd"), share=0.9)


def test_the_committed_documents_have_their_tables_and_the_command_rewrites_them(tmp_path, monkeypatch):
    document = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    for name in TABLES:
        assert f"<!-- begin generated: {name} -->" in document and f"<!-- end generated: {name} -->" in document
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "results.md").write_text(document, encoding="utf-8")
    for page in ("README.md", "report/workflow.rst"):
        (tmp_path / page).parent.mkdir(exist_ok=True)
        (tmp_path / page).write_text((ROOT / page).read_text(encoding="utf-8"), encoding="utf-8")
    write_results(tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    main(["results", "results"])
    rewritten = (tmp_path / "docs" / "results.md").read_text(encoding="utf-8")
    assert "| 51 | 2 of 10 (20 %) |" in rewritten and "| default/qwem | exact, float32 |" in rewritten
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| svd(M*) (`mstar`) | 31.7% | 0.317 | 0.317 | 0.317 | 66.3% |" in readme
    front_page = (tmp_path / "report" / "workflow.rst").read_text(encoding="utf-8")
    assert "   * - svd(M*) (``mstar``)\n     - 31.7%\n     - 0.317\n" in front_page
    docutils.core.publish_string(front_page, writer="html", settings_overrides={"halt_level": 2})
