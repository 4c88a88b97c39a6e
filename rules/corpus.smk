# Corpus stage: obtain the raw text, then tokenise it once into a store shared by all
# experiments on that corpus (resources/corpora/<corpus>/).


rule fetch_bundled_corpus:
    output:
        source=f"{CORPUS_DIR}/source.txt",
        provenance=f"{CORPUS_DIR}/source_provenance.json",
    log:
        "results/logs/corpora/{corpus}/fetch_bundled_corpus.log",
    benchmark:
        "results/benchmarks/corpora/{corpus}/fetch_bundled_corpus.tsv"
    conda:
        "../envs/corpus.yaml"
    params:
        corpus=lambda wildcards: corpus_config(wildcards.corpus),
    script:
        "../scripts/fetch_bundled_corpus.py"


rule download_corpus:
    output:
        archive=f"{CORPUS_DIR}/download.zip",
    log:
        "results/logs/corpora/{corpus}/download_corpus.log",
    benchmark:
        "results/benchmarks/corpora/{corpus}/download_corpus.tsv"
    conda:
        "../envs/corpus.yaml"
    params:
        corpus=lambda wildcards: corpus_config(wildcards.corpus),
    script:
        "../scripts/download_corpus.py"


rule tokenize_corpus:
    input:
        raw_corpus,
    output:
        **{name: f"{CORPUS_DIR}/{file}" for name, file in CORPUS_STORE_FILES.items()},
        provenance=f"{CORPUS_DIR}/provenance.json",
    log:
        "results/logs/corpora/{corpus}/tokenize_corpus.log",
    benchmark:
        "results/benchmarks/corpora/{corpus}/tokenize_corpus.tsv"
    conda:
        "../envs/corpus.yaml"
    threads: MAX_THREADS
    resources:
        mem_mb=4000,
    params:
        corpus=lambda wildcards: corpus_config(wildcards.corpus),
        name=lambda wildcards: wildcards.corpus,
        input_sha256=raw_corpus_sha256,
    script:
        "../scripts/tokenize_corpus.py"
