"""The scale benchmark (benchmarks/bench_scale.py) at about 1 M tokens, its generated corpus, and the
SLURM profile's requests against the cost model of w2vtheory.scaling (docs/scaling.md)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from w2vtheory import scaling
from w2vtheory.corpus.tokenize import tokenize

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
PAPER_VOCAB = {"enwiki500": 10_000, "enwiki500-ablation": 20_000}


def load_bench_scale():
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "benchmarks" / "bench_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_scale = load_bench_scale()


def shard_texts(shards: list[Path]) -> list[str]:
    return [text for shard in shards for text in pq.read_table(shard).column("text").to_pylist()]


def test_generated_corpus_is_reproducible_and_shaped_like_enwiki500(tmp_path: Path) -> None:
    first = shard_texts(bench_scale.write_corpus(tmp_path / "a", 60_000, seed=3, shard_tokens=20_000))
    again = shard_texts(bench_scale.write_corpus(tmp_path / "b", 60_000, seed=3, shard_tokens=20_000))
    other = shard_texts(bench_scale.write_corpus(tmp_path / "c", 60_000, seed=4, shard_tokens=20_000))
    assert first == again and first != other
    lengths = np.array([len(tokenize(text)) for text in first])
    kept = lengths[lengths >= bench_scale.MIN_TOKENS]
    # Whole articles of at least 500 tokens add up to the request (the last one may overshoot it).
    assert 60_000 <= kept.sum() < 60_000 + bench_scale.MIN_TOKENS
    assert 0 < (lengths < bench_scale.MIN_TOKENS).sum() < len(lengths) / 4  # short rows, dropped by min_tokens
    assert any(text != text.lower() for text in first) and any("\n\n" in text for text in first)


def test_synthetic_lexicon_starts_with_real_words_and_holds_no_duplicates() -> None:
    lexicon = bench_scale.synthetic_lexicon(50_000, seed=0)
    assert len(set(lexicon)) == 50_000 and all(re.fullmatch("[a-z]+", word) for word in lexicon)
    assert {"king", "queen", "paris"} <= set(lexicon[:20_000])


def test_benchmark_runs_the_workflow_from_parquet_to_evaluation(tmp_path: Path) -> None:
    arguments = ["--tokens", "1000000", "--vocab", "1000", "--n-eigenpairs", "32", "--dim", "20", "--models", "mstar"]
    table = bench_scale.main([*arguments, "--workdir", str(tmp_path)])
    expected = {"tokenize_corpus", "build_vocab", "count_cooccurrence", "collect_benchmarks"}
    expected |= {"compute_spectrum_mstar", "closed_form_embedding_mstar", "evaluate_mstar"}
    assert expected <= set(table["rule"])
    assert (table["wall_s"] > 0).all() and table["n_tokens"].between(1_000_000, 1_000_500).all()
    assert (tmp_path / "scale_table.tsv").is_file()
    # Every modelled rule stays within the model's memory at this size.
    modelled = table[table["snakemake_rule"].isin(list(scaling.COSTS))]
    assert set(modelled["snakemake_rule"]) == set(scaling.COSTS)
    for row in modelled.itertuples():
        rule = row.snakemake_rule
        if not np.isnan(row.max_rss_mb):
            vocab = 0 if np.isnan(row.vocab_size) else row.vocab_size
            limit = scaling.REQUEST_MARGIN * scaling.peak_bytes(rule, row.n_tokens, vocab, n_types=300_000) / 1e6
            assert row.max_rss_mb <= limit, (row.rule, row.max_rss_mb, limit)


def dry_run_jobs(workdir: Path, *args: str) -> list[dict]:
    """Jobs of a Snakemake dry run in an empty `workdir`: rule, wildcards, threads and resources of each."""
    command = [str(SNAKEMAKE), "-n", *args, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=workdir).stdout
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \S+:)", output):
        name = re.match(r"(?:local)?rule (\S+):", block)
        if name is None:
            continue
        fields = dict(re.findall(r"^\s+(\w+): (.*)$", block, flags=re.MULTILINE))
        resources = dict(re.findall(r"(\w+)=([^,]+)", fields.get("resources", "")))
        wildcards = dict(re.findall(r"(\w+)=([^,]+)", fields.get("wildcards", "")))
        jobs.append({"rule": name.group(1), "wildcards": wildcards, "threads": int(fields.get("threads", 1)),
                     "resources": resources})  # fmt: skip
    return jobs


def test_slurm_profile_requests_cover_the_cost_model_at_the_paper_scale(tmp_path: Path) -> None:
    profile = str(ROOT / "profiles" / "slurm")
    jobs = dry_run_jobs(tmp_path, "paper", "--profile", profile, "--executor", "local", "--cores", "16")
    checked = set()
    for job in jobs:
        rule, resources = job["rule"], job["resources"]
        if rule == "train_run":
            # The authors: about 2 GPU-hours per 4M-step run (docs/scaling.md).
            assert int(resources["runtime"]) >= 120
            continue
        if rule not in scaling.COSTS:
            continue
        experiment = job["wildcards"].get("experiment")
        vocab = PAPER_VOCAB[experiment] if experiment else max(PAPER_VOCAB.values())
        memory = scaling.peak_bytes(rule, scaling.PAPER_TOKENS, vocab) / 1e6
        minutes = scaling.wall_seconds(rule, scaling.PAPER_TOKENS, vocab, job["threads"]) / 60
        assert int(resources["mem_mb"]) >= memory, (rule, experiment, resources["mem_mb"], memory)
        assert int(resources["runtime"]) >= minutes, (rule, experiment, resources["runtime"], minutes)
        checked.add(rule)
    assert checked == set(scaling.COSTS)


@pytest.mark.parametrize("rule", sorted(scaling.COSTS))
def test_cost_model_grows_with_size(rule: str) -> None:
    small = scaling.peak_bytes(rule, 1e6, 1000), scaling.cpu_seconds(rule, 1e6, 1000)
    large = scaling.peak_bytes(rule, 2e9, 20_000), scaling.cpu_seconds(rule, 2e9, 20_000)
    assert 0 < small[0] <= large[0] and 0 < small[1] <= large[1]
