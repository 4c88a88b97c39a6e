"""Schema validation and experiment resolution of the workflow configuration."""

import copy
from pathlib import Path

import pytest
import yaml

from w2vtheory.config import deep_merge, resolve_experiment, trained_models, validate_config
from w2vtheory.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "config.schema.yaml"


@pytest.fixture
def config():
    return yaml.safe_load((ROOT / "config.yaml").read_text())


def test_default_config_is_valid_and_every_experiment_resolves(config):
    validate_config(config, SCHEMA)
    for name in config["experiments"]:
        experiment = resolve_experiment(config, name)
        assert min(experiment["n_eigenpairs"].values()) >= experiment["dim"]
        for run in experiment["runs"].values():
            assert run["batch_size"] > 0 and run["device"] in {"auto", "cpu", "cuda"}


def test_eigenpairs_per_matrix_default_to_dim(config):
    experiment = resolve_experiment(config, "default")
    assert experiment["n_eigenpairs"] == {"mstar": 1024, "pmi": 100, "ppmi": 100, "pair_ratio": 100}
    assert set(resolve_experiment(config, "enwiki500")["n_eigenpairs"].values()) == {4096}


def test_tiny_test_config_is_valid_when_merged_over_defaults(config):
    tiny = yaml.safe_load((ROOT / "tests" / "config" / "tiny.yaml").read_text())
    validate_config(deep_merge(config, tiny), SCHEMA)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("experiments", "default", "vocab_size"), 0, "experiments.default.vocab_size"),
        (("experiments", "default", "vocab_size"), -3, "experiments.default.vocab_size"),
        (("experiments", "default", "vocab_size"), 12.5, "experiments.default.vocab_size"),
        (("experiments", "default", "dim"), 0, "experiments.default.dim"),
        (("experiments", "default", "window"), 0, "experiments.default.window"),
        (("experiments", "default", "vocab_sise"), 10, "vocab_sise"),
        (("corpora", "offline", "source"), "lokal", "corpora.offline.source"),
        (("experiments", "default", "runs", "qwem", "lr"), -1, "experiments.default.runs.qwem.lr"),
        (("corpora", "text8", "sha256"), "xyz", "corpora.text8.sha256"),
        (("benchmarks", "similarity", "analogy_rw"), "rw.tsv", "benchmarks.similarity"),
        (("corpora", "offline", "tokenizer"), "utf8", "corpora.offline.tokenizer"),
        (("benchmarks", "analogy_sets", "MSR"), "msr.txt", "benchmarks.analogy_sets"),
    ],
)
def test_schema_errors_name_the_key(config, path, value, expected):
    broken = copy.deepcopy(config)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError, match=expected.replace(".", r"\.")):
        validate_config(broken, SCHEMA)


def test_user_experiment_gets_defaults(config):
    config["experiments"]["mine"] = {
        "corpus": "offline",
        "vocab_size": 100,
        "dim": 10,
        "models": ["mstar", "fast"],
        "runs": {"fast": {"loss": "qwem", "reweight": "omniscient", "lr": 1, "init_scale": 0.1, "steps": 5}},
    }
    experiment = resolve_experiment(config, "mine")
    assert experiment["window"] == 16 and experiment["negative_weight"] == 1
    assert experiment["n_eigenpairs"] == {"mstar": 10, "pmi": 10, "ppmi": 10, "pair_ratio": 10}
    assert experiment["runs"]["fast"]["batch_size"] == config["run_defaults"]["batch_size"]
    assert trained_models(experiment) == ["fast"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"corpus": "nowhere"}, "unknown corpus `nowhere`"),
        ({"dim": 5000}, "must be smaller than vocab_size"),
        ({"models": ["mstar", "glove"]}, "unknown model `glove`"),
        ({"n_eigenpairs": 10}, "smaller than dim"),
        ({"n_eigenpairs": {"mstar": 1024, "ppmi": 10}}, r"n_eigenpairs` \(ppmi\): 10 is smaller than dim"),
    ],
)
def test_cross_key_errors(config, change, message):
    config["experiments"]["default"].update(change)
    with pytest.raises(InputError, match=message):
        resolve_experiment(config, "default")


def test_unknown_experiment_lists_known_ones(config):
    with pytest.raises(InputError, match="unknown experiment `nope`.*default"):
        resolve_experiment(config, "nope")


def test_run_may_not_shadow_a_closed_form_model(config):
    config["experiments"]["default"]["runs"]["mstar"] = dict(config["experiments"]["default"]["runs"]["qwem"])
    with pytest.raises(InputError, match="`mstar` is a reserved name here .*closed-form"):
        validate_config(config, SCHEMA)


def test_figure_roles_must_name_runs(config):
    config["experiments"]["default"]["figures"]["large_init"]["qwem"] = "qwem-huge"
    with pytest.raises(InputError, match=r"figures\.large_init\.qwem`: `qwem-huge`"):
        resolve_experiment(config, "default")


def test_the_schemas_choices_are_the_packages():
    """Every enum of the schema is the package's own list (one home for each set of names)."""
    from w2vtheory.devices import DEVICES
    from w2vtheory.training import DTYPES, losses
    from w2vtheory.training.reweighting import REWEIGHTINGS

    schema = yaml.safe_load((Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml").read_text())
    run = schema["$defs"]["run"]["properties"]
    assert run["loss"]["enum"] == list(losses.LOSSES)
    assert run["reweight"]["enum"] == list(REWEIGHTINGS)
    assert run["dtype"]["enum"] == list(DTYPES)
    assert run["device"]["enum"] == list(DEVICES)
    assert schema["$defs"]["experiment_settings"]["properties"]["device"]["enum"] == list(DEVICES)


def test_every_corpus_source_takes_a_tokenizer(config):
    for corpus in config["corpora"].values():
        corpus["tokenizer"] = "unicode"
    validate_config(config, SCHEMA)


def test_a_run_takes_its_defaults_from_the_resolved_config(config):
    """RunConfig reads no config file: the resolved config completes each run, and a run left
    incomplete names the settings it lacks."""
    from w2vtheory.config import resolve_run
    from w2vtheory.training import RunConfig

    config["run_defaults"]["batch_size"] = 123
    spec = {"loss": "qwem", "reweight": "omniscient", "lr": 1.0, "init_scale": 0.1, "steps": 10}
    assert RunConfig.from_mapping(resolve_run(config, spec)).batch_size == 123
    with pytest.raises(InputError, match=r"`run`: no value for .*batch_size.*resolve_run"):
        RunConfig.from_mapping(spec)
