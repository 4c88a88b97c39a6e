"""Assemble the offline default corpus (source: bundled) from Wikipedia text shipped in packages.

snakemake.output.source: resources/corpora/<corpus>/source.txt; snakemake.output.provenance:
source_provenance.json next to it (parts, their origin, licence and token counts).
params.corpus: the corpus config (`parts`, default both parts).
"""

from w2vtheory.corpus.bundled import PARTS, write_bundled_corpus
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    parts = snakemake.params.corpus.get("parts", list(PARTS))
    write_bundled_corpus(parts, snakemake.output.source, snakemake.output.provenance)


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
