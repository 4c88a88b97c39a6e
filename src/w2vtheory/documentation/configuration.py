"""docs/configuration.md: every key of the config schema with its type, default and meaning.

The meanings are the schema's `description`s; a default is the value config.yaml gives under
`experiment_defaults` / `run_defaults` (or at the top level), else the schema's `default`
annotation (defaults that live in the code, such as a download's retries). A key without a
description is an error, so a new schema key cannot go undocumented.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from w2vtheory.config import REQUIRED_RUN_KEYS
from w2vtheory.errors import InputError

SCHEMA_PATH = "schemas/config.schema.yaml"
CONFIG_PATH = "config.yaml"
DOCUMENT_PATH = "docs/configuration.md"
COMMAND = "PYTHONPATH=src .venv/bin/python -m w2vtheory.documentation configuration"
_NO_DEFAULT = object()


@dataclass(frozen=True)
class KeyRow:
    key: str
    type: str
    default: str
    meaning: str


def _resolved(node: Any, schema: Mapping[str, Any]) -> Any:
    """`node` with a local `$ref` replaced by its target, the node's own keys (description,
    default) taking precedence."""
    if not isinstance(node, Mapping) or "$ref" not in node:
        return node
    target = schema
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolved(target, schema), **{key: value for key, value in node.items() if key != "$ref"}}


def yaml_value(value: Any) -> str:
    """`value` as one would write it in config.yaml (floats with an exponent as 1.0e-5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != 0 and not 1e-3 <= abs(value) < 1e6:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent):+d}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {yaml_value(item)}" for key, item in value.items()) + "}"
    return str(value)


def _bounds(node: Mapping[str, Any]) -> str:
    parts = []
    if "minimum" in node:
        parts.append(f">= {yaml_value(node['minimum'])}")
    if "exclusiveMinimum" in node:
        parts.append(f"> {yaml_value(node['exclusiveMinimum'])}")
    if "exclusiveMaximum" in node:
        parts.append(f"< {yaml_value(node['exclusiveMaximum'])}")
    return " " + ", ".join(parts) if parts else ""


