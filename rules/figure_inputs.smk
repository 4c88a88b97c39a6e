# Helpers of rules/analysis.smk and rules/figures.smk: the runs playing each figure role, their
# files, the analysis tables, and the figure options from the experiment's `figures` key.

FIGURES_DIR = "results/{experiment}/figures"
ANALYSIS = "results/{experiment}/analysis"
RUN_DIR = "results/{experiment}/runs/{run}"
RUN_ANALYSIS = "results/{experiment}/analysis/runs/{run}"
MODEL_PAIR = ("qwem", "sgns")
INIT_ROLES = ("small_init", "large_init")
ABLATION_ROLES = ("sgns", "quartic", "setting31", "qwem")
# The figure roles that name training runs, and their keys.
RUN_ROLES = {**{init: MODEL_PAIR for init in INIT_ROLES}, "ablation": ABLATION_ROLES}
TRAINED_RUN_FILES = ("run.json", "evaluations.csv", "singular_values.csv", "theory.csv")
DYNAMICS_RUN_FILES = (*TRAINED_RUN_FILES, "trace.csv", "theory_loss.csv")
# Defaults of the `figures` keys (schemas/config.schema.yaml documents each).
SPECTRUM_DIMS = [128, 256, 512, 1024]
LOCALISATION_DIM = 100
ATLAS_COMPONENTS = 10
PRINCIPAL_COMPONENTS = 5
PRINCIPAL_WORDS = 20
OVERLAP_DIRECTIONS = 64


def figure_roles(experiment):
    return experiment_config(experiment).get("figures") or {}


def has_models(roles, role, models=MODEL_PAIR):
    return set(models) <= set(roles.get(role, {}))


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
    """Input files of the runs, named <role>_<key>_<file stem>."""
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


def sweep_categories(wildcards):
    """Fig 4's SNR and accuracy panels and Fig 8: `sweep_categories`, else Fig 4's category."""
    options = task_vector_options(wildcards)
    return options.get("sweep_categories", [options["category"]])


def spectra_categories(wildcards):
    """Fig 4's category and Fig 6's, each once: one spectra table serves both figures."""
    options = task_vector_options(wildcards)
    names = [options.get("category"), *options.get("more_categories", [])]
    return list(dict.fromkeys(name for name in names if name))


def analysis_table(wildcards, table):
    return f"{ANALYSIS.format(experiment=wildcards.experiment)}/{table}"


def run_analysis(wildcards, role, model, table):
    run = role_runs(wildcards, role, (model,))[model]
    return f"{RUN_ANALYSIS.format(experiment=wildcards.experiment, run=run)}/{table}"


def small_init_models(wildcards):
    return list(role_runs(wildcards, "small_init", MODEL_PAIR))


def figure_outputs(name, category, extra=None):
    """PDF, PNG (shown in the Snakemake report with report/<name>.rst) and CSV of a figure."""
    stem = f"{FIGURES_DIR}/{name}"
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
PPMI_SPECTRUM = {
    "ppmi_eigvals": SPECTRUM.format(
        experiment="{experiment}", matrix="ppmi", part="eigvals"
    ),
    "ppmi_eigvecs": SPECTRUM.format(
        experiment="{experiment}", matrix="ppmi", part="eigvecs"
    ),
}


# The figures drawn by scripts/plot_figure.py, each by its own rules/figures.smk job. Per figure,
# subcategory (of the report), available (roles -> bool: does the experiment's `figures` key
# support it), inputs (wildcards -> {name: file}), options (wildcards -> keyword arguments of
# w2vtheory.plots.<name>.tidy_data).
def no_options(wildcards):
    return {}


