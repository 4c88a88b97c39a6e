# Analysis stage: the tables the figures draw, each computed once, under
# results/<experiment>/analysis/ (docs/architecture.md, "Figure index"). Plot rules only read them.


rule rise_times:
    input:
        unpack(rise_time_inputs),
    output:
        table=f"{ANALYSIS}/rise_times.csv",
    log:
        "results/logs/{experiment}/analysis/rise_times.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/rise_times.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        runs=trained_runs,
        theory_code=THEORY_CODE_DIGEST,
    script:
        "../scripts/analyse_rise_times.py"


rule task_vector_sweep:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
    output:
        sweep=f"{ANALYSIS}/task_vector_sweep.csv",
    log:
        "results/logs/{experiment}/analysis/task_vector_sweep.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/task_vector_sweep.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        categories=sweep_categories,
    script:
        "../scripts/analyse_task_vector_sweep.py"


rule task_vector_spectra:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
    output:
        spectra=f"{ANALYSIS}/task_vector_spectra.csv",
    log:
        "results/logs/{experiment}/analysis/task_vector_spectra.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/task_vector_spectra.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        categories=spectra_categories,
        dims=lambda wildcards: task_vector_options(wildcards).get("dims", SPECTRUM_DIMS),
        localisation_dim=lambda wildcards: task_vector_options(wildcards).get(
            "localisation_dim", LOCALISATION_DIM
        ),
    script:
        "../scripts/analyse_task_vector_spectra.py"


rule singular_directions:
    input:
        W=f"{RUN_DIR}/W.npy",
    output:
        left=f"{RUN_ANALYSIS}/left_singular_vectors.npy",
        singular_values=f"{RUN_ANALYSIS}/singular_values.npy",
    log:
        "results/logs/{experiment}/analysis/singular_directions_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/singular_directions_{run}.tsv"
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/analyse_singular_directions.py"


rule dynamics_snapshots:
    input:
        singular_values=f"{RUN_DIR}/singular_values.csv",
        checkpoints=f"{RUN_DIR}/checkpoints.csv",
        W=f"{RUN_DIR}/W.npy",
        svd_left=f"{RUN_ANALYSIS}/left_singular_vectors.npy",
        svd_values=f"{RUN_ANALYSIS}/singular_values.npy",
        vocab="results/{experiment}/vocab.tsv",
    output:
        snapshots=f"{RUN_ANALYSIS}/snapshots.csv",
    log:
        "results/logs/{experiment}/analysis/dynamics_snapshots_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/dynamics_snapshots_{run}.tsv"
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/analyse_snapshots.py"


rule principal_words:
    input:
        **PPMI_SPECTRUM,
        vocab="results/{experiment}/vocab.tsv",
        sgns_left=lambda wildcards: run_analysis(
            wildcards, "small_init", "sgns", "left_singular_vectors.npy"
        ),
        sgns_values=lambda wildcards: run_analysis(
            wildcards, "small_init", "sgns", "singular_values.npy"
        ),
        qwem_left=lambda wildcards: run_analysis(
            wildcards, "small_init", "qwem", "left_singular_vectors.npy"
        ),
        qwem_values=lambda wildcards: run_analysis(
            wildcards, "small_init", "qwem", "singular_values.npy"
        ),
    output:
        words=f"{ANALYSIS}/principal_words.csv",
    log:
        "results/logs/{experiment}/analysis/principal_words.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/principal_words.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        dim=experiment_param("dim"),
        n_components=PRINCIPAL_COMPONENTS,
        n_words=PRINCIPAL_WORDS,
    script:
        "../scripts/analyse_principal_words.py"


rule direction_overlaps:
    input:
        sgns_left=lambda wildcards: run_analysis(
            wildcards, "large_init", "sgns", "left_singular_vectors.npy"
        ),
        qwem_left=lambda wildcards: run_analysis(
            wildcards, "large_init", "qwem", "left_singular_vectors.npy"
        ),
        ppmi_eigvecs=PPMI_SPECTRUM["ppmi_eigvecs"],
    output:
        overlaps=f"{ANALYSIS}/overlaps.csv",
    log:
        "results/logs/{experiment}/analysis/direction_overlaps.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/direction_overlaps.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        n_directions=OVERLAP_DIRECTIONS,
    script:
        "../scripts/analyse_overlaps.py"


rule feature_atlas_table:
    input:
        **MSTAR_INPUTS,
    output:
        atlas=f"{ANALYSIS}/feature_atlas.csv",
    log:
        "results/logs/{experiment}/analysis/feature_atlas.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/feature_atlas.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        init_scale=lambda wildcards: run_config_by_name(
            wildcards.experiment,
            role_runs(wildcards, "small_init", ("qwem",))["qwem"],
        )["init_scale"],
        n_components=lambda wildcards: figure_roles(wildcards.experiment)
        .get("feature_atlas", {})
        .get("components", ATLAS_COMPONENTS),
    script:
        "../scripts/analyse_feature_atlas.py"


# Before any training: spectrum, vocabulary, analogies and the run's config only.
rule predict_accuracy:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
    output:
        table=f"{RUN_ANALYSIS}/predicted_accuracy.csv",
    log:
        "results/logs/{experiment}/analysis/predicted_accuracy_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/predicted_accuracy_{run}.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        init_scale=lambda wildcards: run_config(wildcards)["init_scale"],
        dim=experiment_param("dim"),
        theory_code=THEORY_CODE_DIGEST,
    script:
        "../scripts/predict_accuracy.py"


rule predict_accuracy_at_evaluations:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
        evaluations=f"{RUN_DIR}/evaluations.csv",
    output:
        table=f"{RUN_ANALYSIS}/predicted_accuracy_at_evaluations.csv",
    log:
        "results/logs/{experiment}/analysis/predicted_accuracy_at_evaluations_{run}.log",
    benchmark:
        "results/benchmarks/{experiment}/analysis/predicted_accuracy_at_evaluations_{run}.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        init_scale=lambda wildcards: run_config(wildcards)["init_scale"],
        dim=experiment_param("dim"),
        theory_code=THEORY_CODE_DIGEST,
    script:
        "../scripts/predict_accuracy.py"
