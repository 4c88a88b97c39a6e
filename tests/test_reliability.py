"""Reliability catalogue, fast part (docs/troubleshooting.md): bad inputs and faults provoked at the
package and script level, each checked for a message naming what is wrong, a failure, and no output
under its final name. The workflow-level faults (kill -9, locks, reruns, downloads) are in
tests/test_reliability_workflow.py."""

from __future__ import annotations

import bz2
import errno
import gzip
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import yaml
from snakemake.iocontainers import Namedlist

from tests.conftest import ROOT, gensim_test_file, run_script, run_settings
from w2vtheory import atomic, finite, memory
from w2vtheory.closed_form.embeddings import read_vec, write_vec
from w2vtheory.closed_form.statistics import CorpusStatistics, joint_probability, mstar, unigram_probability
from w2vtheory.config import CLOSED_FORM_MODELS, deep_merge, resolve_experiment, validate_config
from w2vtheory.corpus.cooccurrence import count_cooccurrence, count_pairs
from w2vtheory.corpus.sources import local_pieces
from w2vtheory.errors import InputError
from w2vtheory.evaluation.convergence import (
    UNLEARNED_TOLERANCE,
    convergence_markdown,
    convergence_row,
    convergence_table,
)
from w2vtheory.evaluation.datasets import read_analogy_questions, read_similarity
from w2vtheory.evaluation.scoring import evaluate_embedding
from w2vtheory.theory import dynamics
from w2vtheory.training import RunConfig, TrainingProblem, build_objective, train
from w2vtheory.training.loop import checkpoint_steps
from w2vtheory.training.reference import minimised_reference
from w2vtheory.training.resume import RunRecord, SingularValueRow, fingerprint, save_resume

SCHEMA = ROOT / "schemas" / "config.schema.yaml"


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.rglob("*") if ".tmp" in path.name)


# --- configuration ---------------------------------------------------------------------------------


@pytest.fixture
def user_config() -> dict:
    """config.yaml with tests/config/tiny.yaml merged over it, as Snakemake merges a --configfile."""
    default = yaml.safe_load((ROOT / "config.yaml").read_text())
    return deep_merge(default, yaml.safe_load((ROOT / "tests" / "config" / "tiny.yaml").read_text()))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (0, "less than the minimum of 2"),
        (-5, "less than the minimum"),
        ("many", "not of type 'integer'"),
        (12.5, "not of type 'integer'"),
    ],
)
def test_vocab_size_that_is_not_a_count_is_named(user_config, value, problem):
    user_config["experiments"]["tiny"]["vocab_size"] = value
    with pytest.raises(InputError, match="experiments.tiny.vocab_size") as error:
        validate_config(user_config, SCHEMA)
    assert problem in str(error.value) and repr(value) in str(error.value)


@pytest.mark.parametrize(
    ("key", "yaml_value", "problem"),
    [
        ("runs.qwem.steps", "50.0", "50.0 is not an integer: write 50"),
        ("runs.qwem.batch_size", "2000.0", "2000.0 is not an integer: write 2000"),
        ("runs.qwem.seed", "1.0", "1.0 is not an integer: write 1"),
        ("window", "16.0", "16.0 is not an integer: write 16"),
        ("dim", "20.0", "20.0 is not an integer: write 20"),
        ("vocab_size", "1000.0", "1000.0 is not an integer: write 1000"),
        ("runs.qwem.subsample_t", ".inf", "inf is not a finite number"),
        ("pmi_floor", ".inf", "inf is not a finite number"),
        ("runs.qwem.lr", ".nan", "nan is not a finite number"),
        ("negative_weight", ".nan", "nan is not a finite number"),
        ("runs.qwem.lr_schedule", "[[100, .nan]]", "nan is not a finite number"),
        ("runs.qwem.lr_schedule", "{decay_from: 100}", "'decay_steps' is a required property"),
        ("runs.qwem.lr_schedule", "{decay_from: 100, decay_steps: 0}", "decay_steps`: 0 is less than the minimum of 1"),
        (
            "runs.qwem.lr_schedule",
            "{decay_from: 1.0e+2, decay_steps: 5}",
            "decay_from`: 100.0 is not an integer: write 100",
        ),
        ("runs.qwem.init_scale", "1e-6", "YAML reads 1e-6 as text; write 1.0e-6"),
        ("runs.qwem.batch_size", "5e3", "YAML reads 5e3 as text; write 5000"),
    ],
)
def test_numbers_must_be_finite_and_integers_whole_before_any_job(user_config, key, yaml_value, problem):
    """Each value as YAML reads it: JSON Schema alone counts 50.0 as an integer and lets NaN and
    infinity pass every bound, and they failed late (a TypeError in training, a lost run.json)."""
    *parents, leaf = key.split(".")
    node = user_config["experiments"]["tiny"]
    for parent in parents:
        node = node[parent]
    node[leaf] = yaml.safe_load(f"value: {yaml_value}")["value"]
    with pytest.raises(InputError) as error:
        validate_config(user_config, SCHEMA)
    assert f"config key `experiments.tiny.{key}" in str(error.value) and problem in str(error.value)


def test_misspelled_key_lists_the_allowed_keys_rather_than_a_schema_path(user_config, tmp_path):
    """Snakemake may hand the workflow a temporary copy of the schema, deleted after the run."""
    copy = tmp_path / "snakemake-cache" / "config.schema.yaml"
    copy.parent.mkdir()
    copy.write_text(SCHEMA.read_text())
    user_config["experiments"]["tiny"]["runs"]["qwem"]["stpes"] = 10
    with pytest.raises(InputError) as error:
        validate_config(user_config, copy)
    message = str(error.value)
    assert "'stpes' was unexpected" in message and "allowed keys here:" in message and "steps" in message
    assert str(tmp_path) not in message


