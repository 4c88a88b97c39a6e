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
from w2vtheory import memory, scaling
from w2vtheory.evaluation.hyperhyper import HYPERHYPER_SETS
from w2vtheory.corpus.sources import check_corpus_file, corpus_input_sha256
from w2vtheory.corpus.tokenize import corpus_tokenizer
from w2vtheory.errors import check_readable_file

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


# Every file path that rules share, spelled once: rules and input functions fill in the fields
# they know with `path`, the rest stay wildcards (docs/architecture.md describes the files).
CORPUS_DIR = "resources/corpora/{corpus}"
# The token store of a corpus, by input name (w2vtheory.corpus.store).
CORPUS_STORE_FILES = {
    "lexicon": "lexicon.tsv",
    "tokens": "tokens.npy",
    "doc_offsets": "doc_offsets.npy",
}
EXPERIMENT_DIR = "results/{experiment}"
VOCAB = f"{EXPERIMENT_DIR}/vocab.tsv"
TOKENS = f"{EXPERIMENT_DIR}/tokens.npy"
DOC_OFFSETS = f"{EXPERIMENT_DIR}/doc_offsets.npy"
COOCCURRENCE = f"{EXPERIMENT_DIR}/cooccurrence.npy"
COOCCURRENCE_STATS = f"{EXPERIMENT_DIR}/cooccurrence.json"
SPECTRUM = f"{EXPERIMENT_DIR}/spectrum/{{matrix}}_{{part}}.npy"
EMBEDDING = f"{EXPERIMENT_DIR}/embeddings/{{model}}.vec"
MODEL_SCORES = f"{EXPERIMENT_DIR}/evaluation/{{model}}.csv"
MODEL_CATEGORIES = f"{EXPERIMENT_DIR}/evaluation/{{model}}_analogy_categories.csv"
BENCHMARKS = f"{EXPERIMENT_DIR}/benchmarks.csv"
ANALOGY_CATEGORIES = f"{EXPERIMENT_DIR}/analogy_categories.csv"
SUMMARY = f"{EXPERIMENT_DIR}/summary.md"
RUN_DIR = f"{EXPERIMENT_DIR}/runs/{{run}}"
REFERENCE_DIR = f"{EXPERIMENT_DIR}/references/{{objective}}"
CONVERGENCE = f"{EXPERIMENT_DIR}/convergence.csv"
RISE_TIMES = f"{EXPERIMENT_DIR}/analysis/rise_times.csv"
ANALYSIS = f"{EXPERIMENT_DIR}/analysis"
RUN_ANALYSIS = f"{ANALYSIS}/runs/{{run}}"
FIGURES_DIR = f"{EXPERIMENT_DIR}/figures"


class _Wildcards(dict):
    def __missing__(self, key):
        return f"{{{key}}}"


def path(template, **fields):
    """`template` with `fields` filled in; its other {fields} stay Snakemake wildcards."""
    return template.format_map(_Wildcards(fields))


def spectrum_file(matrix, part, experiment="{experiment}"):
    return path(SPECTRUM, experiment=experiment, matrix=matrix, part=part)


# What a job reads to rebuild P(i,j), P(i) and M* (load_corpus_statistics), by input name.
COUNTS = {"vocab": VOCAB, "cooccurrence": COOCCURRENCE, "stats": COOCCURRENCE_STATS}


def experiment_counts(experiment):
    return {name: path(file, experiment=experiment) for name, file in COUNTS.items()}


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


def experiment_tokenizer(wildcards):
    """The tokenizer of the experiment's corpus (benchmark words are normalised the same way)."""
    return corpus_tokenizer(
        corpus_config(experiment_config(wildcards.experiment)["corpus"])
    )


def corpus_store(wildcards):
    """The token store of the experiment's corpus."""
    corpus = experiment_config(wildcards.experiment)["corpus"]
    return {
        name: path(f"{CORPUS_DIR}/{file}", corpus=corpus)
        for name, file in CORPUS_STORE_FILES.items()
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
        return [path(f"{CORPUS_DIR}/source.txt", corpus=wildcards.corpus)]
    if source == "url":
        return [path(f"{CORPUS_DIR}/download.zip", corpus=wildcards.corpus)]
    return []


def raw_corpus_sha256(wildcards):
    """The content of the corpus's input file, a param of tokenize_corpus: Snakemake notices a file
    changed under an unchanged mtime only under 1 MB (--max-checksum-file-size), a changed param always.
    Snakemake evaluates it when the job runs, after a fetched or downloaded file exists.
    """
    return [corpus_input_sha256(path) for path in raw_corpus(wildcards)]


def matrix_mem_mb(copies):
    """Memory for a job holding `copies` (an int, or wildcards -> int) V x V float64 matrices at the
    experiment's V (w2vtheory.memory, which its script checks against)."""

    def mem_mb(wildcards):
        count = copies(wildcards) if callable(copies) else copies
        vocab_size = experiment_config(wildcards.experiment)["vocab_size"]
        return memory.request_mb(vocab_size, count)

    return mem_mb


def modelled_mem_mb(rule_name):
    """Memory for a job of the rule named `rule_name` at the experiment's V, the cost model's peak
    with a margin (w2vtheory.scaling, docs/scaling.md); it does not grow with the corpus.
    """

    def mem_mb(wildcards):
        vocab_size = experiment_config(wildcards.experiment)["vocab_size"]
        return scaling.request_mb(rule_name, vocab_size)

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


def run_config(wildcards):
    experiment = experiment_config(wildcards.experiment)
    if wildcards.run not in experiment["runs"]:
        raise ValueError(
            f"unknown run `{wildcards.run}` in config key `experiments.{wildcards.experiment}.runs`"
        )
    return experiment["runs"][wildcards.run]


def similarity_benchmarks():
    return dict(config["benchmarks"]["similarity"])


def analogy_sets():
    """The further analogy sets, name -> file."""
    return dict(config["benchmarks"].get("analogy_sets", {}))


def benchmark_inputs(wildcards):
    """The Google analogies, each further analogy set `name` as input `analogy_<name>` (similarity
    names cannot start with `analogy`: the schema), and the similarity sets by name; each file that
    exists is checked readable here (one that does not is fetched or reported missing by Snakemake).
    """
    inputs = {
        "analogies": config["benchmarks"]["analogies"],
        **{f"analogy_{name}": path for name, path in analogy_sets().items()},
        **similarity_benchmarks(),
    }
    for name, path in inputs.items():
        if name == "analogies":
            key = "benchmarks.analogies"
        elif (
            name.startswith("analogy_")
            and name.removeprefix("analogy_") in analogy_sets()
        ):
            key = f"benchmarks.analogy_sets.{name.removeprefix('analogy_')}"
        else:
            key = f"benchmarks.similarity.{name}"
        if os.path.lexists(path):
            check_readable_file(
                path, "benchmark file", f"fix `{key}` or the file's permissions"
            )
    return inputs


def hyperhyper_outputs():
    """rule fetch_benchmarks's outputs of the sets it takes from the hyperhyper wheel."""
    return {
        name: f"resources/benchmarks/{file}"
        for name, (_, file, _) in HYPERHYPER_SETS.items()
    }


def experiment_targets(name):
    tables = [BENCHMARKS, ANALOGY_CATEGORIES, SUMMARY]
    return [path(table, experiment=name) for table in tables] + figure_targets(name)


def default_targets():
    return [
        target
        for name in config.get("default_experiments", [])
        for target in experiment_targets(name)
    ]
