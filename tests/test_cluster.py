"""The workflow through SLURM: the tiny experiment run with profiles/slurm-ci on the one-node cluster
that tests/cluster/start-slurm.sh starts gives the same results as a local run, with training routed
to the node's (fake) GPU. The profile checks at the bottom need no cluster."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.conftest import ROOT, SNAKEMAKE, run_snakemake, tiny_config, write_lee_corpus

TEST_ACCOUNT = "w2vtest"  # created by tests/cluster/start-slurm.sh
START_HINT = "start it with `bash tests/cluster/start-slurm.sh` (as root)"
# A misconfigured status query can make Snakemake wait forever: the SLURM run is killed after this.
SLURM_RUN_TIMEOUT_S = 600

# A chain through every kind of job: the token store, the multi-threaded counts, the spectrum of M*,
# a closed-form embedding and a training run (the GPU job), kept short because each SLURM job costs
# about 20 s of submission and polling on top of its work.
TARGETS = ["results/tiny/embeddings/qwem.vec", "results/tiny/embeddings/mstar.vec"]
# Compared between the two runs: the data files on the way (run.json is left out: it holds wall-clock seconds).
COMPARED = [
    "vocab.tsv",
    "tokens.npy",
    "doc_offsets.npy",
    "cooccurrence.npy",
    "cooccurrence.json",
    "spectrum/mstar_eigvals.npy",
    "spectrum/mstar_eigvecs.npy",
    "embeddings/mstar.vec",
    "embeddings/qwem.vec",
    "runs/qwem/W.npy",
    "runs/qwem/singular_values.csv",
    "runs/qwem/trace.csv",
    "runs/qwem/evaluations.csv",
]
TRAINING_RULE = "train_run"


def _command_output(*command: str) -> str | None:
    """stdout of a Slurm client command, or None when it fails or hangs."""
    try:
        process = subprocess.run(command, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return process.stdout if process.returncode == 0 else None


def cluster_unavailable_reason() -> str | None:
    """Why the local test cluster cannot be used, or None when it can."""
    if shutil.which("sinfo") is None:
        return f"Slurm is not installed; {START_HINT}"
    # `scontrol ping` answers at once; sinfo would retry a stopped controller for seconds.
    if _command_output("scontrol", "ping") is None:
        return f"no local Slurm is running (`scontrol ping` finds no controller); {START_HINT}"
    states = _command_output("sinfo", "-h", "-o", "%T")
    if states is None or not set(states.split()) & {"idle", "mixed", "allocated"}:
        return f"no local Slurm is running (sinfo shows no usable node); {START_HINT}"
    accounts = _command_output("sacctmgr", "-n", "-P", "list", "account", "format=account")
    if accounts is None or TEST_ACCOUNT not in accounts.split():
        return f"the running Slurm has no account `{TEST_ACCOUNT}`: it is not the test cluster; {START_HINT}"
    return None


@pytest.fixture(scope="module")
def slurm_cluster() -> None:
    reason = cluster_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


def _prepare_workdir(workdir: Path) -> Path:
    corpus = write_lee_corpus(workdir / "lee.txt")
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(tiny_config(corpus)))
    return workdir


def _run_through_slurm(workdir: Path) -> subprocess.CompletedProcess:
    """The tiny workflow submitted through profiles/slurm-ci, killed (with its jobs) if it hangs."""
    command = [
        str(SNAKEMAKE),
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "tiny.yaml"),
        "--profile",
        str(ROOT / "profiles" / "slurm-ci"),
        *TARGETS,
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    # A session of its own, so a timeout can kill Snakemake and everything it started.
    process = subprocess.Popen(
        command,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=SLURM_RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        subprocess.run(["scancel", "--account", TEST_ACCOUNT], timeout=20)
        pytest.fail(f"the SLURM run did not finish within {SLURM_RUN_TIMEOUT_S} s:\n{output[-5000:]}")
    return subprocess.CompletedProcess(command, process.returncode, output, "")


def _slurm_jobs_of(workdir: Path) -> list[tuple[str, str]]:
    """(rule, requested TRES) of every SLURM job run in `workdir`: the plugin names the rule in the job's comment."""
    listing = _command_output("sacct", "-X", "-n", "-P", "-a", "-S", "now-1days", "-o", "WorkDir,Comment,ReqTRES")
    assert listing is not None, "sacct could not list the jobs"
    jobs = []
    for line in listing.splitlines():
        job_workdir, comment, requested = line.split("|")
        rule = re.fullmatch(r"rule_(\w+?)(?:_wildcards_.*)?", comment)
        if Path(job_workdir) == workdir and rule:
            jobs.append((rule.group(1), requested))
    return jobs