def type_text(node: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    """A short reading of a schema node's type: `integer >= 1`, one of `a`, `b`, list of strings."""
    node = _resolved(node, schema)
    if "enum" in node:
        return "one of " + ", ".join(f"`{yaml_value(value)}`" for value in node["enum"])
    if "oneOf" in node:
        return " or ".join(type_text(option, schema) for option in node["oneOf"])
    kind = node.get("type")
    if kind == "array":
        if "prefixItems" in node:
            return "[" + ", ".join(type_text(item, schema) for item in node["prefixItems"]) + "]"
        items = type_text(node.get("items", {}), schema)
        return f"list of {items}" if items else "list"
    if kind == "object":
        return "mapping"
    if kind in ("integer", "number"):
        return f"{kind}{_bounds(node)}"
    if kind == "string":
        return "text" + (f" matching `{node['pattern']}`" if "pattern" in node else "")
    if kind == "boolean":
        return "true or false"
    return ""


def _meaning(node: Mapping[str, Any], key: str) -> str:
    if "description" not in node:
        raise InputError(
            f"{SCHEMA_PATH}: key `{key}` has no `description`; add one (it is the key's entry in {DOCUMENT_PATH})"
        )
    return " ".join(str(node["description"]).split())


def _nested_properties(node: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The properties of an object node, or of the object among a oneOf's options (lr_schedule)."""
    if node.get("type") == "object" and "properties" in node:
        return node["properties"]
    for option in node.get("oneOf", []):
        option = _resolved(option, schema)
        if option.get("type") == "object" and "properties" in option:
            return option["properties"]
    return {}


def key_rows(
    properties: Mapping[str, Any],
    schema: Mapping[str, Any],
    defaults: Mapping[str, Any],
    required: Sequence[str] = (),
    prefix: str = "",
    expand: bool = True,
) -> Iterator[KeyRow]:
    """One row per key, then (when `expand`) one per key of a nested object, named `outer.inner`."""
    for name, raw in properties.items():
        node = _resolved(raw, schema)
        if node is True:  # a key declared in another branch of the same object (corpora's `source`)
            continue
        key = f"{prefix}{name}"
        default = defaults.get(name, node.get("default", _NO_DEFAULT))
        if isinstance(default, Mapping) and default:
            default_text = f"see `{CONFIG_PATH}`"
        elif default is not _NO_DEFAULT:
            default_text = f"`{yaml_value(default)}`"
        else:
            default_text = "required" if name in required else ""
        yield KeyRow(key, type_text(node, schema), default_text, _meaning(node, key))
        nested = _nested_properties(node, schema) if expand else {}
        if nested:
            inner_defaults = defaults.get(name) if isinstance(defaults.get(name), Mapping) else {}
            yield from key_rows(nested, schema, inner_defaults, node.get("required", ()), f"{key}.", expand)


def _table(rows: Sequence[KeyRow]) -> list[str]:
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    lines += [
        "| "
        + " | ".join(cell.replace("|", "\\|") for cell in (f"`{row.key}`", row.type, row.default, row.meaning))
        + " |"
        for row in rows
    ]
    return lines


def _corpus_branches(schema: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(source, the `then` branch of its keys) for each corpus source."""
    corpus = schema["properties"]["corpora"]["additionalProperties"]
    for branch in corpus["allOf"]:
        yield branch["if"]["properties"]["source"]["const"], branch["then"]


def configuration_markdown(schema: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The whole of docs/configuration.md."""
    top = schema["properties"]
    settings = schema["$defs"]["experiment_settings"]["properties"]
    run = schema["$defs"]["run"]["properties"]
    experiment_required = next(
        part["required"] for part in top["experiments"]["additionalProperties"]["allOf"] if "required" in part
    )
    corpus_keys = top["corpora"]["additionalProperties"]["properties"]
    corpus_source = _resolved(corpus_keys["source"], schema)
    corpus_shared = {name: value for name, value in corpus_keys.items() if name != "source"}
    lines = [
        "# Configuration reference",
        "",
        f"Generated from `{SCHEMA_PATH}` (types and meanings) and `{CONFIG_PATH}` (defaults) by",
        f"`{COMMAND}` (or `make docs`); edit those two files, not this one.",
        "`tests/test_configuration_docs.py` fails when this page and its sources differ.",
        "",
        "A `--configfile` is merged over `config.yaml` (mappings merge key by key, anything else replaces)",
        "and checked against the schema before any job starts; a wrong key or value stops the run with a",
        "message naming it. `number` means a finite number and `integer` a whole number written without a",
        "decimal point (`50`, not `50.0`); write an exponent with a decimal point and a signed exponent",
        "(`1.0e-6`: YAML reads `1e-6` as text). Every experiment is completed from `experiment_defaults`",
        "and every training run from `run_defaults`: a default below is the value `config.yaml` sets",
        "there, or the one the code uses when the key is absent. The shipped experiments (`default`,",
        "`default-ablation`, `text8`, `enwiki500`, `enwiki500-ablation`) are in `config.yaml`;",
        "docs/results.md says why the default's values are what they are.",
        "",
        "## Top level",
        "",
        *_table(list(key_rows(top, schema, config, schema.get("required", ()), expand=False))),
        "",
        "## `benchmarks`",
        "",
        *_table(
            list(key_rows(top["benchmarks"]["properties"], schema, config.get("benchmarks", {}), prefix="benchmarks."))
        ),
        "",
        "## `corpora.<name>`",
        "",
        f"Every corpus has `source` ({type_text(corpus_source, schema)}): {_meaning(corpus_source, 'source')}.",
        "The other keys depend on it, except those every source takes:",
        "",
        *_table(list(key_rows(corpus_shared, schema, {}))),
        "",
    ]
    for source, branch in _corpus_branches(schema):
        lines += [
            f"### `source: {source}`",
            "",
            *_table(list(key_rows(branch.get("properties", {}), schema, {}, branch.get("required", ())))),
            "",
        ]
    lines += [
        "## `experiments.<name>` and `experiment_defaults`",
        "",
        "Results land in `results/<name>/`. An experiment must give the keys marked required.",
        "",
        *_table(list(key_rows(settings, schema, config.get("experiment_defaults", {}), experiment_required))),
        "",
        "## `experiments.<name>.runs.<run>` and `run_defaults`",
        "",
        "A run's name is its model name in `models`, in `figures` and under `results/<experiment>/runs/`.",
        "",
        *_table(list(key_rows(run, schema, config.get("run_defaults", {}), REQUIRED_RUN_KEYS))),
    ]
    return "\n".join(lines) + "\n"