@pytest.mark.parametrize(("correct", "misspelled"), [("vocab_size", "vocab_sise"), ("window", "windw")])
def test_misspelled_key_is_named_even_when_it_hides_a_required_one(user_config, correct, misspelled):
    experiment = user_config["experiments"]["tiny"]
    experiment[misspelled] = experiment.pop(correct)
    with pytest.raises(InputError, match="experiments.tiny") as error:
        validate_config(user_config, SCHEMA)
    assert f"'{misspelled}'" in str(error.value) and "check the spelling" in str(error.value)


# --- names -------------------------------------------------------------------------------------------------


def _schema() -> dict:
    return yaml.safe_load(SCHEMA.read_text())


def _rename_experiment(config: dict, name: str) -> None:
    config["experiments"][name] = config["experiments"].pop("tiny")
    config["default_experiments"] = [name]


def _rename_run(config: dict, name: str) -> None:
    experiment = config["experiments"]["tiny"]
    experiment["runs"][name] = experiment["runs"].pop("qwem")
    experiment["models"] = [name if model == "qwem" else model for model in experiment["models"]]
    experiment["figures"] = {}


def _add_similarity_set(config: dict, name: str) -> None:
    config["benchmarks"]["similarity"][name] = "extra.txt"


@pytest.mark.parametrize(
    ("rename", "name", "key", "problem"),
    [
        (_rename_experiment, "nl\n", "experiments", "does not match"),
        (_rename_run, "qwem\n", "experiments.tiny.runs", "does not match"),
        (_add_similarity_set, "men\n", "benchmarks.similarity", "does not match"),
        (_rename_experiment, "e" * 256, "experiments", "256 characters is longer than the 200 allowed"),
        (_rename_run, "r" * 236, "experiments.tiny.runs", "236 characters is longer than the 200 allowed"),
        (_add_similarity_set, "s" * 240, "benchmarks.similarity", "longer than the 200 allowed"),
        (_rename_run, "mstar", "experiments.tiny.runs", "`mstar` is a reserved name here"),
        (_rename_experiment, "logs", "experiments", "`logs` is a reserved name here"),
        (_add_similarity_set, "vec", "benchmarks.similarity", "`vec` is a reserved name here"),
        (_add_similarity_set, "analogies", "benchmarks.similarity", "`analogies` is a reserved name here"),
        (_add_similarity_set, "analogy_3cosadd", "benchmarks.similarity", "is a reserved name here"),
        (_add_similarity_set, "keys", "benchmarks.similarity", "`keys` is a reserved name here"),
    ],
)
def test_names_that_break_paths_or_collide_are_refused_before_any_job(user_config, rename, name, key, problem):
    """A trailing newline passed (Python's `$`), a 256-character experiment crashed Snakemake with
    ENAMETOOLONG, a 236-character run failed after training, `vec` was silently dropped and
    `analogies` replaced the analogy file."""
    rename(user_config, name)
    with pytest.raises(InputError) as error:
        validate_config(user_config, SCHEMA)
    assert f"config key `{key}`" in str(error.value) and problem in str(error.value)
    assert "\n" not in str(error.value)


def test_the_longest_names_keep_every_derived_file_name_within_255_bytes(user_config):
    longest = _schema()["$defs"]["name"]["maxLength"]
    _rename_run(user_config, "r" * longest)
    validate_config(user_config, SCHEMA)
    rule_text = "".join(path.read_text() for path in (ROOT / "rules").glob("*.smk"))
    derived = re.findall(r"/([^/\"]*\{(?:run|model|experiment|corpus)\}[^/\"]*)\"", rule_text)
    lengths = [len(name.replace("{run}", "r" * longest).replace("{model}", "r" * longest)) for name in derived]
    temporary = len(atomic.temporary_sibling(Path(f"{'r' * longest}_analogy_categories.csv")).name) + 7
    assert derived and max(*lengths, temporary) <= 255


def test_reserved_names_cover_the_closed_forms_and_snakemake_named_inputs():
    schema = _schema()
    runs = schema["$defs"]["experiment_settings"]["properties"]["runs"]["propertyNames"]
    assert set(runs["not"]["enum"]) == set(CLOSED_FORM_MODELS)
    similarity = schema["properties"]["benchmarks"]["properties"]["similarity"]["propertyNames"]
    reserved = set(similarity["not"]["anyOf"][0]["enum"])
    named_inputs = {name for name in dir(Namedlist) if not name.startswith("_")}
    assert named_inputs <= reserved and "vec" in reserved


# --- disk full -------------------------------------------------------------------------------------


def test_disk_full_while_saving_an_array_says_no_space_left_and_leaves_no_file(tmp_path, monkeypatch):
    """/dev/full fails every write with ENOSPC, as a full disk does; numpy's own writer reported it as
    "N requested and M written", which docs/troubleshooting.md does not list."""
    target = tmp_path / "results" / "cooccurrence.npy"
    monkeypatch.setattr(atomic, "open", lambda path, mode: open("/dev/full", mode), raising=False)
    with pytest.raises(OSError, match="No space left on device") as error:
        atomic.save_npy(target, np.ones((500, 500)))
    assert error.value.errno == errno.ENOSPC
    assert not target.exists() and leftovers(tmp_path) == []


