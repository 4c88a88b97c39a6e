"""The workflow's own rules on a generated Wikipedia-like corpus: wall time, CPU time, peak memory per rule.

    nice -n 10 .venv/bin/python benchmarks/bench_scale.py --tokens 20000000
    nice -n 10 .venv/bin/python benchmarks/bench_scale.py --tokens 200000000 --vocab 10000 20000
    .venv/bin/python benchmarks/bench_scale.py --table results/bench_scale/*   # one table of several runs

The corpus stands in for enwiki500 (docs/scaling.md): parquet shards with a `text` column, one
article per row, a tenth of the rows shorter than 500 tokens (dropped by `min_tokens`, as the
paper drops short articles), the kept ones at least 500 tokens with a long-tailed (log-normal)
length, the longest beyond the 50,000-token piece limit. Words follow a Zipf-Mandelbrot law over
a lexicon that starts with the real English words of gensim's test data (so the benchmarks find
words to score) and goes on with pronounceable pseudo-words; sentences are capitalised and
separated by punctuation, digits and paragraph breaks, so tokenising does the work it does on
Wikipedia. Everything is drawn from `--seed`: the same arguments give the same bytes.

The corpus is read through `source: huggingface, dataset: parquet, data_files: <shards>`, and
Snakemake runs the rules from tokenising to the evaluation of the closed-form embeddings of M*,
PMI and PPMI at the first `--vocab` (the paper's experiment: n_eigenpairs 4096, d = 200), and
counting (plus, with --extra-spectra, the M* spectrum) at every further `--vocab` (the paper's
V = 20k ablation); --no-spectra stops every experiment after counting. The
per-rule figures are Snakemake's `benchmark:` files: `s` (wall), `cpu_time` (all processes of the
job) and `max_rss` (MB, sampled every 0.5 s for a job's first 15 s, then every 30 s). They are
collected into `<workdir>/scale_table.tsv` and printed as a markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
CORPUS = "scale"
MIN_TOKENS = 500
# Kept article lengths: 500 + log-normal(median 700, sigma 1.1), so the mean is about 1,800 and
# about one article in 20,000 exceeds the 50,000-token piece limit.
LENGTH_MEDIAN = 700
LENGTH_SIGMA = 1.1
LONGEST_ARTICLE = 200_000
SHORT_ROW_FRACTION = 0.1
LEXICON_SIZE = 300_000
ZIPF_EXPONENT = 1.05
ZIPF_OFFSET = 2.7
SHARD_TOKENS = 8_000_000
ROWS_PER_GROUP = 1000
MODELS = ("mstar", "ppmi", "pmi")
# Between words: mostly a space, sometimes punctuation, a number or a paragraph break; a word
# after a sentence end is capitalised.
SEPARATORS = (" ", ", ", ". ", "; ", " (1987) ", " - ", ".\n\n", " 42 ")
SEPARATOR_WEIGHTS = (0.855, 0.05, 0.05, 0.01, 0.01, 0.01, 0.01, 0.005)
SENTENCE_ENDS = (2, 6)
_ONSETS = ("b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
           "br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "")  # fmt: skip
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y")
_CODAS = ("", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "rk", "x")
_WORD = re.compile(r"[a-z]+")


def real_words() -> list[str]:
    """The distinct a-z words of gensim's test corpus and word benchmarks, sorted."""
    from gensim.test.utils import datapath

    words: set[str] = set()
    for name in ("lee_background.cor", "questions-words.txt", "wordsim353.tsv", "simlex999.txt"):
        words.update(_WORD.findall(Path(datapath(name)).read_text(encoding="utf-8").lower()))
    return sorted(words)


def pseudo_words(count: int, exclude: set[str], rng: np.random.Generator) -> list[str]:
    """`count` distinct pronounceable words of 1-4 syllables, none in `exclude`."""
    words: list[str] = []
    seen = set(exclude)
    while len(words) < count:
        n = 2 * (count - len(words))
        syllables = rng.choice([1, 2, 3, 4], size=n, p=[0.15, 0.4, 0.3, 0.15])
        onsets = rng.integers(len(_ONSETS), size=(n, 4))
        vowels = rng.integers(len(_VOWELS), size=(n, 4))
        codas = rng.integers(len(_CODAS), size=(n, 4))
        for i in range(n):
            word = "".join(
                _ONSETS[onsets[i, j]] + _VOWELS[vowels[i, j]] + _CODAS[codas[i, j]] for j in range(syllables[i])
            )
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == count:
                    break
    return words


