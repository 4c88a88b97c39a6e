# Helpers of rules/figures.smk: which figures an experiment supports, and their input files.

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
