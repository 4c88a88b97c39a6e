# Figures stage: the paper's figures and headline table (PAPER.md section 6), one rule each,
# PDF + PNG + a tidy CSV of the plotted data under results/<experiment>/figures/. An experiment's
# `figures` key maps roles to run names; a figure whose roles are missing is not produced.

FIGURES = "results/{experiment}/figures"
RUN_DIR = "results/{experiment}/runs/{run}"
MODEL_PAIR = ("qwem", "sgns")
INIT_ROLES = ("small_init", "large_init")
ABLATION_ROLES = ("sgns", "quartic", "setting31", "qwem")
TRAINED_RUN_FILES = ("run.json", "evaluations.csv", "singular_values.npy", "theory.csv")
DYNAMICS_RUN_FILES = (
    *TRAINED_RUN_FILES,
    "trace.csv",
    "theory_loss.csv",
    "checkpoints.csv",
    "W.npy",
)
SPECTRUM_DIMS = [128, 256, 512, 1024]
ATLAS_COMPONENTS = 10


def figure_roles(experiment):
    return experiment_config(experiment).get("figures") or {}


def has_models(roles, role, models=MODEL_PAIR):
    return set(models) <= set(roles.get(role, {}))


def figure_names(experiment):
    """The figures this experiment's `figures` roles support (none without the key)."""
    roles = figure_roles(experiment)
    if not roles:
        return []
    names = ["fig3_table", "spectra"]
    if has_models(roles, "small_init", ("qwem",)):
        names.append("feature_atlas")
    if has_models(roles, "small_init"):
        names.append("fig1_dynamics")
    if any(has_models(roles, init) for init in INIT_ROLES):
        names.append("fig2_singular_values")
    if has_models(roles, "large_init"):
        names += ["fig3_directions", "fig5_overlap"]
    if any(role in roles.get("ablation", {}) for role in ABLATION_ROLES):
        names.append("fig7_ablation")
    task_vectors = roles.get("task_vectors", {})
    if "category" in task_vectors:
        names += ["fig4_task_vectors", "fig8_analogy_cosines"]
    if task_vectors.get("more_categories"):
        names.append("fig6_task_vectors_more")
    return names


def figure_targets(experiment: str) -> list[str]:
    """Every figure file the experiment's config supports (for rule all and the paper target)."""
    files = []
    for name in figure_names(experiment):
        stem = f"{FIGURES.format(experiment=experiment)}/{name}"
        files += [f"{stem}.pdf", f"{stem}.png", f"{stem}.csv"]
        if name == "fig3_table":
            files.append(f"{stem}.md")
    return files


def role_runs(wildcards, role, keys):
    """{key: run name} for the keys of figures.<role> present in the config."""
    runs = figure_roles(wildcards.experiment).get(role, {})
    return {key: runs[key] for key in keys if key in runs}


def run_directories(wildcards, role, keys):
    return {
        key: RUN_DIR.format(experiment=wildcards.experiment, run=run)
        for key, run in role_runs(wildcards, role, keys).items()
    }


def run_files(wildcards, role, keys, files):
    """Input files of the runs, named <key>_<file stem> (a role key may be an init role too)."""
    return {
        f"{role}_{key}_{name.split('.')[0]}": f"{directory}/{name}"
        for key, directory in run_directories(wildcards, role, keys).items()
        for name in files
    }


def complete_inits(wildcards):
    """{init role: {model: run directory}} for the init roles naming both QWEM and SGNS runs."""
    roles = figure_roles(wildcards.experiment)
    return {
        init: run_directories(wildcards, init, MODEL_PAIR)
        for init in INIT_ROLES
        if has_models(roles, init)
    }


def init_inputs(wildcards):
    return {
        name: path
        for init in complete_inits(wildcards)
        for name, path in run_files(
            wildcards, init, MODEL_PAIR, TRAINED_RUN_FILES
        ).items()
    }


def run_config_by_name(experiment, run):
    return experiment_config(experiment)["runs"][run]


def task_vector_options(wildcards):
    return figure_roles(wildcards.experiment).get("task_vectors", {})


def large_init_embedding(wildcards, model):
    run = role_runs(wildcards, "large_init", MODEL_PAIR)[model]
    return f"{RUN_DIR.format(experiment=wildcards.experiment, run=run)}/W.npy"


def figure_outputs(name, category, extra=None):
    """PDF, PNG (shown in the Snakemake report with report/<name>.rst) and CSV of a figure."""
    stem = f"{FIGURES}/{name}"
    return {
        "pdf": f"{stem}.pdf",
        "png": report(
            f"{stem}.png",
            caption=f"../report/{name}.rst",
            category="{experiment}",
            subcategory=category,
        ),
        "csv": f"{stem}.csv",
        **(extra or {}),
    }


SPECTRUM = "results/{experiment}/spectrum/{matrix}_{part}.npy"
MSTAR_INPUTS = {
    "eigvals": SPECTRUM.format(
        experiment="{experiment}", matrix="mstar", part="eigvals"
    ),
    "eigvecs": SPECTRUM.format(
        experiment="{experiment}", matrix="mstar", part="eigvecs"
    ),
    "vocab": "results/{experiment}/vocab.tsv",
}


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
