# Helpers of rules/training.smk: each trained run's objective and the runs that share it.

import hashlib

from w2vtheory.training import RunConfig
from w2vtheory.training.reference import objective_name

OBJECTIVE_PATTERN = "(qwem|sgns)-(omniscient|sgns|unigram)(-t[0-9.e+-]+)?"
# A digest of the theory package's files (src/w2vtheory/theory/), a parameter of the rules that
# evaluate the theory: an edit reruns them (seconds) and the figures that use them, never a
# training job. (Snakemake's code trigger sees only a rule's own script, and it does not compare
# the mtime of source files.)
THEORY_CODE_DIGEST = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for path in sorted(
            Path(workflow.basedir, "src", "w2vtheory", "theory").glob("*.py")
        )
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
    experiment = wildcards.experiment
    names = trained_runs(wildcards)
    runs = [path(RUN_DIR, experiment=experiment, run=run) for run in names]
    objectives = sorted({run_objective(experiment, run) for run in names})
    references = [
        path(REFERENCE_DIR, experiment=experiment, objective=objective)
        for objective in objectives
    ]
    return {
        "summaries": [f"{run}/run.json" for run in runs],
        "evaluations": [f"{run}/evaluations.csv" for run in runs],
        "singular_values": [f"{run}/singular_values.csv" for run in runs],
        "W": [f"{run}/W.npy" for run in runs],
        "references": [f"{reference}/reference.json" for reference in references],
        "reference_W": [f"{reference}/W.npy" for reference in references],
        **experiment_counts(experiment),
    }


def run_objectives(wildcards):
    runs = trained_runs(wildcards)
    return [run_objective(wildcards.experiment, run) for run in runs]


def run_settings(wildcards):
    """The settings of every run the experiment trains, in trained_runs order."""
    runs = experiment_config(wildcards.experiment)["runs"]
    return [runs[run] for run in trained_runs(wildcards)]


def rise_time_inputs(wildcards):
    experiment = wildcards.experiment
    runs = [
        path(RUN_DIR, experiment=experiment, run=run) for run in trained_runs(wildcards)
    ]
    return {
        "singular_values": [f"{run}/singular_values.csv" for run in runs],
        "summaries": [f"{run}/run.json" for run in runs],
        "mstar_eigvals": path(
            SPECTRUM, experiment=experiment, matrix="mstar", part="eigvals"
        ),
    }


def rise_time_table_input(wildcards):
    """analysis/rise_times.csv, for experiments that train."""
    if trained_models(experiment_config(wildcards.experiment)):
        return [path(RISE_TIMES, experiment=wildcards.experiment)]
    return []


def convergence_table_input(wildcards):
    """convergence.csv, for experiments that train."""
    if trained_models(experiment_config(wildcards.experiment)):
        return [path(CONVERGENCE, experiment=wildcards.experiment)]
    return []