def synthetic_lexicon(size: int, seed: int) -> list[str]:
    """Words by rank: the real words in a seeded order, then pseudo-words."""
    rng = np.random.default_rng([seed, 0])
    real = real_words()
    head = [real[i] for i in rng.permutation(len(real))][:size]
    return head + pseudo_words(size - len(head), set(head), rng)


def article_lengths(n_tokens: int, rng: np.random.Generator) -> np.ndarray:
    """Token counts of the rows: kept ones (>= 500) adding up to n_tokens, short ones interleaved."""
    mean = MIN_TOKENS + LENGTH_MEDIAN * np.exp(LENGTH_SIGMA**2 / 2)
    n_kept = int(n_tokens / mean * 1.2) + 10
    kept = MIN_TOKENS + np.minimum(rng.lognormal(np.log(LENGTH_MEDIAN), LENGTH_SIGMA, n_kept), LONGEST_ARTICLE)
    kept = kept.astype(np.int64)
    ends = np.cumsum(kept)
    n_whole = int(np.searchsorted(ends, n_tokens, side="left"))
    kept = kept[: n_whole + 1]
    kept[-1] = max(MIN_TOKENS, n_tokens - (int(ends[n_whole - 1]) if n_whole else 0))
    n_short = int(len(kept) * SHORT_ROW_FRACTION / (1 - SHORT_ROW_FRACTION))
    lengths = np.concatenate([kept, rng.integers(20, MIN_TOKENS, size=n_short)])
    return lengths[rng.permutation(len(lengths))]


def _zipf_cdf(size: int) -> np.ndarray:
    weights = (np.arange(size) + ZIPF_OFFSET) ** -ZIPF_EXPONENT
    return np.cumsum(weights / weights.sum())


def shard_texts(lengths: np.ndarray, lexicon: np.ndarray, capitalised: np.ndarray, seed: int, shard: int) -> list[str]:
    """The article texts of one shard (rows of `lengths` tokens each)."""
    rng = np.random.default_rng([seed, 1, shard])
    n = int(lengths.sum())
    ids = np.searchsorted(_zipf_cdf(len(lexicon)), rng.random(n), side="right").clip(max=len(lexicon) - 1)
    separator_ids = rng.choice(len(SEPARATORS), size=n, p=SEPARATOR_WEIGHTS)
    starts_sentence = np.isin(np.concatenate([[SENTENCE_ENDS[0]], separator_ids[:-1]]), SENTENCE_ENDS)
    pieces = np.empty(2 * n, dtype=object)
    pieces[0::2] = np.where(starts_sentence, capitalised[ids], lexicon[ids])
    pieces[1::2] = np.asarray(SEPARATORS, dtype=object)[separator_ids]
    bounds = 2 * np.concatenate([[0], np.cumsum(lengths)])
    return ["".join(pieces[start : stop - 1].tolist()) + ".\n" for start, stop in itertools.pairwise(bounds.tolist())]


def shard_groups(lengths: np.ndarray, shard_tokens: int) -> Iterator[np.ndarray]:
    """Consecutive runs of rows holding about shard_tokens tokens each."""
    shard_of_row = np.cumsum(lengths) // shard_tokens
    for shard in np.unique(shard_of_row):
        yield lengths[shard_of_row == shard]