def test_arrays_are_saved_byte_for_byte_as_numpy_saves_them(tmp_path):
    arrays = [np.arange(12.0).reshape(3, 4), np.asfortranarray(np.ones((3, 4))), np.eye(4)[:, ::2], np.int64(3)]
    for number, array in enumerate(arrays):
        atomic.save_npy(tmp_path / f"ours{number}.npy", array)
        np.save(tmp_path / f"numpy{number}.npy", array)
        assert (tmp_path / f"ours{number}.npy").read_bytes() == (tmp_path / f"numpy{number}.npy").read_bytes()


def test_disk_full_while_writing_text_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "embeddings" / "mstar.vec"
    write_vec(target, ["a", "b"], np.eye(2))
    before = target.read_bytes()

    class FullDisk:
        """A text file on a disk that fills up after the first line."""

        def __init__(self, *args, **kwargs):
            self.file = open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def writelines(self, lines):
            self.file.write(next(iter(lines)))
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("w2vtheory.closed_form.embeddings.open", FullDisk, raising=False)
    with pytest.raises(OSError, match="No space left"):
        write_vec(target, ["a", "b"], 2 * np.eye(2))
    assert target.read_bytes() == before and leftovers(tmp_path) == []


# --- memory --------------------------------------------------------------------------------------


