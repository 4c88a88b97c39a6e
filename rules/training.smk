# Training stage: SGNS and QWEM runs (docs/paper.md section 3) with their traces and checkpoints,
# the closed-form theory on each run's axes (section 4), each objective's converged value, and
# every run's gap to it. A killed run resumes from runs/<run>/resume/ when rerun.


rule train_run:
    input:
        **COUNTS,
        tokens=TOKENS,
        doc_offsets=DOC_OFFSETS,
        mstar_eigvals=spectrum_file("mstar", "eigvals"),
        analogies=config["benchmarks"]["analogies"],
    output:
        W=f"{RUN_DIR}/W.npy",
        trace=f"{RUN_DIR}/trace.csv",
        evaluations=f"{RUN_DIR}/evaluations.csv",
        singular_values=f"{RUN_DIR}/singular_values.csv",
        checkpoints=f"{RUN_DIR}/checkpoints.csv",
        summary=f"{RUN_DIR}/run.json",
        vec=path(EMBEDDING, model="{run}"),
    log:
        "results/logs/{experiment}/train_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/train_{run}.tsv"
    # after the references, before the short jobs, which then fill both cores to the end
    # (docs/scaling.md, "The default job on 2 cores")
    priority: 5
    conda:
        "../envs/training.yaml"
    threads: MAX_THREADS
    resources:
        mem_mb=matrix_mem_mb(
            lambda wildcards: memory.training_copies(
                run_config(wildcards)["exact"], run_config(wildcards)["pair_sampling"]
            )
        ),
        gpu=lambda wildcards: int(run_config(wildcards)["device"] != "cpu"),
    params:
        tokenizer=experiment_tokenizer,
        run=run_config,
        negative_weight=experiment_param("negative_weight"),
        window=experiment_param("window"),
        dim=experiment_param("dim"),
    script:
        "../scripts/train.py"


rule theory_curves:
    input:
        run=f"{RUN_DIR}/run.json",
        singular_values=f"{RUN_DIR}/singular_values.csv",
        trace=f"{RUN_DIR}/trace.csv",
        mstar_eigvals=spectrum_file("mstar", "eigvals"),
    output:
        theory=f"{RUN_DIR}/theory.csv",
        theory_loss=f"{RUN_DIR}/theory_loss.csv",
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
        **COUNTS,
        mstar_eigvals=spectrum_file("mstar", "eigvals"),
        mstar_eigvecs=spectrum_file("mstar", "eigvecs"),
        analogies=config["benchmarks"]["analogies"],
    output:
        W=f"{REFERENCE_DIR}/W.npy",
        summary=f"{REFERENCE_DIR}/reference.json",
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
        mem_mb=matrix_mem_mb(memory.DENSE_TRAINING_COPIES),
    params:
        tokenizer=experiment_tokenizer,
        run=objective_run,
        negative_weight=experiment_param("negative_weight"),
        dim=experiment_param("dim"),
        max_iterations=experiment_param("reference_iterations"),
        dtype=experiment_param("reference_dtype"),
        tolerance=experiment_param("reference_tolerance"),
    script:
        "../scripts/converged_reference.py"


rule convergence:
    input:
        unpack(convergence_inputs),
    output:
        table=CONVERGENCE,
    log:
        "results/logs/{experiment}/convergence.log",
    benchmark:
        "results/benchmarks/{experiment}/convergence.tsv"
    conda:
        "../envs/training.yaml"
    resources:
        # the dense pair tables of each run's objective, to evaluate its expected loss
        mem_mb=matrix_mem_mb(memory.DENSE_TRAINING_COPIES),
    params:
        runs=trained_runs,
        objectives=run_objectives,
        settings=run_settings,
        negative_weight=experiment_param("negative_weight"),
    script:
        "../scripts/convergence_table.py"
