# Training stage: SGNS and QWEM runs (docs/paper.md section 3) with their traces and checkpoints,
# the closed-form theory on each run's axes (section 4), each objective's converged value, and
# every run's gap to it. A killed run resumes from runs/<run>/resume/ when rerun.


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
        singular_values="results/{experiment}/runs/{run}/singular_values.csv",
        checkpoints="results/{experiment}/runs/{run}/checkpoints.csv",
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
        # V x V float64 matrices: w2vtheory.memory.TRAINING_MATRICES, or EXACT_ for exact mode
        # and proportional sampling (dense expected-loss tables)
        mem_mb=lambda wildcards: matrix_mem_mb(
            wildcards, 8 if needs_dense_tables(run_config(wildcards)) else 4
        ),
        gpu=lambda wildcards: int(run_config(wildcards)["device"] != "cpu"),
    params:
        run=run_config,
        negative_weight=experiment_param("negative_weight"),
        window=experiment_param("window"),
        dim=experiment_param("dim"),
    script:
        "../scripts/train.py"


rule theory_curves:
    input:
        run="results/{experiment}/runs/{run}/run.json",
        singular_values="results/{experiment}/runs/{run}/singular_values.csv",
        trace="results/{experiment}/runs/{run}/trace.csv",
        mstar_eigvals="results/{experiment}/spectrum/mstar_eigvals.npy",
    output:
        theory="results/{experiment}/runs/{run}/theory.csv",
        theory_loss="results/{experiment}/runs/{run}/theory_loss.csv",
    log:
        "results/logs/{experiment}/theory_curves_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/theory_curves_{run}.tsv"
    conda:
        "../envs/training.yaml"
    params:
        theory_code=THEORY_CODE_DIGEST,
    script:
        "../scripts/theory_curves.py"


# Scheduled ahead of training: the references are each experiment's longest single jobs, and
# run beside the one-thread training jobs instead of after them.
rule converged_reference:
    input:
        vocab="results/{experiment}/vocab.tsv",
        cooccurrence="results/{experiment}/cooccurrence.npy",
        stats="results/{experiment}/cooccurrence.json",
        mstar_eigvals="results/{experiment}/spectrum/mstar_eigvals.npy",
        mstar_eigvecs="results/{experiment}/spectrum/mstar_eigvecs.npy",
        analogies=config["benchmarks"]["analogies"],
    output:
        W="results/{experiment}/references/{objective}/W.npy",
        summary="results/{experiment}/references/{objective}/reference.json",
    log:
        "results/logs/{experiment}/converged_reference_{objective}.log",
    benchmark:
        "results/benchmarks/{experiment}/converged_reference_{objective}.tsv"
    wildcard_constraints:
        objective=OBJECTIVE_PATTERN,
    priority: 10
    conda:
        "../envs/training.yaml"
    threads: MAX_THREADS
    resources:
        # w2vtheory.memory.EXACT_TRAINING_MATRICES V x V float64 matrices
        mem_mb=lambda wildcards: matrix_mem_mb(wildcards, 8),
    params:
        run=objective_run,
        negative_weight=experiment_param("negative_weight"),
        dim=experiment_param("dim"),
        max_iterations=experiment_param("reference_iterations"),
        dtype=experiment_param("reference_dtype"),
    script:
        "../scripts/converged_reference.py"


rule convergence:
    input:
        unpack(convergence_inputs),
    output:
        table="results/{experiment}/convergence.csv",
    log:
        "results/logs/{experiment}/convergence.log",
    benchmark:
        "results/benchmarks/{experiment}/convergence.tsv"
    conda:
        "../envs/training.yaml"
    resources:
        # the dense pair tables of each run's objective, to evaluate its expected loss
        mem_mb=lambda wildcards: matrix_mem_mb(wildcards, 8),
    params:
        runs=trained_runs,
        objectives=run_objectives,
        settings=run_settings,
        negative_weight=experiment_param("negative_weight"),
        dim=experiment_param("dim"),
    script:
        "../scripts/convergence_table.py"
