"""Configuration: schema validation with messages that name the key, and the completion of
each experiment from `experiment_defaults` and each training run from `run_defaults`.

The JSON schema checks each value; the cross-key rules it cannot express (an experiment's corpus
must exist, dim < vocab_size, a model must be a closed form or a defined run) are checked here.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from w2vtheory.errors import InputError

CLOSED_FORM_MODELS = ("mstar", "ppmi", "pmi")
# The settings every run must give; the rest come from run_defaults.
REQUIRED_RUN_KEYS = ("loss", "reweight", "lr", "init_scale", "steps")
SPECTRUM_MATRICES = ("mstar", "pmi", "ppmi", "pair_ratio")  # as w2vtheory.closed_form.spectra.MATRICES (tested)


def _key_path(parts: Any) -> str:
    return ".".join(str(part) for part in parts) or "<top level>"


def _is_number(checker: Any, instance: Any) -> bool:
    """A finite int or float: JSON Schema lets NaN and infinity pass every bound (NaN compares false)."""
    return isinstance(instance, int | float) and not isinstance(instance, bool) and math.isfinite(instance)


def _is_integer(checker: Any, instance: Any) -> bool:
    """An int, not a float such as 50.0 (which JSON Schema counts as an integer): the code indexes,
    loops and prints with these values, where a float fails late or shows as `1,000.0`."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_TYPE_CHECKER = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
    {"number": _is_number, "integer": _is_integer}
)


def _end_anchored(pattern: str) -> str:
    """`pattern` with a final `$` meaning the end of the text, as in JSON Schema's ECMA-262 regexes:
    Python's `$` also matches before a trailing newline, so `nl\n` passed a name pattern."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not re.search(_end_anchored(pattern), instance):
        yield jsonschema.exceptions.ValidationError(f"{instance!r} does not match {pattern!r}")


ConfigValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, validators={"pattern": _pattern}, type_checker=_TYPE_CHECKER
)

# PyYAML (YAML 1.1) reads a number with an exponent as a float only with a decimal point and a
# signed exponent: 1.0e-6 is a float, 1e-6 and 1.0e6 are strings.
_EXPONENT_NUMBER = re.compile(r"^([-+]?[0-9][0-9_]*)(\.[0-9_]*)?[eE]([-+]?)([0-9]+)$")


def _yaml_float_spelling(text: str) -> str | None:
    """How to write `text` so that PyYAML reads a float (None if it is not an exponent number)."""
    match = _EXPONENT_NUMBER.match(text.strip())
    if match is None:
        return None
    mantissa, fraction, sign, exponent = match.groups()
    return f"{mantissa}{fraction if fraction and len(fraction) > 1 else '.0'}e{sign or '+'}{exponent}"


def _type_problem(error: jsonschema.exceptions.ValidationError) -> str:
    """The schema's type message, with what to write instead where the value is close to valid."""
    instance = error.instance
    wants_integer = "integer" in str(error.validator_value)
    if isinstance(instance, float) and not math.isfinite(instance):
        return f"{instance!r} is not a finite number"
    if isinstance(instance, float) and instance.is_integer() and wants_integer:
        return f"{instance!r} is not an integer: write {int(instance)} (without a decimal point)"
    spelling = _yaml_float_spelling(instance) if isinstance(instance, str) else None
    if spelling is None:
        return error.message
    if wants_integer and float(spelling).is_integer():
        return f"{error.message}: YAML reads {instance} as text; write {int(float(spelling))}"
    return f"{error.message}: YAML reads {instance} as text; write {spelling} (a decimal point and a signed exponent)"


