"""benchmarks/bench_default_job.py on a tiny synthetic benchmarks folder."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


@pytest.fixture(scope="module")
def bench() -> dict[str, Any]:
    return runpy.run_path(str(ROOT / "benchmarks" / "bench_default_job.py"), run_name="bench_default_job")


def write_benchmark(path: Path, rows: list[tuple[str, str]]) -> None:
    """A Snakemake benchmark file with (wall s, CPU s) rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{wall}\t0:00:01\t1\t1\t1\t1\t0\t0\t50\t{cpu}\n" for wall, cpu in rows]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")


@pytest.fixture
def workflow(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.smk").write_text(
        "rule predict_accuracy:\n    input: 'x'\n\n\nrule predict_accuracy_at_evaluations:\n    input: 'x'\n",
        encoding="utf-8",
    )
    (tmp_path / "Snakefile").write_text("localrule all:\n    input: 'x'\n\nrule train:\n    input: 'x'\n")
    benchmarks = tmp_path / "results" / "benchmarks"
    write_benchmark(benchmarks / "exp" / "train_sgns.tsv", [("100.5", "80.25")])
    write_benchmark(benchmarks / "exp" / "train_qwem.tsv", [("30", "20")])
    write_benchmark(benchmarks / "exp" / "analysis" / "predict_accuracy_qwem.tsv", [("2", "NA")])
    # repeat(..., 2): the job's cost is the mean of its rows
    write_benchmark(benchmarks / "other" / "predict_accuracy_at_evaluations_qwem.tsv", [("4", "3"), ("6", "5")])
    return tmp_path


def test_costs_per_job_and_rule(bench: dict[str, Any], workflow: Path) -> None:
    rules = bench["rule_names"]([workflow / "Snakefile", workflow / "rules" / "a.smk"])
    costs = bench["job_costs"](workflow / "results" / "benchmarks", rules)
    by_job = costs.set_index("job")
    assert by_job.loc["exp/train_sgns", "rule"] == "train"
    assert by_job.loc["exp/analysis/predict_accuracy_qwem", "rule"] == "predict_accuracy"
    assert by_job.loc["exp/analysis/predict_accuracy_qwem", "cpu_s"] == 0.0
    job = by_job.loc["other/predict_accuracy_at_evaluations_qwem"]
    assert (job["rule"], job["cpu_s"], job["wall_s"]) == ("predict_accuracy_at_evaluations", 4.0, 5.0)

    per_rule = bench["cost_table"](costs, "rule").set_index("rule")
    assert list(per_rule.index) == ["train", "predict_accuracy_at_evaluations", "predict_accuracy", "total"]
    assert per_rule.loc["train", "jobs"] == 2
    assert per_rule.loc["train", "cpu_s"] == pytest.approx(100.25)
    assert per_rule.loc["total", "cpu_s"] == pytest.approx(104.25)
    assert per_rule.loc["total", "wall_s"] == pytest.approx(137.5)
    assert per_rule.loc["total", "cpu_share"] == pytest.approx(1.0)


def test_main_prints_both_tables(bench: dict[str, Any], workflow: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench["main"]([str(workflow / "results" / "benchmarks"), "--rules", str(workflow)]) == 0
    out = capsys.readouterr().out
    assert "| exp/train_sgns | 80 | 100 | 77.0% |" in out
    assert "| train | 2 | 100 | 130 | 96.2% |" in out
    assert out.count("| total |") == 2


def test_missing_folder_fails_with_one_line(bench: dict[str, Any], tmp_path: Path, capsys) -> None:
    assert bench["main"]([str(tmp_path / "nothing")]) == 1
    assert "no such folder" in capsys.readouterr().err
