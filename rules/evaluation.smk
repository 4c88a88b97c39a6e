# Evaluation stage: analogy and word-similarity scores of every model of an experiment,
# collected into benchmarks.csv and a human-readable summary.


rule fetch_benchmarks:
    output:
        analogies="resources/benchmarks/questions-words.txt",
        men="resources/benchmarks/men.tsv",
        ws353="resources/benchmarks/ws353.tsv",
        simlex="resources/benchmarks/simlex.tsv",
        provenance="resources/benchmarks/provenance.json",
    log:
        "results/logs/benchmarks/fetch_benchmarks.log",
    benchmark:
        "results/benchmarks/benchmarks/fetch_benchmarks.tsv"
    conda:
        "../envs/evaluation.yaml"
    script:
        "../scripts/fetch_benchmarks.py"


rule evaluate_embedding:
    input:
        unpack(benchmark_inputs),
        vec="results/{experiment}/embeddings/{model}.vec",
    output:
        scores="results/{experiment}/evaluation/{model}.csv",
        categories="results/{experiment}/evaluation/{model}_analogy_categories.csv",
    log:
        "results/logs/{experiment}/evaluate_{model}.log",
    benchmark:
        "results/benchmarks/{experiment}/evaluate_{model}.tsv"
    conda:
        "../envs/evaluation.yaml"
    params:
        model=lambda wildcards: wildcards.model,
    script:
        "../scripts/evaluate_embedding.py"


rule collect_benchmarks:
    input:
        scores=per_model("results/{experiment}/evaluation/{model}.csv"),
        categories=per_model(
            "results/{experiment}/evaluation/{model}_analogy_categories.csv"
        ),
        convergence=convergence_table_input,
        rise_times=rise_time_table_input,
    output:
        benchmarks="results/{experiment}/benchmarks.csv",
        categories="results/{experiment}/analogy_categories.csv",
        summary="results/{experiment}/summary.md",
    log:
        "results/logs/{experiment}/collect_benchmarks.log",
    benchmark:
        "results/benchmarks/{experiment}/collect_benchmarks.tsv"
    conda:
        "../envs/evaluation.yaml"
    params:
        experiment=lambda wildcards: wildcards.experiment,
        corpus=experiment_param("corpus"),
        vocab_size=experiment_param("vocab_size"),
        dim=experiment_param("dim"),
        window=experiment_param("window"),
    script:
        "../scripts/collect_benchmarks.py"