def validate_config(config: Mapping[str, Any], schema_path: str | Path) -> None:
    """Raise InputError naming the offending key and the problem, for the first schema error.

    Numbers must be finite and integers must be ints: `steps: 50.0` and `lr: .nan` are rejected
    with a message naming the key rather than converted, so what runs is what the config says.
    """
    with open(schema_path, encoding="utf-8") as handle:
        schema = yaml.safe_load(handle)
    validator = ConfigValidator(schema)
    errors = sorted(
        validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if not errors:
        return
    # A misspelled key also makes the key it should have been "missing": name the misspelling.
    misspelled = [error for error in errors if error.validator == "additionalProperties"]
    error = jsonschema.exceptions.best_match(misspelled or errors)
    location = _key_path(error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties":
        # Name the allowed keys here: the schema file Snakemake read may be a temporary copy.
        allowed = sorted(error.schema.get("properties", {}))
        message = f"{message} (check the spelling; allowed keys here: {', '.join(allowed) or 'none'})"
    elif error.validator == "type":
        message = _type_problem(error)
    elif error.validator == "not" and isinstance(error.instance, str):
        message = (
            f"`{error.instance}` is a reserved name here ({error.schema.get('description', '').strip()}): rename it"
        )
    elif error.validator == "maxLength":
        message = (
            f"a name of {len(error.instance)} characters is longer than the {error.validator_value} allowed: "
            "file names are derived from it and must stay under 255 bytes"
        )
    raise InputError(f"config key `{location}`: {message}")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Recursively merge `override` over `base` (dicts merge, everything else replaces)."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def resolve_run(config: Mapping[str, Any], spec: Mapping[str, Any], device: str | None = None) -> dict[str, Any]:
    """A run's settings completed from `run_defaults`, on `device` (default: experiment_defaults' device)."""
    if device is None:
        device = config.get("experiment_defaults", {}).get("device", "auto")
    return deep_merge(deep_merge(config.get("run_defaults", {}), {"device": device}), spec)


def resolve_experiment(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The experiment `name` completed from the defaults, with its runs completed too."""
    experiments = config.get("experiments", {})
    if name not in experiments:
        known = ", ".join(sorted(experiments)) or "none"
        raise InputError(f"unknown experiment `{name}` (config key `experiments`); known experiments: {known}")
    experiment = deep_merge(config.get("experiment_defaults", {}), experiments[name])
    experiment["name"] = name
    experiment["n_eigenpairs"] = eigenpair_counts(experiment.get("n_eigenpairs"), experiment["dim"])
    for run, spec in experiment.get("runs", {}).items():
        _check_exact_run(f"experiments.{name}.runs.{run}", spec)
    experiment["runs"] = {
        run: resolve_run(config, spec, experiment.get("device", "auto"))
        for run, spec in experiment.get("runs", {}).items()
    }
    _check_experiment(config, experiment)
    return experiment


def eigenpair_counts(setting: int | Mapping[str, int] | None, dim: int) -> dict[str, int]:
    """{matrix: eigenpairs to compute} for every spectrum matrix from an experiment's `n_eigenpairs`:
    one count for all, or counts per matrix; a matrix not named gets dim (its closed-form embedding)."""
    if isinstance(setting, Mapping):
        return {matrix: int(setting.get(matrix, dim)) for matrix in SPECTRUM_MATRICES}
    return dict.fromkeys(SPECTRUM_MATRICES, dim if setting is None else int(setting))


def _check_exact_run(key: str, spec: Mapping[str, Any]) -> None:
    """An exact run descends the expected loss and draws no pairs: a sampling setting of its own
    (not one inherited from run_defaults) would be silently ignored, so it is refused."""
    sampling = {"pair_sampling": "corpus", "negatives_per_positive": 1}
    ignored = [setting for setting, plain in sampling.items() if spec.get(setting, plain) != plain]
    if spec.get("exact") and ignored:
        raise InputError(
            f"config key `{key}`: exact: true draws no pairs, so {' and '.join(ignored)} would do nothing; "
            "remove them or set exact: false"
        )


def _check_experiment(config: Mapping[str, Any], experiment: Mapping[str, Any]) -> None:
    key = f"experiments.{experiment['name']}"
    corpora = config.get("corpora", {})
    if experiment["corpus"] not in corpora:
        raise InputError(
            f"config key `{key}.corpus`: unknown corpus `{experiment['corpus']}`; "
            f"define it under `corpora` (known: {', '.join(sorted(corpora)) or 'none'})"
        )
    if experiment["dim"] >= experiment["vocab_size"]:
        raise InputError(
            f"config key `{key}.dim`: dim = {experiment['dim']} must be smaller than "
            f"vocab_size = {experiment['vocab_size']}"
        )
    for matrix, count in experiment["n_eigenpairs"].items():
        if count < experiment["dim"]:
            raise InputError(
                f"config key `{key}.n_eigenpairs` ({matrix}): {count} is smaller than dim = {experiment['dim']}"
            )
    for run, spec in experiment["runs"].items():
        missing = [field for field in REQUIRED_RUN_KEYS if field not in spec]
        if missing:
            raise InputError(f"config key `{key}.runs.{run}`: missing {', '.join(missing)}")
    for role, assignment in experiment.get("figures", {}).items():
        if role in ("task_vectors", "feature_atlas"):
            continue
        for part, run in assignment.items():
            if run not in experiment["runs"]:
                raise InputError(
                    f"config key `{key}.figures.{role}.{part}`: `{run}` is not a run of this experiment "
                    f"(define it under `{key}.runs`)"
                )
    for model in experiment["models"]:
        if model not in CLOSED_FORM_MODELS and model not in experiment["runs"]:
            raise InputError(
                f"config key `{key}.models`: unknown model `{model}`; use one of "
                f"{', '.join(CLOSED_FORM_MODELS)} or define a training run `{key}.runs.{model}`"
            )


def trained_models(experiment: Mapping[str, Any]) -> list[str]:
    return [model for model in experiment["models"] if model not in CLOSED_FORM_MODELS]