FIGURES = {
    "fig1_dynamics": {
        "subcategory": "Training dynamics",
        "available": lambda roles: has_models(roles, "small_init"),
        "inputs": lambda wildcards: {
            **run_files(wildcards, "small_init", MODEL_PAIR, DYNAMICS_RUN_FILES),
            **{
                f"{model}_snapshots": run_analysis(
                    wildcards, "small_init", model, "snapshots.csv"
                )
                for model in MODEL_PAIR
            },
        },
        "options": lambda wildcards: {
            "runs": run_directories(wildcards, "small_init", MODEL_PAIR)
        },
    },
    "fig2_singular_values": {
        "subcategory": "Training dynamics",
        "available": lambda roles: any(has_models(roles, init) for init in INIT_ROLES),
        "inputs": init_inputs,
        "options": lambda wildcards: {"inits": complete_inits(wildcards)},
    },
    "fig3_directions": {
        "subcategory": "Learned features",
        "available": lambda roles: has_models(roles, "small_init"),
        "inputs": lambda wildcards: {
            "words": analysis_table(wildcards, "principal_words.csv")
        },
        "options": no_options,
    },
    "fig4_task_vectors": {
        "subcategory": "Linear structure",
        "available": lambda roles: "category" in roles.get("task_vectors", {}),
        "inputs": lambda wildcards: {
            "spectra": analysis_table(wildcards, "task_vector_spectra.csv"),
            "sweep": analysis_table(wildcards, "task_vector_sweep.csv"),
        },
        "options": lambda wildcards: {
            "category": task_vector_options(wildcards)["category"]
        },
    },
    "fig5_overlap": {
        "subcategory": "Learned features",
        "available": lambda roles: has_models(roles, "large_init"),
        "inputs": lambda wildcards: {
            "overlaps": analysis_table(wildcards, "overlaps.csv")
        },
        "options": no_options,
    },
    "fig6_task_vectors_more": {
        "subcategory": "Linear structure",
        "available": lambda roles: bool(
            roles.get("task_vectors", {}).get("more_categories")
        ),
        "inputs": lambda wildcards: {
            "spectra": analysis_table(wildcards, "task_vector_spectra.csv")
        },
        "options": lambda wildcards: {
            "categories": task_vector_options(wildcards)["more_categories"]
        },
    },
    "fig7_ablation": {
        "subcategory": "Training dynamics",
        "available": lambda roles: any(
            role in roles.get("ablation", {}) for role in ABLATION_ROLES
        ),
        "inputs": lambda wildcards: run_files(
            wildcards, "ablation", ABLATION_ROLES, TRAINED_RUN_FILES
        ),
        "options": lambda wildcards: {
            "runs": run_directories(wildcards, "ablation", ABLATION_ROLES)
        },
    },
    "fig8_analogy_cosines": {
        "subcategory": "Linear structure",
        "available": lambda roles: "category" in roles.get("task_vectors", {}),
        "inputs": lambda wildcards: {
            "sweep": analysis_table(wildcards, "task_vector_sweep.csv")
        },
        "options": no_options,
    },
    "spectra": {
        "subcategory": "Corpus statistics",
        "available": lambda roles: True,
        "inputs": lambda wildcards: {
            matrix: SPECTRUM.format(
                experiment=wildcards.experiment, matrix=matrix, part="eigvals"
            )
            for matrix in ("mstar", "pmi", "ppmi", "pair_ratio")
        },
        "options": no_options,
    },
    "feature_atlas": {
        "subcategory": "Learned features",
        "available": lambda roles: has_models(roles, "small_init", ("qwem",)),
        "inputs": lambda wildcards: {
            "atlas": analysis_table(wildcards, "feature_atlas.csv")
        },
        "options": no_options,
    },
    "predicted_accuracy": {
        "subcategory": "Training dynamics",
        "available": lambda roles: bool(
            set(MODEL_PAIR) & set(roles.get("small_init", {}))
        ),
        "inputs": lambda wildcards: {
            f"{model}_{table}": run_analysis(
                wildcards, "small_init", model, f"{stem}.csv"
            )
            for model in small_init_models(wildcards)
            for table, stem in (
                ("prediction", "predicted_accuracy"),
                ("evaluations", "predicted_accuracy_at_evaluations"),
            )
        },
        "options": no_options,
    },
}


def figure_names(experiment):
    """The figures this experiment's `figures` roles support (none without the key), and the table."""
    roles = figure_roles(experiment)
    if not roles:
        return []
    return ["fig3_table"] + [
        name for name, figure in FIGURES.items() if figure["available"](roles)
    ]


def figure_targets(experiment: str) -> list[str]:
    """Every figure file the experiment's config supports (for rule all and the paper target)."""
    files = []
    for name in figure_names(experiment):
        stem = f"{FIGURES_DIR.format(experiment=experiment)}/{name}"
        files += [f"{stem}.pdf", f"{stem}.png", f"{stem}.csv"]
        if name == "fig3_table":
            files.append(f"{stem}.md")
    return files
