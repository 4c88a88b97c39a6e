"""The conda environments of envs/ must pin the same versions as pyproject.toml."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;]+)$")


def _pins(requirements):
    return {match[1].lower(): match[2] for match in map(PIN.match, requirements) if match}


def pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return _pins(requirements)


ENV_FILES = sorted((ROOT / "envs").glob("*.yaml"))


def test_every_rule_family_has_an_env():
    assert {path.stem for path in ENV_FILES} >= {"corpus", "counts", "spectra", "training", "evaluation", "plots"}


@pytest.mark.parametrize("env_file", ENV_FILES, ids=lambda path: path.stem)
def test_env_pins_match_pyproject(env_file):
    env = yaml.safe_load(env_file.read_text())
    pip_section = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    env_pins = _pins(pip_section)
    assert env_pins, f"{env_file.name} pins nothing"
    expected = pyproject_pins()
    for name, version in env_pins.items():
        assert name in expected, f"{env_file.name} pins {name}, which pyproject.toml does not"
        assert version == expected[name], f"{env_file.name}: {name}=={version}, pyproject.toml has {expected[name]}"
    assert "-e .." in pip_section, f"{env_file.name} does not install the w2vtheory package"


@pytest.mark.parametrize("env_file", ENV_FILES, ids=lambda path: path.stem)
def test_env_files_are_used_by_rules(env_file):
    rules_text = "".join(path.read_text() for path in (ROOT / "rules").glob("*.smk"))
    assert f'"../envs/{env_file.name}"' in rules_text, f"no rule uses {env_file.name}"


def test_core_dependencies_are_exact_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    loose = [req for req in project["dependencies"] if not PIN.match(req)]
    assert not loose, f"unpinned core dependencies: {loose}"


def test_test_extra_pins_every_tool_that_make_lint_runs():
    """`make lint` (run by .ci/run) calls these from .venv/bin; the `test` extra installs them, pinned."""
    test_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    loose = [req for req in test_extra if not PIN.match(req)]
    assert not loose, f"unpinned test dependencies: {loose}"
    lint_recipe = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n", 1)[0]
    tools = set(re.findall(r"\$\(VENV\)/bin/([a-z]+)", lint_recipe)) - {"snakemake"}
    assert tools == {"snakefmt", "ruff", "black"}
    assert tools <= set(_pins(test_extra))
