# Figures stage: the paper's figures and headline table (PAPER.md section 6), one rule each,
# PDF + PNG + a tidy CSV of the plotted data under results/<experiment>/figures/. An experiment's
# `figures` key maps roles to run names; a figure whose roles are missing is not produced.


rule fig1_dynamics:
    input:
        unpack(
            lambda wildcards: run_files(
                wildcards, "small_init", MODEL_PAIR, DYNAMICS_RUN_FILES
            )
        ),
        vocab="results/{experiment}/vocab.tsv",
    output:
        **figure_outputs("fig1_dynamics", "Training dynamics"),
    log:
        "results/logs/{experiment}/figures/fig1_dynamics.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig1_dynamics.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        runs=lambda wildcards: run_directories(wildcards, "small_init", MODEL_PAIR),
    script:
        "../scripts/plot_fig1_dynamics.py"


rule fig2_singular_values:
    input:
        unpack(init_inputs),
    output:
        **figure_outputs("fig2_singular_values", "Training dynamics"),
    log:
        "results/logs/{experiment}/figures/fig2_singular_values.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig2_singular_values.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        inits=complete_inits,
    script:
        "../scripts/plot_fig2_singular_values.py"


rule fig3_directions:
    input:
        sgns=lambda wildcards: large_init_embedding(wildcards, "sgns"),
        qwem=lambda wildcards: large_init_embedding(wildcards, "qwem"),
        ppmi_eigvecs="results/{experiment}/spectrum/ppmi_eigvecs.npy",
        vocab="results/{experiment}/vocab.tsv",
    output:
        **figure_outputs("fig3_directions", "Learned features"),
    log:
        "results/logs/{experiment}/figures/fig3_directions.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig3_directions.tsv"
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/plot_fig3_directions.py"


rule fig3_table:
    input:
        benchmarks="results/{experiment}/benchmarks.csv",
    output:
        **figure_outputs(
            "fig3_table",
            "Headline table",
            {"markdown": f"{FIGURES}/fig3_table.md"},
        ),
    log:
        "results/logs/{experiment}/figures/fig3_table.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig3_table.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        settings=lambda wildcards: {
            key: experiment_config(wildcards.experiment)[name]
            for key, name in (
                ("corpus", "corpus"),
                ("vocab_size", "vocab_size"),
                ("dim", "dim"),
                ("window", "window"),
            )
        },
    script:
        "../scripts/plot_fig3_table.py"


rule fig4_task_vectors:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
    output:
        **figure_outputs("fig4_task_vectors", "Linear structure"),
    log:
        "results/logs/{experiment}/figures/fig4_task_vectors.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig4_task_vectors.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        options=lambda wildcards: {
            "category": task_vector_options(wildcards)["category"],
            "sweep_categories": task_vector_options(wildcards).get(
                "more_categories", []
            ),
            "spectrum_dims": task_vector_options(wildcards).get("dims", SPECTRUM_DIMS),
        },
    script:
        "../scripts/plot_fig4_task_vectors.py"


rule fig5_overlap:
    input:
        sgns=lambda wildcards: large_init_embedding(wildcards, "sgns"),
        qwem=lambda wildcards: large_init_embedding(wildcards, "qwem"),
        ppmi_eigvecs="results/{experiment}/spectrum/ppmi_eigvecs.npy",
    output:
        **figure_outputs("fig5_overlap", "Learned features"),
    log:
        "results/logs/{experiment}/figures/fig5_overlap.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig5_overlap.tsv"
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/plot_fig5_overlap.py"


rule fig6_task_vectors_more:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
    output:
        **figure_outputs("fig6_task_vectors_more", "Linear structure"),
    log:
        "results/logs/{experiment}/figures/fig6_task_vectors_more.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig6_task_vectors_more.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        options=lambda wildcards: {
            "categories": task_vector_options(wildcards)["more_categories"],
            "spectrum_dims": task_vector_options(wildcards).get("dims", SPECTRUM_DIMS),
        },
    script:
        "../scripts/plot_fig6_task_vectors_more.py"


rule fig7_ablation:
    input:
        unpack(
            lambda wildcards: run_files(
                wildcards, "ablation", ABLATION_ROLES, TRAINED_RUN_FILES
            )
        ),
    output:
        **figure_outputs("fig7_ablation", "Training dynamics"),
    log:
        "results/logs/{experiment}/figures/fig7_ablation.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig7_ablation.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        runs=lambda wildcards: run_directories(wildcards, "ablation", ABLATION_ROLES),
    script:
        "../scripts/plot_fig7_ablation.py"


rule fig8_analogy_cosines:
    input:
        **MSTAR_INPUTS,
        questions=config["benchmarks"]["analogies"],
    output:
        **figure_outputs("fig8_analogy_cosines", "Linear structure"),
    log:
        "results/logs/{experiment}/figures/fig8_analogy_cosines.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/fig8_analogy_cosines.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        categories=lambda wildcards: [
            task_vector_options(wildcards)["category"],
            *task_vector_options(wildcards).get("more_categories", []),
        ],
    script:
        "../scripts/plot_fig8_analogy_cosines.py"


rule spectra:
    input:
        **{
            matrix: SPECTRUM.format(
                experiment="{experiment}", matrix=matrix, part="eigvals"
            )
            for matrix in ("mstar", "pmi", "ppmi", "pair_weight")
        },
    output:
        **figure_outputs("spectra", "Corpus statistics"),
    log:
        "results/logs/{experiment}/figures/spectra.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/spectra.tsv"
    conda:
        "../envs/plots.yaml"
    script:
        "../scripts/plot_spectra.py"


rule feature_atlas:
    input:
        **MSTAR_INPUTS,
    output:
        **figure_outputs("feature_atlas", "Learned features"),
    log:
        "results/logs/{experiment}/figures/feature_atlas.log",
    benchmark:
        "results/benchmarks/{experiment}/figures/feature_atlas.tsv"
    conda:
        "../envs/plots.yaml"
    params:
        options=lambda wildcards: {
            "init_scale": run_config_by_name(
                wildcards.experiment,
                role_runs(wildcards, "small_init", ("qwem",))["qwem"],
            )["init_scale"],
            "n_components": figure_roles(wildcards.experiment)
            .get("feature_atlas", {})
            .get("components", ATLAS_COMPONENTS),
        },
    script:
        "../scripts/plot_feature_atlas.py"
