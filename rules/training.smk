# Training stage: SGNS and QWEM runs (PAPER.md section 3) with their traces, checkpoints and the
# closed-form theory of section 4. A killed run resumes from runs/<run>/resume/ when rerun.

RUN_OUTPUTS = [
    "trace.csv",
    "evaluations.csv",
    "singular_values.npy",
    "checkpoints.csv",
    "theory.csv",
    "theory_loss.csv",
]


rule train_run:
    input:
        tokens="results/{experiment}/tokens.npy",
        doc_offsets="results/{experiment}/doc_offsets.npy",
        vocab="results/{experiment}/vocab.tsv",
        cooccurrence="results/{experiment}/cooccurrence.npy",
        stats="results/{experiment}/cooccurrence.json",
        mstar_eigvals="results/{experiment}/spectrum/mstar_eigvals.npy",
        analogies=config["benchmarks"]["analogies"],
    output:
        W="results/{experiment}/runs/{run}/W.npy",
        trace="results/{experiment}/runs/{run}/trace.csv",
        evaluations="results/{experiment}/runs/{run}/evaluations.csv",
        singular_values="results/{experiment}/runs/{run}/singular_values.npy",
        checkpoints="results/{experiment}/runs/{run}/checkpoints.csv",
        theory="results/{experiment}/runs/{run}/theory.csv",
        theory_loss="results/{experiment}/runs/{run}/theory_loss.csv",
        summary="results/{experiment}/runs/{run}/run.json",
        vec="results/{experiment}/embeddings/{run}.vec",
    log:
        "results/logs/{experiment}/train_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/train_{run}.tsv"
    conda:
        "../envs/training.yaml"
    threads: MAX_THREADS
    resources:
        # M*, the pair weights and the counts as V x V float64, plus the model
        mem_mb=lambda wildcards: matrix_mem_mb(wildcards, 4),
        gpu=lambda wildcards: int(run_config(wildcards)["device"] != "cpu"),
    params:
        run=run_config,
        negative_weight=experiment_param("negative_weight"),
        window=experiment_param("window"),
        dim=experiment_param("dim"),
    script:
        "../scripts/train.py"