def test_available_memory_is_the_tightest_of_machine_cgroup_and_slurm(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       32000000 kB\nMemAvailable:   20000000 kB\n")
    proc_cgroup = tmp_path / "cgroup"
    proc_cgroup.write_text("0::/job\n")
    (tmp_path / "root" / "job").mkdir(parents=True)
    (tmp_path / "root" / "job" / "memory.max").write_text("12000000000\n")
    (tmp_path / "root" / "job" / "memory.current").write_text("2000000000\n")
    paths = dict(meminfo=meminfo, proc_cgroup=proc_cgroup, cgroup_root=tmp_path / "root")
    limit = memory.available_memory(environment={}, **paths)
    assert limit == memory.MemoryLimit(10_000_000_000, "the limit of the job's memory cgroup")
    slurm = memory.available_memory(environment={"SLURM_MEM_PER_CPU": "1000", "SLURM_CPUS_PER_TASK": "4"}, **paths)
    assert slurm.available == 4000 * 2**20 and "Slurm" in slurm.source
    (tmp_path / "root" / "job" / "memory.max").write_text("max\n")
    assert memory.available_memory(environment={}, **paths).available == 20_000_000 * 1024


@pytest.mark.parametrize(
    ("cgroup_path", "directory"), [("/job", "memory/job"), ("/host/path/of/this/container", "memory")]
)
def test_cgroup_v1_memory_limit_is_read(tmp_path, cgroup_path, directory):
    """Also in a container that mounts only its own cgroup, under a path /proc/self/cgroup does not give."""
    (tmp_path / "cgroup").write_text(f"5:cpu:/\n4:memory:{cgroup_path}\n")
    limits = tmp_path / "root" / directory
    limits.mkdir(parents=True)
    (limits / "memory.limit_in_bytes").write_text("3000000000\n")
    (limits / "memory.usage_in_bytes").write_text("1000000000\n")
    limit = memory.available_memory(
        environment={}, meminfo=tmp_path / "none", proc_cgroup=tmp_path / "cgroup", cgroup_root=tmp_path / "root"
    )
    assert limit.available == 2_000_000_000


def test_a_vocabulary_too_large_for_memory_says_how_much_and_what_to_lower():
    limit = memory.MemoryLimit(16_000_000_000, "MemAvailable of this machine")
    memory.check_matrix_memory("the mstar spectrum", 10_000, 5, limit)
    with pytest.raises(InputError) as error:
        memory.check_matrix_memory("the mstar spectrum", 35_000, 5, limit)
    message = str(error.value)
    assert "needs about 49.0 GB" in message and "only 16.0 GB is available (MemAvailable" in message
    allowed = memory.largest_vocab_size(limit.available, 5)
    assert f"`vocab_size` to at most {allowed:,}" in message
    assert memory.matrix_bytes(allowed, 5) <= limit.available < memory.matrix_bytes(allowed + 1, 5)


@pytest.mark.parametrize(
    ("script", "needed", "largest"), [("count_cooccurrence", "1.3 MB", 362), ("compute_spectrum", "6.4 MB", 161)]
)
def test_matrix_jobs_stop_before_allocating_more_than_the_slurm_allocation(
    tmp_path, monkeypatch, script, needed, largest
):
    """At V = 400 one matrix is 1.28 MB, more than a 1 MiB Slurm job has: the job stops with the
    message in its log (it was killed with an empty log, or failed in a numpy allocation)."""
    inputs = _counting_inputs(tmp_path, [[0, 1, 2, 1]], 400)
    np.save(tmp_path / "cooccurrence.npy", np.ones((400, 400)))
    (tmp_path / "cooccurrence.json").write_text(json.dumps({"window": 5, "n_pairs": 6}))
    monkeypatch.setenv("SLURM_MEM_PER_NODE", "1")
    fields = {
        "count_cooccurrence": dict(
            input=SimpleNamespace(**inputs),
            output=SimpleNamespace(matrix=str(tmp_path / "out.npy"), stats=str(tmp_path / "out.json")),
            params=SimpleNamespace(window=5),
        ),
        "compute_spectrum": dict(
            input=SimpleNamespace(
                cooccurrence=str(tmp_path / "cooccurrence.npy"),
                stats=str(tmp_path / "cooccurrence.json"),
                vocab=inputs["vocab"],
            ),
            output=SimpleNamespace(eigvals=str(tmp_path / "out.npy"), eigvecs=str(tmp_path / "vecs.npy")),
            params=SimpleNamespace(matrix="mstar", n_eigenpairs=2, negative_weight=1.0, pmi_floor=1e-25, device="cpu"),
        ),
    }[script]
    with pytest.raises(SystemExit):
        run_script(script, tmp_path, **fields)
    log = (tmp_path / f"{script}.log").read_text()
    assert f"needs about {needed} of memory" in log and "only 1.0 MB is available (the Slurm allocation)" in log
    assert f"lower `vocab_size` to at most {largest}," in log
    assert not (tmp_path / "out.npy").exists()


# --- unexpected errors ------------------------------------------------------------------------------


def test_an_unexpected_error_leaves_its_traceback_in_the_rule_log(tmp_path):
    """A damaged input that no check anticipates: the traceback was printed after stderr had been
    given back to the console, so the rule's log stayed empty."""
    (tmp_path / "cooccurrence.npy").write_bytes(b"\x93NUMPY damaged")
    (tmp_path / "cooccurrence.json").write_text(json.dumps({"window": 5, "n_pairs": 6}))
    (tmp_path / "vocab.tsv").write_text("a\t2\nb\t1\n")
    with pytest.raises(ValueError):
        run_script(
            "compute_spectrum",
            tmp_path,
            input=SimpleNamespace(
                cooccurrence=str(tmp_path / "cooccurrence.npy"),
                stats=str(tmp_path / "cooccurrence.json"),
                vocab=str(tmp_path / "vocab.tsv"),
            ),
            output=SimpleNamespace(eigvals=str(tmp_path / "vals.npy"), eigvecs=str(tmp_path / "vecs.npy")),
            params=SimpleNamespace(matrix="mstar", n_eigenpairs=1, negative_weight=1.0, pmi_floor=1e-25, device="cpu"),
        )
    log = (tmp_path / "compute_spectrum.log").read_text()
    assert log.startswith("Traceback (most recent call last)") and "ValueError" in log
    assert "load_npy(snakemake.input.cooccurrence)" in log


# --- a compressed corpus named like a text file -------------------------------------------------------


@pytest.mark.parametrize(
    ("compress", "kind", "command"), [(gzip.compress, "gzip", "gunzip -c"), (bz2.compress, "bzip2", "bunzip2 -c")]
)
def test_a_compressed_corpus_named_txt_gets_a_decompress_hint(tmp_path, compress, kind, command):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(compress(b"one document\n\nanother document\n"))
    with pytest.raises(InputError) as error:
        list(local_pieces(corpus))
    message = str(error.value)
    assert f"corpus file {corpus} is {kind}-compressed" in message and f"`{command} {corpus} > corpus.txt`" in message
    assert "iconv" not in message


# --- documents shorter than the window -------------------------------------------------------------


def _counting_inputs(tmp_path: Path, documents: list[list[int]], vocab_size: int) -> dict[str, str]:
    tokens = np.array([token for document in documents for token in document], dtype=np.uint16)
    offsets = np.cumsum([0, *map(len, documents)]).astype(np.int64)
    np.save(tmp_path / "tokens.npy", tokens)
    np.save(tmp_path / "doc_offsets.npy", offsets)
    (tmp_path / "vocab.tsv").write_text("".join(f"w{i}\t{(tokens == i).sum()}\n" for i in range(vocab_size)))
    return {
        name: str(tmp_path / f"{name}{suffix}")
        for name, suffix in [("tokens", ".npy"), ("doc_offsets", ".npy"), ("vocab", ".tsv")]
    }


@pytest.mark.parametrize(
    ("documents", "n_pairs", "warnings"),
    [
        ([[0, 1, 2], [2, 1]], 2 * (2 + 1) + 2 * 1, ["reaches across every document (the longest has 3 tokens)"]),
        ([[0], [1], [2], [0]], 0, ["the longest has 1 tokens", "co-occurrence matrix is all zeros"]),
    ],
    ids=["window-longer-than-every-document", "one-word-documents"],
)
def test_window_longer_than_every_document_counts_and_warns(tmp_path, documents, n_pairs, warnings):
    output = SimpleNamespace(matrix=str(tmp_path / "cooccurrence.npy"), stats=str(tmp_path / "cooccurrence.json"))
    log = run_script(
        "count_cooccurrence",
        tmp_path,
        input=SimpleNamespace(**_counting_inputs(tmp_path, documents, 3)),
        output=output,
        params=SimpleNamespace(window=10),
    )
    counts = np.load(output.matrix)
    # Every pair inside a document, weighted window + 1 - distance, in both orders.
    expected = np.zeros((3, 3))
    for document in documents:
        for p, a in enumerate(document):
            for q in range(p + 1, len(document)):
                expected[a, document[q]] += 11 - (q - p)
                expected[document[q], a] += 11 - (q - p)
    np.testing.assert_array_equal(counts, expected)
    assert json.loads(Path(output.stats).read_text())["n_pairs"] == n_pairs
    for warning in warnings:
        assert warning in log


def test_counts_without_pairs_stop_the_spectrum_with_a_reason(tmp_path):
    np.save(tmp_path / "cooccurrence.npy", np.zeros((3, 3)))
    (tmp_path / "cooccurrence.json").write_text(json.dumps({"window": 5, "n_pairs": 0}))
    (tmp_path / "vocab.tsv").write_text("a\t2\nb\t1\nc\t1\n")
    output = SimpleNamespace(eigvals=str(tmp_path / "vals.npy"), eigvecs=str(tmp_path / "vecs.npy"))
    with pytest.raises(SystemExit):
        run_script(
            "compute_spectrum",
            tmp_path,
            input=SimpleNamespace(
                cooccurrence=str(tmp_path / "cooccurrence.npy"),
                stats=str(tmp_path / "cooccurrence.json"),
                vocab=str(tmp_path / "vocab.tsv"),
            ),
            output=output,
            params=SimpleNamespace(matrix="mstar", n_eigenpairs=2, negative_weight=1.0, pmi_floor=1e-25, device="cpu"),
        )
    assert "n_pairs = 0" in (tmp_path / "compute_spectrum.log").read_text()
    assert not Path(output.eigvals).exists() and not Path(output.eigvecs).exists()


# --- a small real corpus: the Lee news articles of gensim's test data ------------------------------


@pytest.fixture(scope="module")
def lee_counts(tmp_path_factory) -> dict:
    """Vocabulary, in-vocabulary tokens, counts and M* of the Lee corpus at V = 400, window 5."""
    vocab_size, window = 400, 5
    articles = gensim_test_file("lee_background.cor").read_text(encoding="utf-8").splitlines()
    documents = [re.findall("[a-z]+", article.lower()) for article in articles if article.strip()]
    frequency = pd.Series([word for document in documents for word in document]).value_counts()
    ordered = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))[:vocab_size]
    words = [word for word, _ in ordered]
    index = {word: i for i, word in enumerate(words)}
    kept = [[index[word] for word in document if word in index] for document in documents]
    tokens = np.array([token for document in kept for token in document], dtype=np.uint16)
    offsets = np.cumsum([0, *map(len, kept)]).astype(np.int64)
    cooccurrence = count_cooccurrence(tokens, offsets, vocab_size, window)
    n_pairs = count_pairs(offsets, window)
    counts = np.array([count for _, count in ordered], dtype=np.float64)
    target = mstar(joint_probability(cooccurrence, n_pairs, window), unigram_probability(counts), 1.0)
    directory = tmp_path_factory.mktemp("lee")
    np.save(directory / "cooccurrence.npy", cooccurrence)
    (directory / "cooccurrence.json").write_text(json.dumps({"window": window, "n_pairs": n_pairs}))
    (directory / "vocab.tsv").write_text("".join(f"{word}\t{count}\n" for word, count in ordered))
    return dict(
        words=words,
        tokens=tokens,
        offsets=offsets,
        cooccurrence=cooccurrence,
        n_pairs=n_pairs,
        window=window,
        mstar=target,
        directory=directory,
    )


