import os
from pathlib import Path

from snakemake.utils import min_version

from w2vtheory.config import (
    CLOSED_FORM_MODELS,
    SPECTRUM_MATRICES,
    resolve_experiment,
    trained_models,
    validate_config,
)
from w2vtheory.corpus.sources import check_corpus_file, corpus_input_sha256
from w2vtheory.errors import check_readable_file
from w2vtheory.scaling import request_mb

min_version("9.0")

# Stop before any job starts when the config is wrong, naming the key.
validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))

NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]*"
CLOSED_FORM_PATTERN = "|".join(CLOSED_FORM_MODELS)
# A run is never a closed-form model (the schema refuses such run names), so train_run is never a
# candidate for embeddings/mstar.vec: had it been one, an error upstream of the closed form (an
# unreadable corpus) would have been reported as "unknown run `mstar`".
RUN_PATTERN = rf"(?!(?:{CLOSED_FORM_PATTERN})(?:/|\.vec$)){NAME_PATTERN}"


wildcard_constraints:
    corpus=NAME_PATTERN,
    experiment=NAME_PATTERN,
    matrix="|".join(SPECTRUM_MATRICES),
    closed_form=CLOSED_FORM_PATTERN,
    run=RUN_PATTERN,
    model=NAME_PATTERN,


# The most threads a job may use; Snakemake caps each job's threads at --cores (and --max-threads).
# Not workflow.cores, which is unset, and raises, under commands without --cores (--report, --lint).
MAX_THREADS = os.cpu_count() or 1


# Downloads run where Snakemake runs: cluster compute nodes often have no internet.
localrules:
    fetch_bundled_corpus,
    download_corpus,
    fetch_benchmarks,


def experiment_config(name):
    return resolve_experiment(config, name)


def experiment_param(key):
    """An input function giving the experiment's (resolved) value of `key`."""
    return lambda wildcards: experiment_config(wildcards.experiment)[key]


def corpus_config(name):
    if name not in config["corpora"]:
        raise ValueError(f"unknown corpus `{name}` (config key `corpora`)")
    return config["corpora"][name]


def corpus_store(wildcards):
    """The token store of the experiment's corpus."""
    corpus = experiment_config(wildcards.experiment)["corpus"]
    return {
        "lexicon": f"resources/corpora/{corpus}/lexicon.tsv",
        "tokens": f"resources/corpora/{corpus}/tokens.npy",
        "doc_offsets": f"resources/corpora/{corpus}/doc_offsets.npy",
    }


def raw_corpus(wildcards):
    """The file the corpus's source needs before tokenising (none for streamed sources)."""
    corpus = corpus_config(wildcards.corpus)
    source = corpus["source"]
    if source == "local":
        # Named here, in one line, before Snakemake meets a missing or unreadable file.
        check_corpus_file(corpus["path"])
        return [corpus["path"]]
    if source == "bundled":
        return [f"resources/corpora/{wildcards.corpus}/source.txt"]
    if source == "url":
        return [f"resources/corpora/{wildcards.corpus}/download.zip"]
    return []


def raw_corpus_sha256(wildcards):
    """The content of the corpus's input file, a param of tokenize_corpus: Snakemake notices a file
    changed under an unchanged mtime only under 1 MB (--max-checksum-file-size), a changed param always.
    Snakemake evaluates it when the job runs, after a fetched or downloaded file exists.
    """
    return [corpus_input_sha256(path) for path in raw_corpus(wildcards)]


def matrix_mem_mb(wildcards, copies):
    """Memory for `copies` V x V float64 matrices plus 1 GB of headroom."""
    vocab_size = experiment_config(wildcards.experiment)["vocab_size"]
    return int(copies * vocab_size**2 * 8 / 1e6) + 1000


def modelled_mem_mb(rule):
    """Memory for a job of `rule` at the experiment's V: the measured cost model's peak with a
    margin (w2vtheory.scaling, docs/scaling.md); it does not grow with the corpus."""

    def mem_mb(wildcards):
        return request_mb(rule, experiment_config(wildcards.experiment)["vocab_size"])

    return mem_mb


def spectrum_gpus(wildcards):
    """Eigensolves ask for a GPU only when the experiment says device: cuda."""
    return int(experiment_config(wildcards.experiment)["device"] == "cuda")


def per_model(pattern):
    """An input function expanding `pattern` over the experiment's models."""
    return lambda wildcards: expand(
        pattern,
        experiment=wildcards.experiment,
        model=experiment_config(wildcards.experiment)["models"],
    )


def needs_dense_tables(run):
    """Whether a run holds the dense expected-loss tables: exact mode or proportional sampling."""
    return run["exact"] or run["pair_sampling"] == "proportional"


def run_config(wildcards):
    experiment = experiment_config(wildcards.experiment)
    if wildcards.run not in experiment["runs"]:
        raise ValueError(
            f"unknown run `{wildcards.run}` in config key `experiments.{wildcards.experiment}.runs`"
        )
    return experiment["runs"][wildcards.run]


def similarity_benchmarks():
    return dict(config["benchmarks"]["similarity"])


def benchmark_inputs(wildcards):
    """The benchmark files, each one that exists checked readable here (one that does not is fetched
    or reported missing by Snakemake)."""
    inputs = {"analogies": config["benchmarks"]["analogies"], **similarity_benchmarks()}
    for name, path in inputs.items():
        key = (
            "benchmarks.analogies"
            if name == "analogies"
            else f"benchmarks.similarity.{name}"
        )
        if os.path.lexists(path):
            check_readable_file(
                path, "benchmark file", f"fix `{key}` or the file's permissions"
            )
    return inputs


def experiment_targets(name):
    prefix = f"results/{name}"
    tables = ["benchmarks.csv", "analogy_categories.csv", "summary.md"]
    return [f"{prefix}/{table}" for table in tables] + figure_targets(name)


def default_targets():
    return [
        target
        for name in config.get("default_experiments", [])
        for target in experiment_targets(name)
    ]