def _assert_same_text_or_numbers(local: Path, cluster: Path) -> None:
    """Text files equal, except that numbers may differ in the last bits (threads sum in another order)."""
    local_text, cluster_text = local.read_text(), cluster.read_text()
    if local_text == cluster_text:
        return
    number = r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
    assert re.sub(number, "#", local_text) == re.sub(number, "#", cluster_text), f"{local.name} differs in text"
    local_numbers = np.array(re.findall(number, local_text), dtype=float)
    cluster_numbers = np.array(re.findall(number, cluster_text), dtype=float)
    np.testing.assert_allclose(cluster_numbers, local_numbers, rtol=1e-6, atol=1e-9, err_msg=local.name)


@pytest.mark.cluster
def test_slurm_run_equals_local_run(slurm_cluster, tmp_path_factory):
    local = _prepare_workdir(tmp_path_factory.mktemp("local"))
    cluster = _prepare_workdir(tmp_path_factory.mktemp("slurm"))

    # The SLURM run mostly waits for status polls: the local run fits in those pauses.
    with ThreadPoolExecutor(max_workers=1) as pool:
        local_run = pool.submit(run_snakemake, local, *TARGETS)
        cluster_run = _run_through_slurm(cluster)
    assert cluster_run.returncode == 0, cluster_run.stdout[-8000:]
    assert local_run.result().returncode == 0, local_run.result().stderr[-5000:]

    local_results, cluster_results = local / "results" / "tiny", cluster / "results" / "tiny"
    for name in COMPARED:
        local_file, cluster_file = local_results / name, cluster_results / name
        assert cluster_file.exists(), f"the SLURM run did not write {name}"
        if name.endswith(".npy"):
            local_array, cluster_array = np.load(local_file), np.load(cluster_file)
            assert cluster_array.dtype == local_array.dtype and cluster_array.shape == local_array.shape, name
            scale = max(float(np.abs(local_array).max()), 1e-300) if local_array.size else 1.0
            np.testing.assert_allclose(cluster_array, local_array, rtol=1e-9, atol=1e-12 * scale, err_msg=name)
        else:
            _assert_same_text_or_numbers(local_file, cluster_file)

    # Every job went through SLURM, and exactly the training jobs asked for (and got) the GPU.
    jobs = _slurm_jobs_of(cluster)
    assert TRAINING_RULE in {rule for rule, _ in jobs}
    for rule, requested in jobs:
        assert ("gres/gpu=1" in requested) == (rule == TRAINING_RULE), f"{rule}: {requested}"


# --- profiles, checked without a cluster ---------------------------------------------------------


def _profile(name: str) -> dict:
    return yaml.safe_load((ROOT / "profiles" / name / "config.yaml").read_text())


def _rules_with_all_cores() -> set[str]:
    """Rules whose threads follow the cores of the machine running Snakemake (`threads: MAX_THREADS`)."""
    rules = set()
    for smk in (ROOT / "rules").glob("*.smk"):
        for name, body in re.findall(r"^rule (\w+):\n((?:[ \t]+.*\n|\n)*)", smk.read_text(), re.MULTILINE):
            if re.search(r"^\s+threads:\s*MAX_THREADS\b", body, re.MULTILINE):
                rules.add(name)
    return rules


def test_slurm_profile_pins_the_threads_of_every_many_core_rule():
    # On a cluster, `MAX_THREADS` would be the login node's core count: the profile must set them.
    rules = _rules_with_all_cores()
    assert TRAINING_RULE in rules
    missing = rules - set(_profile("slurm")["set-threads"])
    assert not missing, f"profiles/slurm/config.yaml: add {sorted(missing)} to set-threads"


def test_slurm_profile_cores_do_not_cap_its_threads():
    for name in ["slurm", "slurm-ci"]:
        profile = _profile(name)
        assert profile["cores"] >= max(profile["set-threads"].values()), f"profiles/{name}: raise `cores`"


def test_ci_profile_mirrors_the_slurm_profile():
    slurm, ci = _profile("slurm"), _profile("slurm-ci")
    assert ci["executor"] == slurm["executor"] == "slurm"
    assert set(ci) - {"slurm-init-seconds-before-status-checks"} == set(slurm)
    assert set(ci["default-resources"]) == set(slurm["default-resources"])
    assert set(ci["set-threads"]) == set(slurm["set-threads"])
    assert set(ci["set-resources"]) == set(slurm["set-resources"])
    assert ci["default-resources"]["slurm_account"] == TEST_ACCOUNT


def test_slurm_profile_leaves_the_site_values_to_edit():
    resources = _profile("slurm")["default-resources"]
    assert resources["slurm_account"].startswith("EDIT_ME")
    assert resources["slurm_partition"].startswith("EDIT_ME")
    # a fixed cpus_per_task would override every rule's threads
    assert "cpus_per_task" not in resources


def test_slurm_profile_is_accepted_by_snakemake():
    """The executor plugin and every profile key parse (a dry run submits nothing)."""
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--profile",
            str(ROOT / "profiles" / "slurm"),
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--dry-run",
            "--quiet",
            "all",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr[-3000:]