def test_negative_eigenvalues_within_dim_are_warned_in_the_log(lee_counts, tmp_path):
    """With d close to V the closed form reaches M*'s negative eigenvalues: the job's log says so."""
    directory = lee_counts["directory"]
    spectrum = SimpleNamespace(eigvals=str(tmp_path / "mstar_eigvals.npy"), eigvecs=str(tmp_path / "mstar_eigvecs.npy"))
    inputs = {"cooccurrence": "cooccurrence.npy", "stats": "cooccurrence.json", "vocab": "vocab.tsv"}
    run_script(
        "compute_spectrum",
        tmp_path,
        input=SimpleNamespace(**{name: str(directory / file) for name, file in inputs.items()}),
        output=spectrum,
        params=SimpleNamespace(matrix="mstar", n_eigenpairs=390, negative_weight=1.0, pmi_floor=1e-25, device="cpu"),
    )
    eigvals = np.load(spectrum.eigvals)
    negative = int((eigvals < 0).sum())
    assert negative > 0, "the test needs negative eigenvalues among the top 390"
    log = run_script(
        "closed_form_embedding",
        tmp_path,
        input=SimpleNamespace(eigvals=spectrum.eigvals, eigvecs=spectrum.eigvecs, vocab=str(directory / "vocab.tsv")),
        output=SimpleNamespace(vec=str(tmp_path / "mstar.vec")),
        params=SimpleNamespace(dim=390),
    )
    assert f"WARNING {negative} of the top 390 eigenvalues are negative" in log
    assert "those directions get weight 0" in log


def test_float32_and_float64_training_give_the_same_benchmark_scores(lee_counts, tmp_path):
    """Exact-mode QWEM from small init until the top 8 modes are learned, in both precisions: every
    benchmark score agrees to 0.02 (one analogy flip out of 10 would be 0.1), the scored counts exactly."""
    words = lee_counts["words"]
    eigvals = np.linalg.eigvalsh(lee_counts["mstar"])[::-1].copy()
    # The exact step grows mode k by a factor 1 + 2 lr eigval_k / ||M*||^2: 1.2 for the top one.
    lr = 0.2 * float(np.sum(lee_counts["mstar"] ** 2)) / (2 * eigvals[0])
    counts = np.bincount(lee_counts["tokens"], minlength=len(words)).astype(np.float64)
    statistics = CorpusStatistics(
        joint_probability(lee_counts["cooccurrence"], lee_counts["n_pairs"], lee_counts["window"]),
        unigram_probability(counts),
        lee_counts["window"],
        lee_counts["n_pairs"],
    )
    problem = TrainingProblem(lee_counts["tokens"], lee_counts["offsets"], statistics, 1.0, 8, eigvals)
    questions = read_analogy_questions(gensim_test_file("questions-words.txt"))
    similarity = {
        "ws353": read_similarity(gensim_test_file("wordsim353.tsv"), name="ws353"),
        "simlex": read_similarity(gensim_test_file("simlex999.txt"), name="simlex"),
    }
    scores = {}
    for dtype in ("float32", "float64"):
        config = RunConfig.from_mapping(
            run_settings(
                loss="qwem",
                reweight="omniscient",
                exact=True,
                lr=lr,
                init_scale=1e-6,
                steps=400,
                dtype=dtype,
                device="cpu",
                log_every=50,
                eval_every=100,
                n_checkpoints=3,
            ),
            "experiments.lee.runs.qwem",
        )
        summary = train(config, problem, tmp_path / dtype, progress=False)
        W = np.load(tmp_path / dtype / "W.npy")
        assert W.dtype == np.dtype(dtype)
        scores[dtype], _ = evaluate_embedding(words, W.astype(np.float64), questions, similarity)
    # Learned: the loss made 90% of its way from 1 to the rank-8 optimum 1/2 + ||M* - M*_8||^2 / (2 ||M*||^2).
    optimum = 1 - float(np.sum(eigvals[:8] ** 2)) / (2 * float(np.sum(lee_counts["mstar"] ** 2)))
    assert summary["final_loss_normalised"] < 1 - 0.9 * (1 - optimum)
    single, double = (scores[dtype].set_index("benchmark") for dtype in ("float32", "float64"))
    assert (single["n"] == double["n"]).all() and double["n"].sum() > 20
    np.testing.assert_allclose(single["score"], double["score"], atol=0.02)