def write_corpus(directory: Path, n_tokens: int, seed: int, shard_tokens: int = SHARD_TOKENS) -> list[Path]:
    """Parquet shards of about n_tokens kept tokens; reused when a manifest of the same request exists."""
    manifest_path = directory / "manifest.json"
    request = {"n_tokens": n_tokens, "seed": seed, "shard_tokens": shard_tokens, "generator": _generator_version()}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest["request"] == request:
            return [directory / name for name in manifest["shards"]]
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 2])
    lengths = article_lengths(n_tokens, rng)
    lexicon_list = synthetic_lexicon(LEXICON_SIZE, seed)
    lexicon = np.asarray(lexicon_list, dtype=object)
    capitalised = np.asarray([word.capitalize() for word in lexicon_list], dtype=object)
    shards = []
    for shard, group in enumerate(shard_groups(lengths, shard_tokens)):
        texts = shard_texts(group, lexicon, capitalised, seed, shard)
        path = directory / f"articles-{shard:05d}.parquet"
        table = pa.table({"id": np.arange(len(texts)) + shard * 10_000_000, "text": texts})
        pq.write_table(table, path, row_group_size=ROWS_PER_GROUP)
        shards.append(path)
    kept = lengths[lengths >= MIN_TOKENS]
    manifest = {
        "request": request,
        "shards": [path.name for path in shards],
        "n_rows": len(lengths),
        "n_rows_kept": len(kept),
        "n_tokens_kept": int(kept.sum()),
        "longest_article": int(kept.max()),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return shards


def _generator_version() -> str:
    """Changes whenever a constant of the generator changes, so an old corpus is not reused."""
    constants = (MIN_TOKENS, LENGTH_MEDIAN, LENGTH_SIGMA, LONGEST_ARTICLE, SHORT_ROW_FRACTION, LEXICON_SIZE,
                 ZIPF_EXPONENT, ZIPF_OFFSET, ROWS_PER_GROUP, SEPARATORS, SEPARATOR_WEIGHTS)  # fmt: skip
    return repr(constants)


def experiment_name(vocab_size: int) -> str:
    return f"scale-v{vocab_size}"


def scale_config(
    shards: Sequence[Path], vocab_sizes: Sequence[int], n_eigenpairs: int, dim: int, models: Sequence[str] = MODELS
) -> dict:
    """A config for the synthetic corpus: `models` at vocab_sizes[0], counts and M* at the others."""
    from gensim.test.utils import datapath

    experiments = {}
    for index, vocab_size in enumerate(vocab_sizes):
        experiments[experiment_name(vocab_size)] = {
            "corpus": CORPUS,
            "vocab_size": vocab_size,
            "dim": min(dim, vocab_size - 1),
            "n_eigenpairs": min(n_eigenpairs, vocab_size),
            "models": list(models) if index == 0 else ["mstar"],
        }
    return {
        "default_experiments": [],
        "paper_experiments": [],
        "corpora": {
            CORPUS: {
                "source": "huggingface",
                "dataset": "parquet",
                "data_files": [str(path) for path in shards],
                "split": "train",
                "text_field": "text",
                "min_tokens": MIN_TOKENS,
            }
        },
        "benchmarks": {
            "analogies": datapath("questions-words.txt"),
            "similarity": {"ws353": datapath("wordsim353.tsv"), "simlex": datapath("simlex999.txt")},
        },
        "experiments": experiments,
    }


def targets(vocab_sizes: Sequence[int], spectra: bool, extra_spectra: bool) -> list[str]:
    """benchmarks.csv of the first experiment (its counts only without `spectra`); the counts
    of the others, with their M* spectrum when `extra_spectra`."""
    first, *others = (f"results/{experiment_name(size)}" for size in vocab_sizes)
    more = "spectrum/mstar_eigvals.npy" if spectra and extra_spectra else "cooccurrence.npy"
    return [f"{first}/benchmarks.csv" if spectra else f"{first}/cooccurrence.npy"] + [f"{o}/{more}" for o in others]


def run_workflow(workdir: Path, config_path: Path, goals: Sequence[str], cores: int, forcerun: Sequence[str]) -> None:
    command = [str(SNAKEMAKE), *goals, "--snakefile", str(ROOT / "Snakefile"), "--directory", str(workdir),
               "--cores", str(cores), "--rerun-triggers", "mtime", f"--configfile={config_path}"]  # fmt: skip
    if forcerun:
        command += ["--forcerun", *forcerun]
    subprocess.run(command, check=True)


def rule_of(benchmark_stem: str) -> str:
    """The Snakemake rule of a benchmark file (compute_spectrum_pmi.tsv -> compute_spectrum)."""
    for rule, prefix in (("evaluate_embedding", "evaluate_"), ("compute_spectrum", "compute_spectrum_"),
                         ("closed_form_embedding", "closed_form_embedding_")):  # fmt: skip
        if benchmark_stem.startswith(prefix):
            return rule
    return benchmark_stem


def read_benchmarks(workdir: Path) -> pd.DataFrame:
    """One row per benchmark file of the run: rule, experiment, s, cpu_time, max_rss (MB)."""
    manifest = json.loads((workdir / "corpus" / "manifest.json").read_text())
    provenance = json.loads((workdir / "resources" / "corpora" / CORPUS / "provenance.json").read_text())
    rows = []
    for path in sorted((workdir / "results" / "benchmarks").rglob("*.tsv")):
        record = pd.read_csv(path, sep="\t").iloc[-1]
        experiment = path.parent.name
        vocab = int(experiment.removeprefix("scale-v")) if experiment.startswith("scale-v") else None
        rows.append(
            {
                "n_tokens": provenance["n_tokens"],
                "requested_tokens": manifest["request"]["n_tokens"],
                "experiment": experiment,
                "vocab_size": vocab,
                "rule": path.stem,
                "snakemake_rule": rule_of(path.stem),
                "wall_s": float(record["s"]),
                "cpu_s": float(record["cpu_time"]),
                "max_rss_mb": pd.to_numeric(record["max_rss"], errors="coerce"),
            }
        )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    lines = ["| tokens | V | rule | wall s | CPU s | peak RSS MB |", "|---:|---:|---|---:|---:|---:|"]
    for row in table.sort_values(["n_tokens", "vocab_size", "rule"], na_position="first").itertuples():
        vocab = "" if pd.isna(row.vocab_size) else f"{int(row.vocab_size):,}"
        rss = "NA" if pd.isna(row.max_rss_mb) else f"{row.max_rss_mb:,.0f}"
        lines.append(f"| {row.n_tokens:,} | {vocab} | {row.rule} | {row.wall_s:,.1f} | {row.cpu_s:,.1f} | {rss} |")
    return "\n".join(lines)


def fit_per_token(table: pd.DataFrame) -> pd.DataFrame:
    """Least-squares `fixed + per_token * N` of wall s, CPU s and peak RSS (bytes) per rule and V."""
    rows = []
    for (rule, vocab), group in table.groupby(["rule", table["vocab_size"].fillna(0)]):
        if group["n_tokens"].nunique() < 2:
            continue
        design = np.column_stack([np.ones(len(group)), group["n_tokens"].to_numpy(dtype=float)])
        row = {"rule": rule, "vocab_size": int(vocab) or None, "sizes": group["n_tokens"].nunique()}
        for name, column, scale in (
            ("wall_s", "wall_s", 1.0),
            ("cpu_s", "cpu_s", 1.0),
            ("rss_bytes", "max_rss_mb", 1e6),
        ):
            values = group[column].to_numpy(dtype=float) * scale
            (fixed, per_token), *_ = np.linalg.lstsq(design, values, rcond=None)
            row[f"{name}_fixed"], row[f"{name}_per_token"] = fixed, per_token
        first, last = group.sort_values("n_tokens").iloc[[0, -1]].itertuples()
        row["wall_per_token_ratio"] = (last.wall_s / last.n_tokens) / (first.wall_s / first.n_tokens)
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: Sequence[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, help="kept tokens of the generated corpus")
    parser.add_argument("--vocab", type=int, nargs="+", default=[10_000], help="vocabulary sizes (first: full chain)")
    parser.add_argument("--n-eigenpairs", type=int, default=4096, help="eigenpairs per matrix (paper: 4096)")
    parser.add_argument("--dim", type=int, default=200, help="closed-form embedding dimension (paper: 200)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), help="closed-form models at the first --vocab")
    parser.add_argument("--no-spectra", action="store_true", help="stop after counting")
    parser.add_argument(
        "--extra-spectra", action="store_true", help="the M* spectrum at every --vocab after the first, too"
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--forcerun", nargs="+", default=[], help="rules to rerun (and everything after them)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="default: results/bench_scale/<tokens>")
    parser.add_argument("--table", type=Path, nargs="+", help="only print the table of these finished workdirs")
    args = parser.parse_args(argv)

    if args.table:
        table = pd.concat([read_benchmarks(workdir) for workdir in args.table], ignore_index=True)
        print(markdown(table))
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(fit_per_token(table).to_string(index=False, float_format=lambda x: f"{x:.4g}"))
        return table
    if args.tokens is None:
        parser.error("give --tokens (or --table)")
    workdir = (args.workdir or ROOT / "results" / "bench_scale" / str(args.tokens)).resolve()
    start = time.perf_counter()
    shards = write_corpus(workdir / "corpus", args.tokens, args.seed)
    print(f"corpus: {len(shards)} shards in {workdir / 'corpus'} ({time.perf_counter() - start:.0f} s)", flush=True)
    config_path = workdir / "scale.yaml"
    config_path.write_text(yaml.safe_dump(scale_config(shards, args.vocab, args.n_eigenpairs, args.dim, args.models)))
    run_workflow(
        workdir, config_path, targets(args.vocab, not args.no_spectra, args.extra_spectra), args.cores, args.forcerun
    )
    table = read_benchmarks(workdir)
    table.to_csv(workdir / "scale_table.tsv", sep="\t", index=False)
    print(markdown(table))
    return table


if __name__ == "__main__":
    main()
