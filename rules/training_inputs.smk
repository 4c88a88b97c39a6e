# Helpers of rules/training.smk: each trained run's objective and the runs that share it.

import hashlib

from w2vtheory.training import RunConfig
from w2vtheory.training.reference import objective_name

OBJECTIVE_PATTERN = "(qwem|sgns)-(omniscient|sgns|unigram)(-t[0-9.e+-]+)?"
# A digest of the closed-form theory's code, a parameter of the rules that evaluate it: an edit
# reruns them (seconds) and the figures that use them, never a training job. (Snakemake's code
# trigger sees only a rule's own script, and it does not compare the mtime of source files.)
THEORY_CODE_DIGEST = hashlib.sha256(
    b"".join(
        Path(workflow.basedir, "src", "w2vtheory", name).read_bytes()
        for name in ("theory.py", "theory_curves.py", "predicted_accuracy.py")
    )
).hexdigest()


def run_objective(experiment, run):
    """The objective name (loss-reweight[-t]) of a run of the experiment."""
    spec = experiment_config(experiment)["runs"][run]
    return objective_name(
        RunConfig.from_mapping(spec, f"experiments.{experiment}.runs.{run}")
    )


def objective_run(wildcards):
    """The settings of the experiment's first trained run with this objective."""
    experiment = experiment_config(wildcards.experiment)
    for run in trained_models(experiment):
        if run_objective(wildcards.experiment, run) == wildcards.objective:
            return experiment["runs"][run]
    raise ValueError(
        f"no run of experiment `{wildcards.experiment}` trains objective `{wildcards.objective}`"
    )


def trained_runs(wildcards):
    """Every run the experiment trains: its trained models, then the runs its figures use."""
    runs = list(trained_models(experiment_config(wildcards.experiment)))
    for role, keys in RUN_ROLES.items():
        runs += [
            run for run in role_runs(wildcards, role, keys).values() if run not in runs
        ]
    return runs


def convergence_inputs(wildcards):
    runs = trained_runs(wildcards)
    run_dir = f"results/{wildcards.experiment}/runs"
    objectives = sorted({run_objective(wildcards.experiment, run) for run in runs})
    return {
        "summaries": [f"{run_dir}/{run}/run.json" for run in runs],
        "evaluations": [f"{run_dir}/{run}/evaluations.csv" for run in runs],
        "singular_values": [f"{run_dir}/{run}/singular_values.csv" for run in runs],
        "W": [f"{run_dir}/{run}/W.npy" for run in runs],
        "references": [
            f"results/{wildcards.experiment}/references/{objective}/reference.json"
            for objective in objectives
        ],
        "reference_W": [
            f"results/{wildcards.experiment}/references/{objective}/W.npy"
            for objective in objectives
        ],
        "vocab": f"results/{wildcards.experiment}/vocab.tsv",
        "cooccurrence": f"results/{wildcards.experiment}/cooccurrence.npy",
        "stats": f"results/{wildcards.experiment}/cooccurrence.json",
        "mstar_eigvals": f"results/{wildcards.experiment}/spectrum/mstar_eigvals.npy",
    }


def run_objectives(wildcards):
    runs = trained_runs(wildcards)
    return [run_objective(wildcards.experiment, run) for run in runs]


def run_settings(wildcards):
    """The settings of every run the experiment trains, in trained_runs order."""
    runs = experiment_config(wildcards.experiment)["runs"]
    return [runs[run] for run in trained_runs(wildcards)]


def rise_time_inputs(wildcards):
    run_dir = f"results/{wildcards.experiment}/runs"
    runs = trained_runs(wildcards)
    return {
        "singular_values": [f"{run_dir}/{run}/singular_values.csv" for run in runs],
        "summaries": [f"{run_dir}/{run}/run.json" for run in runs],
        "mstar_eigvals": f"results/{wildcards.experiment}/spectrum/mstar_eigvals.npy",
    }


def rise_time_table_input(wildcards):
    """analysis/rise_times.csv, for experiments that train."""
    if trained_models(experiment_config(wildcards.experiment)):
        return [f"results/{wildcards.experiment}/analysis/rise_times.csv"]
    return []


def convergence_table_input(wildcards):
    """convergence.csv, for experiments that train."""
    if trained_models(experiment_config(wildcards.experiment)):
        return [f"results/{wildcards.experiment}/convergence.csv"]
    return []
