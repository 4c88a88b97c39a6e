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
    params:
        model=lambda wildcards: wildcards.model,
    log:
        "results/logs/{experiment}/evaluate_{model}.log",
    benchmark:
        "results/benchmarks/{experiment}/evaluate_{model}.tsv"
    conda:
        "../envs/evaluation.yaml"
    script:
        "../scripts/evaluate_embedding.py"


rule collect_benchmarks:
    input:
        scores=lambda wildcards: expand(
            "results/{{experiment}}/evaluation/{model}.csv",
            model=experiment_config(wildcards.experiment)["models"],
        ),
        categories=lambda wildcards: expand(
            "results/{{experiment}}/evaluation/{model}_analogy_categories.csv",
            model=experiment_config(wildcards.experiment)["models"],
        ),
    output:
        benchmarks="results/{experiment}/benchmarks.csv",
        categories="results/{experiment}/analogy_categories.csv",
        summary="results/{experiment}/summary.md",
    params:
        experiment=lambda wildcards: wildcards.experiment,
        corpus=lambda wildcards: experiment_config(wildcards.experiment)["corpus"],
        vocab_size=lambda wildcards: experiment_config(wildcards.experiment)["vocab_size"],
        dim=lambda wildcards: experiment_config(wildcards.experiment)["dim"],
        window=lambda wildcards: experiment_config(wildcards.experiment)["window"],
    log:
        "results/logs/{experiment}/collect_benchmarks.log",
    benchmark:
        "results/benchmarks/{experiment}/collect_benchmarks.tsv"
    conda:
        "../envs/evaluation.yaml"
    script:
        "../scripts/collect_benchmarks.py"
