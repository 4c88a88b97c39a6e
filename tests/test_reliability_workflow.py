"""Reliability catalogue, workflow part (docs/troubleshooting.md): bad inputs, an offline download,
kill -9 at each stage, the directory lock and determinism, each through the real `snakemake` on the
tiny Lee corpus. Every run has a timeout, so no test can hang."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, SNAKEMAKE, run_snakemake, tiny_config, write_lee_corpus

pytestmark = pytest.mark.slow

LOCKED = "Directory cannot be locked"
# What `make run` uses: --rerun-incomplete, so a rerun redoes the jobs a kill left unfinished.
LOCAL_PROFILE = ("--profile", str(ROOT / "profiles" / "local"))
UNLOCK_HINT = "It can be removed with the --unlock argument"

# The trainer writes a resume state at most once a minute; a kill a few seconds into a test run
# must find one, so the train job's Python process shortens the interval (nothing else changes).
SHORT_RESUME_INTERVAL = """
import functools, importlib.abc, importlib.util, sys


class ShortResumeInterval(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "w2vtheory.training":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            module.train = functools.partial(module.train, resume_interval_seconds=0.0)

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, ShortResumeInterval())
"""


def workdir_with(tmp_path: Path, change: Callable[[dict], None] = lambda config: None) -> Path:
    """tests/config/tiny.yaml in tmp_path, MEN replaced by a local file (no download), then `change`d."""
    tmp_path.mkdir(exist_ok=True)
    config = tiny_config(write_lee_corpus(tmp_path / "lee.txt"))
    config["benchmarks"]["similarity"]["men"] = config["benchmarks"]["similarity"]["ws353"]
    change(config)
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen | None = None, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"snakemake ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def start_snakemake(tmp_path: Path) -> Iterator[Callable[[Path], subprocess.Popen]]:
    """Start run_snakemake's command in its own process group (to kill -9 it whole); all are
    killed at teardown."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(SHORT_RESUME_INTERVAL)
    started: list[subprocess.Popen] = []

    def start(workdir: Path) -> subprocess.Popen:
        command = [str(SNAKEMAKE), *LOCAL_PROFILE, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
                   "--configfile", str(workdir / "tiny.yaml"), "--cores", "2", "--resources", "gpu=1"]  # fmt: skip
        path = os.pathsep.join(filter(None, [str(hooks), os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": path}
        log = open(workdir / f"snakemake-{len(started)}.log", "w")
        process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)  # fmt: skip
        log.close()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """kill -9 of Snakemake and every job it started."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def temporary_files(workdir: Path) -> list[Path]:
    return [path for path in (workdir / "results").rglob("*") if ".tmp" in path.name]


# --- bad inputs --------------------------------------------------------------------------------------

BAD_CORPORA = {
    "empty": (b"", "is empty"),
    "binary": (b"abc\x00\x01\x02def\n", "binary"),
    "latin1": (b"caf\xe9 cr\xe8me\n", "not UTF-8"),
    "nowords": ("12 34 ... !!\n\n\u00e9\u00e8\n".encode(), "no words"),
}


def test_bad_corpus_files_fail_naming_the_file(tmp_path):
    def bad_corpora(config: dict) -> None:
        for name, (content, _) in BAD_CORPORA.items():
            (tmp_path / f"{name}.txt").write_bytes(content)
            config["corpora"][name] = {"source": "local", "path": str(tmp_path / f"{name}.txt")}

    workdir = workdir_with(tmp_path, bad_corpora)
    targets = [f"resources/corpora/{name}/tokens.npy" for name in BAD_CORPORA]
    process = run_snakemake(workdir, *targets, "--keep-going", timeout=300)
    assert process.returncode != 0
    for name, (_, complaint) in BAD_CORPORA.items():
        lines = [line for line in process.stderr.splitlines() if str(tmp_path / f"{name}.txt") in line]
        assert any(complaint in line for line in lines), (name, lines)
        assert not list((workdir / "resources" / "corpora" / name).glob("*")), name


def _misspell_vocab_size(config: dict) -> None:
    config["experiments"]["tiny"]["vocab_sise"] = config["experiments"]["tiny"].pop("vocab_size")


@pytest.mark.parametrize(
    ("change", "targets", "message"),
    [
        (
            _misspell_vocab_size,
            [],
            "config key `experiments.tiny`: Additional properties are not allowed ('vocab_sise'",
        ),
        (lambda config: config["experiments"]["tiny"].update(corpus="leee"), [], "unknown corpus `leee`"),
        (lambda config: config["experiments"]["tiny"].update(models=["mstar", "glove"]), [], "unknown model `glove`"),
        (lambda config: None, ["results/tinny/benchmarks.csv"], "unknown experiment `tinny`"),
    ],
    ids=["misspelled-key", "unknown-corpus", "unknown-model", "unknown-experiment"],
)
def test_config_mistakes_stop_before_any_job(tmp_path, change, targets, message):
    workdir = workdir_with(tmp_path, change)
    process = run_snakemake(workdir, *targets, timeout=300)
    assert process.returncode != 0
    assert message in process.stderr
    assert not (workdir / "resources").exists() and not (workdir / "results").exists()


# --- downloads -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_offline_download_fails_naming_the_url_and_a_rerun_completes_once_it_is_back(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    with zipfile.ZipFile(served / "lee.zip", "w") as archive:
        archive.write(write_lee_corpus(tmp_path / "lee-source.txt"), "lee.txt")
    port = free_port()
    url = f"http://127.0.0.1:{port}/lee.zip"

    def url_corpus(config: dict) -> None:
        config["corpora"]["web"] = {"source": "url", "url": url, "retries": 0}

    workdir = workdir_with(tmp_path / "work", url_corpus)
    target = "resources/corpora/web/tokens.npy"
    corpus_dir = workdir / "resources" / "corpora" / "web"

    process = run_snakemake(workdir, target, timeout=300)
    assert process.returncode != 0
    assert f"download of {url} failed after 1 attempts" in process.stderr
    assert not corpus_dir.exists() or not list(corpus_dir.iterdir()), "no download.zip and no partial file"

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        process = run_snakemake(workdir, target, timeout=300)
        server.shutdown()
    assert process.returncode == 0, process.stderr[-3000:]
    assert (corpus_dir / "download.zip").read_bytes() == (served / "lee.zip").read_bytes()
    assert np.load(corpus_dir / "tokens.npy").size > 50_000
    # The zip's sha256 (tokenize_corpus's param) is taken once it exists: no second tokenisation.
    process = run_snakemake(workdir, target, "-n", timeout=300)
    assert "Nothing to be done" in process.stdout + process.stderr, process.stderr[-3000:]


# --- kill -9, the lock, reruns ---------------------------------------------------------------------------


def longer_training_with_figures(config: dict) -> None:
    """One SGNS run of 1,200 steps (long enough to kill mid-run) and the figures every experiment has."""
    experiment = config["experiments"]["tiny"]
    experiment["models"] = ["mstar", "sgns"]
    experiment["runs"] = {"sgns": {**experiment["runs"]["sgns"], "steps": 1200, "eval_every": 50}}
    experiment["figures"] = {"feature_atlas": {"components": 3}}


def unlock_after_kill(workdir: Path) -> None:
    """What a user does after a kill -9 (docs/troubleshooting.md): the same command with --unlock."""
    process = run_snakemake(workdir, *LOCAL_PROFILE, "--unlock", timeout=300)
    assert process.returncode == 0, process.stderr[-3000:]


def test_kill_9_during_counting_training_and_figures_then_the_same_command_finishes(tmp_path, start_snakemake):
    workdir = workdir_with(tmp_path, longer_training_with_figures)
    results = workdir / "results" / "tiny"
    logs = workdir / "results" / "logs" / "tiny"

    # 1. kill -9 while counting; the stale lock stops the rerun with the --unlock hint.
    process = start_snakemake(workdir)
    wait_for(lambda: (logs / "count_cooccurrence.log").exists(), "counting to start", process)
    kill_group(process)
    refused = run_snakemake(workdir, *LOCAL_PROFILE, timeout=300)
    assert refused.returncode != 0 and LOCKED in refused.stderr and UNLOCK_HINT in refused.stderr
    unlock_after_kill(workdir)

    # 2. kill -9 in training once a resume state exists.
    resume_state = results / "runs" / "sgns" / "resume" / "state.npz"
    process = start_snakemake(workdir)
    wait_for(resume_state.exists, "a resume state", process)
    kill_group(process)
    assert not (results / "runs" / "sgns" / "W.npy").exists()
    unlock_after_kill(workdir)

    # 3. rerun: while it runs, a second snakemake in the same directory is refused by the lock (without
    #    --rerun-incomplete it may stop earlier, at an output the first is writing, with
    #    IncompleteFilesException); then kill -9 while a figure is rendered.
    process = start_snakemake(workdir)
    locks = workdir / ".snakemake" / "locks"
    wait_for(lambda: locks.exists() and any(locks.iterdir()), "the rerun to take the lock", process)
    # Paused, the first holds the lock however little work its rerun has left.
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        assert process.poll() is None, "the first snakemake must still hold the lock for this check"
        second = run_snakemake(workdir, *LOCAL_PROFILE, timeout=300)
    finally:
        os.killpg(process.pid, signal.SIGCONT)
    assert second.returncode != 0 and LOCKED in second.stderr and UNLOCK_HINT in second.stderr
    # Figures that need no training (the spectra) may have started in step 2 already: wait for the training
    # to resume, then for the table figure, which needs the trained run.
    train_log = logs / "train_sgns.log"
    wait_for(lambda: train_log.exists() and "resuming" in train_log.read_text(), "training to resume", process)
    wait_for((logs / "figures" / "fig3_table.log").exists, "the table figure to start", process)
    kill_group(process)
    assert "from step" in train_log.read_text(), train_log.read_text()[-2000:]
    unlock_after_kill(workdir)

    # 4. The same command finishes, and every output is whole.
    final = run_snakemake(workdir, *LOCAL_PROFILE, timeout=600)
    assert final.returncode == 0, final.stderr[-5000:]
    run = yaml.safe_load((results / "runs" / "sgns" / "run.json").read_text())
    assert 0 < run["resumed_from_step"] < 1200
    assert not resume_state.exists()
    assert np.load(results / "runs" / "sgns" / "W.npy").shape == (400, 16)
    assert np.load(results / "cooccurrence.npy").shape == (400, 400)
    trace = pd.read_csv(results / "runs" / "sgns" / "trace.csv")
    assert trace["step"].tolist() == list(range(0, 1200, 20)), "one trace row per log step, none twice"
    table = pd.read_csv(results / "benchmarks.csv")
    # every benchmark once per model, the contract's four among them
    assert set(table["model"]) == {"mstar", "sgns"} and not table.duplicated(["model", "benchmark"]).any()
    assert len(table) == 2 * table["benchmark"].nunique() and {"analogy", "men", "ws353", "simlex"} <= set(
        table["benchmark"]
    )
    for figure in ("fig3_table", "spectra"):
        for suffix in (".pdf", ".png", ".csv"):
            assert (results / "figures" / f"{figure}{suffix}").stat().st_size > 0, figure + suffix
    # A kill -9 cannot clean up: a leftover temporary file is hidden and matches no output pattern.
    assert all(path.name.startswith(".") for path in temporary_files(workdir)), temporary_files(workdir)


# --- determinism -------------------------------------------------------------------------------------------

DETERMINISTIC_FILES = [
    "vocab.tsv",
    "tokens.npy",
    "cooccurrence.npy",
    "cooccurrence.json",
    *(f"spectrum/{matrix}_{part}.npy" for matrix in ("mstar", "ppmi", "pmi") for part in ("eigvals", "eigvecs")),
    *(f"embeddings/{model}.vec" for model in ("mstar", "ppmi", "pmi", "sgns", "qwem")),
    "runs/sgns/W.npy",
    "runs/qwem/W.npy",
    "benchmarks.csv",
    "analogy_categories.csv",
]


def test_two_clean_runs_give_byte_identical_results(tmp_path):
    outputs = []
    for name in ("first", "second"):
        workdir = workdir_with(tmp_path / name)
        process = run_snakemake(workdir, timeout=600)
        assert process.returncode == 0, process.stderr[-5000:]
        outputs.append({file: (workdir / "results" / "tiny" / file).read_bytes() for file in DETERMINISTIC_FILES})
    different = [file for file in DETERMINISTIC_FILES if outputs[0][file] != outputs[1][file]]
    assert different == []


# --- inputs changed, corrupted or unreadable after a clean run ---------------------------------------------

CLOSED_FORM_FILES = [
    "vocab.tsv",
    "cooccurrence.npy",
    "spectrum/mstar_eigvecs.npy",
    "embeddings/mstar.vec",
    "embeddings/pmi.vec",
    "benchmarks.csv",
    "analogy_categories.csv",
    "summary.md",
]


def closed_forms_on_a_large_corpus(config: dict) -> None:
    """Closed forms only (no training), on the Lee corpus four times over: 1.4 MB, above the 1 MB under
    which Snakemake compares input files by content itself; the path relative, so a copy of the
    working directory is a working directory."""
    lee = Path(config["corpora"]["lee"]["path"])
    lee.write_text("\n".join([lee.read_text(encoding="utf-8")] * 4), encoding="utf-8")
    config["corpora"]["lee"]["path"] = lee.name
    experiment = config["experiments"]["tiny"]
    experiment.update(models=["mstar", "pmi"], figures={})
    experiment.pop("runs")


@pytest.fixture(scope="module")
def clean_closed_form_run(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    workdir = workdir_with(tmp_path_factory.mktemp("clean"), closed_forms_on_a_large_corpus)
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", timeout=600)
    assert process.returncode == 0, process.stderr[-5000:]
    return workdir, {file: (workdir / "results" / "tiny" / file).read_bytes() for file in CLOSED_FORM_FILES}


def copy_of(clean: Path, tmp_path: Path) -> Path:
    """The clean working directory with its Snakemake records, every mtime kept."""
    return Path(shutil.copytree(clean, tmp_path / "work", symlinks=True))


def outputs(workdir: Path) -> dict[str, bytes]:
    return {file: (workdir / "results" / "tiny" / file).read_bytes() for file in CLOSED_FORM_FILES}


def test_a_corpus_changed_under_its_old_mtime_is_recounted_and_restored_gives_the_clean_bytes(
    clean_closed_form_run, tmp_path
):
    """Edited and `touch -r`-ed back to its old mtime, a corpus over 1 MB gave "Nothing to be done", a
    stale vocabulary and a provenance.json whose sha256 no longer matched the file."""
    clean, clean_outputs = clean_closed_form_run
    workdir = copy_of(clean, tmp_path)
    corpus = workdir / "lee.txt"
    original, mtime = corpus.read_bytes(), corpus.stat().st_mtime_ns
    corpus.write_bytes(original.replace(b" the ", b" teh "))
    os.utime(corpus, ns=(mtime, mtime))
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", timeout=600)
    assert process.returncode == 0, process.stderr[-5000:]
    provenance = json.loads((workdir / "resources" / "corpora" / "lee" / "provenance.json").read_text())
    assert provenance["sha256"] == hashlib.sha256(corpus.read_bytes()).hexdigest()
    assert "teh\t" in (workdir / "results" / "tiny" / "vocab.tsv").read_text()

    corpus.write_bytes(original)
    os.utime(corpus, ns=(mtime, mtime))
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", timeout=600)
    assert process.returncode == 0, process.stderr[-5000:]
    restored = outputs(workdir)
    assert [file for file in CLOSED_FORM_FILES if restored[file] != clean_outputs[file]] == []


def test_nan_rows_in_eigenvectors_stop_the_rebuild_naming_them_and_a_rebuilt_file_gives_the_clean_bytes(
    clean_closed_form_run, tmp_path
):
    """Rows of mstar_eigvecs.npy set to NaN (same size) gave NaN rows in mstar.vec, 0.0 % and exit 0."""
    clean, clean_outputs = clean_closed_form_run
    workdir = copy_of(clean, tmp_path)
    eigvecs = workdir / "results" / "tiny" / "spectrum" / "mstar_eigvecs.npy"
    corrupted = np.load(eigvecs)
    corrupted[[3, 7]] = np.nan
    np.save(eigvecs, corrupted)
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", timeout=600)
    assert process.returncode != 0
    assert f"results/tiny/spectrum/mstar_eigvecs.npy holds {2 * corrupted.shape[1]} NaN value(s) in rows 3, 7" in (
        process.stderr
    )
    assert not (workdir / "results" / "tiny" / "embeddings" / "mstar.vec").exists()

    assert "rerun Snakemake with --forcerun results/tiny/spectrum/mstar_eigvecs.npy" in process.stderr
    forced = "results/tiny/spectrum/mstar_eigvecs.npy"
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", "--forcerun", forced, timeout=600)
    assert process.returncode == 0, process.stderr[-5000:]
    rebuilt = outputs(workdir)
    assert [file for file in CLOSED_FORM_FILES if rebuilt[file] != clean_outputs[file]] == []

    # Decided: a deleted intermediate file is not rebuilt while what was made from it is present;
    # --forcerun rebuilds it (docs/troubleshooting.md).
    eigvecs.unlink()
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", "-n", timeout=300)
    assert "Nothing to be done" in process.stdout + process.stderr
    process = run_snakemake(workdir, "results/tiny/benchmarks.csv", "-n", "--forcerun", forced, timeout=300)
    assert "rule compute_spectrum:" in process.stdout + process.stderr


def without_root_override(command: list[str]) -> list[str]:
    """As root, `command` without the capabilities that let root read a chmod 000 file."""
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", *command] if os.geteuid() == 0 else command


@pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None, reason="needs setpriv to drop root's override"
)
@pytest.mark.parametrize("what", ["corpus", "directory", "benchmark", "missing"])
def test_unreadable_or_missing_inputs_are_named_in_one_line_before_any_job(tmp_path, what):
    """chmod 000 on a corpus ended in a traceback asking for write permissions on .snakemake."""
    workdir = workdir_with(tmp_path)
    config = yaml.safe_load((workdir / "tiny.yaml").read_text())
    corpus = Path(config["corpora"]["lee"]["path"])
    if what == "corpus":
        corpus.chmod(0)
        expected = f"cannot read corpus file {corpus}: Permission denied"
    elif what == "directory":
        config["corpora"]["lee"]["path"] = str(tmp_path)
        expected = f"cannot read corpus file {tmp_path}: it is not a regular file"
    elif what == "benchmark":
        simlex = tmp_path / "simlex.txt"
        simlex.write_bytes(Path(config["benchmarks"]["similarity"]["simlex"]).read_bytes())
        simlex.chmod(0)
        config["benchmarks"]["similarity"]["simlex"] = str(simlex)
        expected = f"cannot read benchmark file {simlex}: Permission denied (fix `benchmarks.similarity.simlex`"
    else:
        config["corpora"]["lee"]["path"] = str(tmp_path / "nothere.txt")
        expected = f"corpus file {tmp_path / 'nothere.txt'} does not exist"
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(config))
    command = [str(SNAKEMAKE), "results/tiny/benchmarks.csv", "--snakefile", str(ROOT / "Snakefile"),
               "--directory", str(workdir), "--configfile", str(workdir / "tiny.yaml"), "--cores", "1"]  # fmt: skip
    process = subprocess.run(without_root_override(command), capture_output=True, text=True, timeout=300)
    assert process.returncode != 0
    assert any(expected in line for line in process.stderr.splitlines()), process.stderr[-3000:]
    assert ".snakemake" not in process.stderr and not (workdir / "resources").exists()


def test_a_missing_configfile_is_named_on_the_last_line(tmp_path):
    """Decided: Snakemake reads --configfile before the workflow, so its traceback stays; its last line
    names the file (docs/troubleshooting.md)."""
    missing = tmp_path / "my.yaml"
    command = [str(SNAKEMAKE), "-n", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path),
               "--configfile", str(missing), "--cores", "1"]  # fmt: skip
    process = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    assert process.returncode != 0
    assert str(missing) in process.stdout.strip().splitlines()[-1], process.stdout[-3000:]
