"""Tokenise a corpus into resources/corpora/<corpus>/{lexicon.tsv,tokens.npy,doc_offsets.npy,provenance.json}.

snakemake.input: the file the source needs (local: the text file; bundled: source.txt;
url: download.zip; huggingface: nothing). params.corpus: the corpus config; params.name: its name.
"""

from w2vtheory.corpus import tokenize_corpus
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    tokenize_corpus(
        dict(snakemake.params.corpus),
        snakemake.params.name,
        snakemake.input[0] if len(snakemake.input) else None,
        lexicon=snakemake.output.lexicon,
        tokens=snakemake.output.tokens,
        doc_offsets=snakemake.output.doc_offsets,
        provenance=snakemake.output.provenance,
        threads=snakemake.threads,
    )


# Guarded: worker processes started with "spawn" import this file again as __mp_main__.
if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
