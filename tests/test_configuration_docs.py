"""docs/configuration.md is generated from the config schema and config.yaml, and names every key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from w2vtheory.documentation.configuration import (
    COMMAND,
    DOCUMENT_PATH,
    configuration_markdown,
    type_text,
    yaml_value,
)
from w2vtheory.errors import InputError


def load(relative: str) -> Any:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def property_names(node: Any) -> Iterator[str]:
    """Every key that the schema declares under a `properties`, anywhere."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "properties" and isinstance(value, dict):
                yield from value
            yield from property_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from property_names(value)


def null_values(node: Any, path: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if value is None:
                yield f"{path}/{name}"
            yield from null_values(value, f"{path}/{name}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from null_values(value, f"{path}[{index}]")


def test_the_committed_reference_is_what_the_schema_and_config_generate():
    generated = configuration_markdown(load("schemas/config.schema.yaml"), load("config.yaml"))
    committed = (ROOT / DOCUMENT_PATH).read_text(encoding="utf-8")
    assert committed == generated, f"{DOCUMENT_PATH} is out of date: run `{COMMAND}` and commit the result"


def test_every_schema_key_is_named():
    document = (ROOT / DOCUMENT_PATH).read_text(encoding="utf-8")
    missing = {name for name in property_names(load("schemas/config.schema.yaml")) if f"{name}`" not in document}
    assert not missing


def test_no_schema_value_is_cut_short_by_a_comma():
    """In a YAML flow mapping `{description: V, the number ...}` the comma ends the description and
    the rest becomes a key without a value: descriptions with commas must be quoted."""
    assert list(null_values(load("schemas/config.schema.yaml"))) == []


def test_a_key_without_a_description_is_refused_naming_it():
    schema = load("schemas/config.schema.yaml")
    del schema["$defs"]["run"]["properties"]["seed"]["description"]
    with pytest.raises(InputError, match=r"key `seed` has no `description`"):
        configuration_markdown(schema, load("config.yaml"))


def test_defaults_come_from_config_yaml_then_from_the_schema():
    schema, config = load("schemas/config.schema.yaml"), load("config.yaml")
    config["run_defaults"]["batch_size"] = 1234
    document = configuration_markdown(schema, config)
    assert "| `batch_size` | integer >= 1 | `1234` |" in document
    assert "| `retries` | integer >= 0 | `3` |" in document  # schema `default`: the code's default
    assert "| `loss` | one of `sgns`, `qwem` | required |" in document


@pytest.mark.parametrize(
    ("node", "text"),
    [
        ({"$ref": "#/$defs/positive_int"}, "integer >= 1"),
        ({"type": "number", "minimum": 0, "exclusiveMaximum": 1}, "number >= 0, < 1"),
        ({"enum": ["float32", "float64"]}, "one of `float32`, `float64`"),
        ({"type": "array", "items": {"type": "string"}}, "list of text"),
        ({"oneOf": [{"type": "string"}, {"type": "boolean"}]}, "text or true or false"),
    ],
)
def test_type_text(node, text):
    assert type_text(node, {"$defs": {"positive_int": {"type": "integer", "minimum": 1}}}) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0e-5, "1.0e-5"), (1.0e-25, "1.0e-25"), (0.5, "0.5"), (50000, "50000"), (False, "false"), ([], "[]")],
)
def test_values_are_written_as_in_config_yaml(value, text):
    assert yaml_value(value) == text


def test_config_yaml_comments_stay_short():
    """config.yaml says what each setting is for; why a value was chosen is docs/results.md's."""
    lines = (ROOT / "config.yaml").read_text(encoding="utf-8").splitlines()
    assert sum(line.lstrip().startswith("#") for line in lines) <= 45
