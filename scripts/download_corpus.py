"""Download a zipped text corpus (source: url) and keep it only once verified.

snakemake.output[0]: resources/corpora/<corpus>/download.zip; params.corpus: the corpus config
(url, optional sha256, optional expected_size = byte size of the text member, retries).
"""

from w2vtheory.corpus.download import download_zip
from w2vtheory.script_runner import run


def main(snakemake) -> None:
    corpus = snakemake.params.corpus
    download_zip(
        corpus["url"],
        snakemake.output[0],
        sha256=corpus.get("sha256"),
        expected_size=corpus.get("expected_size"),
        retries=corpus.get("retries", 3),
    )


if __name__ == "__main__":
    run(snakemake, main)  # noqa: F821 (injected by Snakemake)