# --- a benchmark none of whose words is in the vocabulary -------------------------------------------


def test_benchmark_without_pairs_in_the_vocabulary_gives_n_zero_and_an_empty_score(tmp_path):
    write_vec(tmp_path / "m.vec", ["man", "woman", "king", "queen"], np.array([[1.0, 0], [1, 0.3], [0.2, 1], [0.5, 1]]))
    (tmp_path / "q.txt").write_text(": family\nman woman king queen\n")
    (tmp_path / "rare.tsv").write_text("zebra\tokapi\t7.5\naardvark\tpangolin\t3\n")
    for model in ("mstar", "sgns"):
        run_script(
            "evaluate_embedding",
            tmp_path,
            input=Namedlist(
                fromdict={
                    "vec": str(tmp_path / "m.vec"),
                    "analogies": str(tmp_path / "q.txt"),
                    "rare": str(tmp_path / "rare.tsv"),
                }
            ),
            output=SimpleNamespace(scores=tmp_path / f"{model}.csv", categories=tmp_path / f"{model}_cat.csv"),
            params=SimpleNamespace(model=model, analogy_sets=[], tokenizer="ascii"),
        )
    run_script(
        "collect_benchmarks",
        tmp_path,
        input=SimpleNamespace(
            scores=[tmp_path / "mstar.csv", tmp_path / "sgns.csv"],
            categories=[tmp_path / "mstar_cat.csv", tmp_path / "sgns_cat.csv"],
            convergence=[],
            rise_times=[],
        ),
        output=SimpleNamespace(
            benchmarks=tmp_path / "benchmarks.csv",
            categories=tmp_path / "categories.csv",
            summary=tmp_path / "summary.md",
        ),
        params=SimpleNamespace(experiment="e", corpus="c", vocab_size=4, dim=2, window=3),
    )
    text = (tmp_path / "benchmarks.csv").read_text()
    assert "mstar,rare,,0,0.0,spearman\n" in text and "sgns,rare,,0,0.0,spearman\n" in text
    assert "mstar,analogy,1.0,2," in text
    for output in ("benchmarks.csv", "categories.csv", "summary.md"):
        assert "nan" not in (tmp_path / output).read_text().lower(), output
    assert "n/a" in (tmp_path / "summary.md").read_text()


# --- learning-rate schedule --------------------------------------------------------------------------------


@pytest.mark.parametrize("decay_from", [500, 40, 30, 25])
def test_inverse_time_anneal_takes_the_last_steps_whatever_decay_from_is(decay_from):
    """A decay_from at or past the anneal's start dropped the anneal: 40 steps at the full rate."""
    schedule = dynamics.inverse_time_schedule(decay_from, decay_steps=10, anneal_steps=20, steps=40)
    rates = dynamics.learning_rate(np.arange(40), 1.0, schedule)
    assert np.all(rates[:20] == 1.0)
    assert np.all(rates[20:30] == pytest.approx(0.3)) and np.all(rates[30:] == pytest.approx(0.1))


def test_inverse_time_anneal_longer_than_the_run_takes_the_whole_run():
    rates = dynamics.learning_rate(np.arange(40), 1.0, dynamics.inverse_time_schedule(0, 10, 100, 40))
    assert np.all(rates[:20] == pytest.approx(0.3)) and np.all(rates[20:] == pytest.approx(0.1))


# --- convergence verdict -------------------------------------------------------------------------------------


def _verdict(loss: float, reference_loss: float = 0.7, accuracy: float = 0.01, change: float = 0.0) -> dict:
    evaluations = pd.DataFrame({"step": [0, 27, 30], "time": [0.0, 1.0, 1.1], "analogy_accuracy": [0.0, 0.0, accuracy]})
    singular = pd.DataFrame({"step": [0, 27, 30], "time": [0.0, 1.0, 1.1], "s1": [1e-5, 1e-5, 1e-5 * (1 + change)]})
    return convergence_row("qwem", "qwem-omniscient", {"wall_seconds": 1.0}, evaluations, singular, 0.01, loss,
                           reference_loss, True)  # fmt: skip


def test_a_run_that_learned_nothing_is_not_converged():
    """dim 1, 30 exact steps from 1e-6: no analogy gap, still singular values, 100 % unlearned; it was
    called converged."""
    row = _verdict(loss=1.0)
    assert row["unlearned_fraction"] == pytest.approx(1.0) and row["gap"] == 0 and not row["converged"]
    assert f"at most {100 * UNLEARNED_TOLERANCE:.0f} % unlearned" in convergence_markdown(convergence_table([row]))
    assert _verdict(loss=0.7 + 0.3 * UNLEARNED_TOLERANCE / 2)["converged"]


