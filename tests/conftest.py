"""Shared fixtures: a tiny real-text workflow configuration in a temporary directory."""

from __future__ import annotations

import logging
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from w2vtheory.config import resolve_run

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def run_settings(**settings) -> dict:
    """A run's settings completed from the repository's config.yaml, as the workflow completes them."""
    return resolve_run(yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8")), settings)


def gensim_test_file(name: str) -> Path:
    from gensim.test.utils import datapath

    return Path(datapath(name))


def write_lee_corpus(path: Path) -> Path:
    """The Lee news corpus shipped with gensim (one article per line) as blank-line documents."""
    articles = gensim_test_file("lee_background.cor").read_text(encoding="utf-8").splitlines()
    path.write_text("\n\n".join(line.strip() for line in articles if line.strip()) + "\n", encoding="utf-8")
    return path


def tiny_config(corpus_path: Path) -> dict:
    """tests/config/tiny.yaml with the corpus and benchmark paths filled in."""
    config = yaml.safe_load((ROOT / "tests" / "config" / "tiny.yaml").read_text())
    config["corpora"]["lee"]["path"] = str(corpus_path)
    config["benchmarks"] = {
        "analogies": str(gensim_test_file("questions-words.txt")),
        "similarity": {
            "ws353": str(gensim_test_file("wordsim353.tsv")),
            "simlex": str(gensim_test_file("simlex999.txt")),
        },
    }
    return config


@pytest.fixture
def tiny_workdir(tmp_path: Path) -> Path:
    """A working directory holding a tiny corpus and config.yaml for it."""
    corpus = write_lee_corpus(tmp_path / "lee.txt")
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny_config(corpus)))
    return tmp_path


def run_snakemake(
    workdir: Path, *args: str, timeout: int = 900, snakefile: Path = ROOT / "Snakefile"
) -> subprocess.CompletedProcess:
    """Run the repository's workflow (or the copy at `snakefile`) in `workdir` with its tiny config,
    returning the process."""
    # Targets and flags first: --configfile and --resources take several values.
    command = [
        str(SNAKEMAKE),
        *args,
        "--snakefile",
        str(snakefile),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "tiny.yaml"),
        "--cores",
        "2",
        "--resources",
        "gpu=1",
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=timeout, env=env)


def run_script(script: str, workdir: Path, **fields) -> str:
    """Run scripts/<script>.py as Snakemake would (through script_runner) and return its log text."""
    log = workdir / f"{script}.log"
    snakemake = SimpleNamespace(log=[str(log)], rule=script, threads=1, **fields)
    try:
        runpy.run_path(
            str(ROOT / "scripts" / f"{script}.py"), init_globals={"snakemake": snakemake}, run_name="__main__"
        )
    finally:
        logging.getLogger().setLevel(logging.WARNING)
    return log.read_text(encoding="utf-8")
