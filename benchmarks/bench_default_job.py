"""What a workflow run cost, per job and per rule, from its Snakemake benchmark files.

    .venv/bin/python benchmarks/bench_default_job.py [results/benchmarks] [--rules rules]   (make bench-job)

Reads every results/benchmarks/**/*.tsv (one per job: `s` wall seconds, `cpu_time` CPU seconds;
a file with several rows, from `repeat`, counts their mean) and prints two Markdown tables, jobs
then rules, each sorted by CPU seconds with its share of the total and a total row. A job is named
by its file, e.g. `default/converged_reference_sgns-sgns-t1e-05`; its rule is the longest rule name
(from the `rule NAME:` lines of rules/*.smk and Snakefile) that begins its file name. Jobs rerun
after a completed run overwrite their files, so the tables show the latest run of each job.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

RULE_LINE = re.compile(r"^(?:local)?rule\s+(\w+)\s*:", re.MULTILINE)


def rule_names(workflow_files: Iterable[Path]) -> list[str]:
    """The rule names declared in Snakemake files, longest first (so prefixes match greedily)."""
    names = {name for path in workflow_files for name in RULE_LINE.findall(path.read_text(encoding="utf-8"))}
    return sorted(names, key=lambda name: (-len(name), name))


def rule_of(stem: str, rules: Sequence[str]) -> str:
    """The rule whose job wrote benchmark file `stem`: the longest rule name equal to it or
    followed by `_` (its wildcards); the stem itself when none matches."""
    for name in rules:
        if stem == name or stem.startswith(name + "_"):
            return name
    return stem


def job_costs(benchmarks: Path, rules: Sequence[str]) -> pd.DataFrame:
    """DataFrame(job, rule, cpu_s, wall_s), one row per benchmark file under `benchmarks`."""
    rows = []
    for path in sorted(benchmarks.rglob("*.tsv")):
        table = pd.read_csv(path, sep="\t")
        if not {"s", "cpu_time"} <= set(table.columns):
            raise ValueError(f"{path}: not a Snakemake benchmark file (needs columns `s` and `cpu_time`)")
        # Snakemake writes NA where a job ended before it was sampled
        cpu = pd.to_numeric(table["cpu_time"], errors="coerce").fillna(0.0).mean()
        wall = pd.to_numeric(table["s"], errors="coerce").fillna(0.0).mean()
        job = path.relative_to(benchmarks).with_suffix("").as_posix()
        rows.append({"job": job, "rule": rule_of(path.stem, rules), "cpu_s": cpu, "wall_s": wall})
    return pd.DataFrame(rows, columns=["job", "rule", "cpu_s", "wall_s"])


def cost_table(costs: pd.DataFrame, by: str) -> pd.DataFrame:
    """Seconds summed per `by` (job or rule), most CPU first, with the number of jobs, the CPU share
    and a total row."""
    table = costs.groupby(by, as_index=False).agg(
        jobs=("job", "size"), cpu_s=("cpu_s", "sum"), wall_s=("wall_s", "sum")
    )
    table = table.sort_values(["cpu_s", by], ascending=[False, True], ignore_index=True)
    total = pd.DataFrame(
        [{by: "total", "jobs": len(costs), "cpu_s": costs["cpu_s"].sum(), "wall_s": costs["wall_s"].sum()}]
    )
    table = pd.concat([table, total], ignore_index=True)
    table["cpu_share"] = table["cpu_s"] / total["cpu_s"].iloc[0] if total["cpu_s"].iloc[0] > 0 else 0.0
    return table


def markdown(table: pd.DataFrame, by: str) -> str:
    """The table in Markdown; the job count only per rule (a job is one file)."""
    counted = by != "job"
    lines = [
        f"| {by} |{' jobs |' if counted else ''} CPU s | wall s | CPU share |",
        f"|---|{'---:|' if counted else ''}---:|---:|---:|",
    ]
    for row in table.itertuples(index=False):
        jobs = f" {row.jobs} |" if counted else ""
        lines.append(f"| {getattr(row, by)} |{jobs} {row.cpu_s:,.0f} | {row.wall_s:,.0f} | {row.cpu_share:.1%} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmarks", nargs="?", default="results/benchmarks", type=Path)
    parser.add_argument("--rules", default=".", type=Path, help="workflow root: Snakefile and rules/*.smk")
    args = parser.parse_args(argv)
    if not args.benchmarks.is_dir():
        print(f"{args.benchmarks}: no such folder (run the workflow first)", file=sys.stderr)
        return 1
    rules = rule_names([*args.rules.glob("rules/*.smk"), *args.rules.glob("Snakefile")])
    costs = job_costs(args.benchmarks, rules)
    if costs.empty:
        print(f"{args.benchmarks}: no benchmark files (*.tsv)", file=sys.stderr)
        return 1
    print(markdown(cost_table(costs, "job"), "job"))
    print()
    print(markdown(cost_table(costs, "rule"), "rule"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