@pytest.mark.parametrize(
    "numbers", [{"loss": np.nan}, {"loss": 0.7, "reference_loss": np.nan}, {"loss": 0.7, "accuracy": np.nan}]
)
def test_no_verdict_is_converged_about_a_non_finite_number(numbers):
    assert not _verdict(**numbers)["converged"]


# --- non-finite values -----------------------------------------------------------------------------------------


def _nan_rows(array: np.ndarray, rows: list[int]) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array[rows] = np.nan
    return array


def test_eigenvectors_with_nan_rows_stop_the_closed_form_embedding_naming_file_and_rows(tmp_path):
    """Rows of mstar_eigvecs.npy set to NaN gave NaN rows in mstar.vec and a 0.0 % analogy score, exit 0."""
    words = [f"w{index}" for index in range(6)]
    (tmp_path / "vocab.tsv").write_text("".join(f"{word}\t{10 - index}\n" for index, word in enumerate(words)))
    eigvecs = _nan_rows(np.linalg.qr(np.random.default_rng(0).standard_normal((6, 3)))[0], [1, 4])
    np.save(tmp_path / "eigvecs.npy", eigvecs)
    np.save(tmp_path / "eigvals.npy", np.array([3.0, 2.0, 1.0]))
    with pytest.raises(SystemExit):
        run_script(
            "closed_form_embedding",
            tmp_path,
            input=SimpleNamespace(
                eigvals=str(tmp_path / "eigvals.npy"),
                eigvecs=str(tmp_path / "eigvecs.npy"),
                vocab=str(tmp_path / "vocab.tsv"),
            ),
            output=SimpleNamespace(vec=str(tmp_path / "mstar.vec")),
            params=SimpleNamespace(dim=2),
        )
    log = (tmp_path / "closed_form_embedding.log").read_text()
    assert f"{tmp_path / 'eigvecs.npy'} holds 6 NaN value(s) in rows 1, 4: rebuild it" in log
    assert not (tmp_path / "mstar.vec").exists() and leftovers(tmp_path) == []


def test_a_memory_mapped_matrix_is_checked_block_by_block(tmp_path, monkeypatch):
    monkeypatch.setattr(finite, "BLOCK_BYTES", 64)
    np.save(tmp_path / "m.npy", _nan_rows(np.zeros((40, 5)), [0, 17, 39]) + np.where(np.eye(40, 5) > 0, np.inf, 0))
    with pytest.raises(
        finite.NonFiniteError, match=r"m.npy holds 15 NaN and 4 infinite value\(s\) in rows 0, 1, 2, 3, 4 and 2 more"
    ):
        finite.load_npy(tmp_path / "m.npy", mmap_mode="r")
    np.save(tmp_path / "tokens.npy", np.arange(10))
    assert finite.load_npy(tmp_path / "tokens.npy").sum() == 45


def test_no_stage_writes_non_finite_arrays_or_embeddings(tmp_path):
    with pytest.raises(finite.NonFiniteError, match=r"saved as .*W.npy holds 2 infinite value\(s\) in row 2"):
        atomic.save_npy(tmp_path / "W.npy", np.where(np.arange(4)[:, None] == 2, np.inf, np.ones((4, 2))))
    with pytest.raises(finite.NonFiniteError, match=r"written to .*m.vec holds 2 NaN value\(s\) in row 1"):
        write_vec(tmp_path / "m.vec", ["a", "b"], _nan_rows(np.ones((2, 2)), [1]))
    assert list(tmp_path.iterdir()) == []


def test_an_embedding_file_with_nan_is_refused_naming_its_line(tmp_path):
    (tmp_path / "m.vec").write_text("3 2\na 1 2\nb nan 1\nc 1 inf\n")
    with pytest.raises(finite.NonFiniteError, match=r"m.vec holds 1 NaN and 1 infinite value\(s\) in lines 3, 4"):
        read_vec(tmp_path / "m.vec")


def _tiny_problem(eigvals: np.ndarray) -> TrainingProblem:
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 8, 400).astype(np.uint16)
    tokens[:8] = np.arange(8)
    offsets = np.array([0, 400])
    counts = count_cooccurrence(tokens, offsets, 8, 2)
    n_pairs = count_pairs(offsets, 2)
    unigram = unigram_probability(np.bincount(tokens, minlength=8).astype(np.float64))
    statistics = CorpusStatistics(joint_probability(counts, n_pairs, 2), unigram, 2, n_pairs)
    return TrainingProblem(tokens, offsets, statistics, 1.0, 2, eigvals)


def _exact_qwem(steps: int = 20) -> RunConfig:
    settings = dict(loss="qwem", reweight="sgns", exact=True, lr=0.1, init_scale=0.1, steps=steps, device="cpu",
                    subsample_t=1e-2, eval_every=10, log_every=5, n_checkpoints=2)  # fmt: skip
    return RunConfig.from_mapping(run_settings(**settings), "experiments.x.runs.q")


def test_training_refuses_a_non_finite_problem_or_resume_state(tmp_path):
    problem = _tiny_problem(np.array([2.0, 1.0, np.nan]))
    with pytest.raises(
        finite.NonFiniteError, match=r"run `experiments.x.runs.q`: the problem's mstar_eigvals holds 1 NaN"
    ):
        train(_exact_qwem(), problem, tmp_path / "run", progress=False)
    problem = _tiny_problem(np.array([2.0, 1.0, 0.5]))
    state = tmp_path / "run" / "resume" / "state.npz"
    record = RunRecord(10, singular_values=[SingularValueRow(10, 0.1, np.ones(2))])
    save_resume(tmp_path / "run", record, _nan_rows(np.ones((8, 2)), [3]), fingerprint(_exact_qwem(), problem))
    with pytest.raises(
        finite.NonFiniteError, match=rf"{re.escape(str(state))} \(W\) holds 2 NaN value\(s\) in row 3: delete"
    ):
        train(_exact_qwem(), problem, tmp_path / "run", progress=False)
    assert not (tmp_path / "run" / "W.npy").exists()


