# Counts stage: the experiment's vocabulary, its in-vocabulary token array and the windowed
# co-occurrence matrix C of docs/paper.md section 2.


rule build_vocab:
    input:
        unpack(corpus_store),
    output:
        vocab=VOCAB,
        tokens=TOKENS,
        doc_offsets=DOC_OFFSETS,
    log:
        "results/logs/{experiment}/build_vocab.log",
    benchmark:
        "results/benchmarks/{experiment}/build_vocab.tsv"
    # every later job of the experiment waits on it (docs/scaling.md, "The default job on 2 cores")
    priority: 20
    conda:
        "../envs/counts.yaml"
    resources:
        mem_mb=4000,
    params:
        vocab_size=experiment_param("vocab_size"),
        corpus=experiment_param("corpus"),
    script:
        "../scripts/build_vocab.py"


rule count_cooccurrence:
    input:
        tokens=TOKENS,
        doc_offsets=DOC_OFFSETS,
        vocab=VOCAB,
    output:
        matrix=COOCCURRENCE,
        stats=COOCCURRENCE_STATS,
    log:
        "results/logs/{experiment}/count_cooccurrence.log",
    benchmark:
        "results/benchmarks/{experiment}/count_cooccurrence.tsv"
    # ahead of the converged references (priority 10), which wait for M*'s eigenvalues
    priority: 20
    conda:
        "../envs/counts.yaml"
    threads: MAX_THREADS
    resources:
        # one V x V accumulator shared by the threads; tokens are read a chunk at a time
        mem_mb=modelled_mem_mb("count_cooccurrence"),
    params:
        window=experiment_param("window"),
    script:
        "../scripts/count_cooccurrence.py"