def test_l_bfgs_refuses_a_non_finite_start_and_never_calls_a_non_finite_end_converged(monkeypatch):
    """A NaN svd(M*) start gave reference.json `loss_normalised: NaN, iterations: 0, converged: true`."""
    problem = _tiny_problem(np.array([2.0, 1.0, 0.5]))
    objective = build_objective(problem.statistics, problem.negative_weight, _exact_qwem())
    start = np.full((8, 2), 0.1)
    with pytest.raises(finite.NonFiniteError, match=r"L-BFGS's svd\(M\*\) start holds 2 NaN value\(s\) in row 5"):
        minimised_reference(objective, _nan_rows(start, [5]), max_iterations=5)

    def diverged(function, x0, **options):
        return scipy.optimize.OptimizeResult(x=np.full_like(x0, np.nan), fun=np.nan, jac=np.full_like(x0, np.nan),
                                             nit=0, status=0, success=True, message="stopped")  # fmt: skip

    monkeypatch.setattr(scipy.optimize, "minimize", diverged)
    assert minimised_reference(objective, start, max_iterations=5).info["converged"] is False


# --- decided cases (docs/troubleshooting.md, "Decided behaviours") ---------------------------------------------

TROUBLESHOOTING = ROOT / "docs" / "troubleshooting.md"


def test_each_decided_case_is_documented():
    decided = TROUBLESHOOTING.read_text().split("## Decided behaviours")[1].split("\n## ")[0]
    for case in ("same experiment in two config files", "`exact: true`", "`n_checkpoints`", "missing `--configfile`",
                 "Duplicate analogy questions", "deleted intermediate file", "empty similarity score"):  # fmt: skip
        assert case in decided, case


def test_the_same_experiment_in_two_config_files_is_merged_key_by_key(user_config):
    """Snakemake merges every --configfile over config.yaml key by key: a user file that gives
    `experiments.tiny.dim` changes that and keeps the rest of `tiny` (the decided, documented behaviour)."""
    from snakemake.utils import update_config

    update_config(user_config, {"experiments": {"tiny": {"dim": 8, "runs": {"qwem": {"steps": 10}}}}})
    validate_config(user_config, SCHEMA)
    experiment = resolve_experiment(user_config, "tiny")
    assert experiment["dim"] == 8 and experiment["vocab_size"] == 400 and experiment["corpus"] == "lee"
    assert experiment["runs"]["qwem"]["steps"] == 10 and experiment["runs"]["qwem"]["lr"] == 5


@pytest.mark.parametrize("setting", [{"pair_sampling": "proportional"}, {"negatives_per_positive": 3}])
def test_an_exact_run_refuses_sampling_settings_it_would_ignore(user_config, setting):
    user_config["experiments"]["tiny"]["runs"]["qwem"].update(exact=True, **setting)
    with pytest.raises(
        InputError, match=rf"experiments.tiny.runs.qwem`: exact: true draws no pairs, so {next(iter(setting))}"
    ):
        resolve_experiment(user_config, "tiny")
    user_config["run_defaults"].update(setting)  # inherited, not the run's own: accepted
    user_config["experiments"]["tiny"]["runs"]["qwem"] = {
        key: value for key, value in user_config["experiments"]["tiny"]["runs"]["qwem"].items() if key not in setting
    }
    assert resolve_experiment(user_config, "tiny")["runs"]["qwem"]["exact"]


def test_n_checkpoints_is_the_number_written(user_config):
    """`n_checkpoints: 1` wrote three (0, 1 and the last step); 2 and 3 did too."""
    for n in (2, 3, 6):
        assert len(checkpoint_steps(4000, n)) == n
    assert len(checkpoint_steps(1_000_000, 30)) == 30
    assert checkpoint_steps(4000, 2).tolist() == [0, 4000]
    user_config["experiments"]["tiny"]["runs"]["qwem"]["n_checkpoints"] = 1
    with pytest.raises(InputError, match=r"n_checkpoints`: 1 is less than the minimum of 2"):
        validate_config(user_config, SCHEMA)


def test_duplicate_analogy_questions_count_once_per_line():
    """The decided protocol: every line of the question file is a question, as in gensim."""
    words = ["a", "b", "c", "d", "e"]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [0.1, 1.0], [-1.0, -1.0]])
    question = ("a", "b", "c", "d")
    scores, _ = evaluate_embedding(words, vectors, {"capitals": [question, question]}, {})
    assert scores.set_index("benchmark").loc["analogy_3cosadd", "n"] == 2


def test_a_similarity_score_is_empty_where_the_ranking_is_constant_and_n_counts_the_pairs():
    """dim 1: every cosine is +1 or -1, here all +1, so no rank correlation exists; n still counts the
    pairs scored."""
    words = [f"w{index}" for index in range(6)]
    pairs = pd.DataFrame({"word1": words[:3], "word2": words[3:], "score": [1.0, 5.0, 9.0]})
    scores, _ = evaluate_embedding(words, np.arange(1.0, 7.0)[:, None], {}, {"ws": pairs})
    row = scores.set_index("benchmark").loc["ws"]
    assert np.isnan(row["score"]) and row["n"] == 3
