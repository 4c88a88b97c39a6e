"""Every shell command that README.md shows (fenced `bash` blocks and inline `make ...` /
`.venv/bin/...` spans) and that docs/*.md show in fenced `bash` blocks runs as written, from the
root of a temporary copy of the repository with `.venv` linked to this interpreter's environment.

- Quick commands run for real, in a copy whose config.yaml has tests/config/readme.yaml merged
  over it (a small closed-form experiment), so that a plain `snakemake --cores 2` takes seconds.
- Long commands (explicit targets, `--configfile`/`--config`, a cluster profile) run with `-n`
  in a copy with the shipped config.yaml: Snakemake parses the workflow, validates the config and
  plans every job, which is where a command as written fails (a bare `--configfile` swallowing the
  targets, a missing file, a bad key).
- `make <target>` runs as `make -n <target>` (it must exist), and each Snakemake command in its
  recipe is then checked like a README command. `make test` is never run for real: it is this suite.
- Commands of other programs that need a cluster login node (`tmux`, `srun`) are only listed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, gensim_test_file, write_lee_corpus
from w2vtheory.config import deep_merge

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
INLINE_COMMAND_STARTS = ("make ", ".venv/bin/")
CLUSTER_ONLY_PROGRAMS = {"tmux", "srun"}
SNAKEMAKE_VALUE_OPTIONS = {"--cores", "-c", "--jobs", "-j", "--profile", "--report", "--configfile", "--config"}
FENCE = re.compile(r"^```(\S*)\s*$")
INLINE_CODE = re.compile(r"``?([^`]+)``?")
TIMEOUT = 600


@dataclass(frozen=True)
class ShownCommand:
    text: str
    where: str

    @property
    def words(self) -> list[str]:
        return shlex.split(self.text)


def without_comment(line: str) -> str:
    """The command before a `#` comment that is outside quotes."""
    quote = None
    for position, character in enumerate(line):
        if quote:
            quote = None if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character == "#" and (position == 0 or line[position - 1].isspace()):
            return line[:position].rstrip()
    return line.rstrip()


def fenced_blocks(path: Path) -> list[tuple[str, int, list[str]]]:
    """(language, line number of the first line, lines) of each fenced code block."""
    blocks, language, start, lines = [], None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if fence and language is None:
            language, start, lines = fence[1], number + 1, []
        elif fence:
            blocks.append((language, start, lines))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def shown_commands() -> list[ShownCommand]:
    commands: dict[str, ShownCommand] = {}
    for path in DOCUMENTS:
        name = path.relative_to(ROOT)
        for language, start, lines in fenced_blocks(path):
            if language not in ("bash", "sh", "shell"):
                continue
            for offset, line in enumerate(lines):
                text = without_comment(line)
                if text:
                    commands.setdefault(text, ShownCommand(text, f"{name}:{start + offset}"))
        if path.name != "README.md":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for span in INLINE_CODE.findall(line):
                if span.startswith(INLINE_COMMAND_STARTS):
                    commands.setdefault(span, ShownCommand(span, f"{name}:{number}"))
    return list(commands.values())


def readme_config_file() -> str:
    """The YAML block that README.md introduces as `my.yaml`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"`my\.yaml`:\s*\n+```yaml\n(.*?)\n```", text, flags=re.DOTALL)
    assert match, "README.md shows no ```yaml block after a line that names `my.yaml`"
    return match[1] + "\n"


def is_long(words: list[str]) -> bool:
    """A Snakemake command that builds more than the default target or needs a cluster."""
    targets, options, index = [], {}, 1
    while index < len(words):
        word = words[index]
        if word.startswith("-"):
            name, _, value = word.partition("=")
            if not value and name in SNAKEMAKE_VALUE_OPTIONS and index + 1 < len(words):
                index += 1
                value = words[index]
            options[name] = value
        else:
            targets.append(word)
        index += 1
    return (
        bool(targets)
        or "--configfile" in options
        or "--config" in options
        or options.get("--profile") == ("profiles/slurm")
    )


def copy_repository(destination: Path) -> Path:
    """Tracked and untracked-but-not-ignored files of the checkout, and `.venv` linked to ours."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listing.split("\0")):
        source = ROOT / relative
        if source.is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / relative)
    (destination / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return destination


def environment(copy: Path) -> dict[str, str]:
    """As after `make setup`: `.venv/bin` first on PATH, the copy's package importable."""
    return {
        **os.environ,
        "PATH": f"{copy / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(copy / "src"),
    }


def run_shell(command: str, copy: Path) -> subprocess.CompletedProcess:
    """The command in a shell, its stderr merged into stdout (Snakemake reports errors on either)."""
    return subprocess.run(
        command,
        shell=True,
        cwd=copy,
        env=environment(copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[str, Path]:
    """`quick`: config.yaml with tests/config/readme.yaml merged over it, its default target built
    by the README's first Snakemake command; `shipped`: config.yaml as it is, plus README's my.yaml
    and the corpus file it names."""
    quick = copy_repository(tmp_path_factory.mktemp("quick"))
    shipped_config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config = deep_merge(shipped_config, yaml.safe_load((ROOT / "tests" / "config" / "readme.yaml").read_text()))
    config["corpora"]["lee"]["path"] = str(write_lee_corpus(quick / "lee.txt"))
    config["benchmarks"] = {
        "analogies": str(gensim_test_file("questions-words.txt")),
        "similarity": {name: str(gensim_test_file(file)) for name, file in [("ws353", "wordsim353.tsv")]},
    }
    (quick / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    process = run_shell(".venv/bin/snakemake --cores 2", quick)
    assert process.returncode == 0, process.stdout[-3000:]
    assert (quick / "results" / "readme" / "benchmarks.csv").is_file()

    shipped = copy_repository(tmp_path_factory.mktemp("shipped"))
    my_config = readme_config_file()
    (shipped / "my.yaml").write_text(my_config)
    for corpus in yaml.safe_load(my_config)["corpora"].values():
        if corpus.get("source") == "local" and not Path(corpus["path"]).is_absolute():
            write_lee_corpus(shipped / corpus["path"])
    return {"quick": quick, "shipped": shipped}


def check_snakemake(command: str, copies: dict[str, Path], where: str) -> None:
    words = shlex.split(command)
    if is_long(words):
        process = run_shell(f"{command} -n", copies["shipped"])
        mode = "dry run (-n) with the shipped config.yaml"
    else:
        process = run_shell(command, copies["quick"])
        mode = "run with tests/config/readme.yaml"
    assert process.returncode == 0, f"{where}: `{command}` ({mode}) failed:\n{process.stdout[-3000:]}"


def make_recipe_commands(target: str, copy: Path) -> list[str]:
    """The Snakemake commands `make <target>` would run (make -n prints the recipe)."""
    process = run_shell(f"make -n {target}", copy)
    assert process.returncode == 0, f"`make {target}` is not a target of the Makefile:\n{process.stdout}"
    return [line.strip() for line in process.stdout.splitlines() if line.startswith(".venv/bin/snakemake")]


def python_words(words: list[str]) -> list[str]:
    """The words after `nice -n N` and `NAME=value` prefixes."""
    while words and (words[0] == "nice" or "=" in words[0]):
        words = words[3:] if words[0] == "nice" else words[1:]
    return words


def program(command: ShownCommand) -> str:
    words = python_words(command.words)
    if words and Path(words[0]).name in ("python", "python3"):
        return "python"
    return Path(command.words[0]).name


def check_python_script(command: ShownCommand, copy: Path) -> None:
    """A benchmark script as shown, with `--help` appended: it imports, and its shown arguments up to
    there parse (the measurements themselves take minutes to hours)."""
    words = python_words(command.words)
    script = copy / words[1]
    assert script.is_file(), f"{command.where}: `{command.text}`: no such script {words[1]}"
    process = run_shell(shlex.join([".venv/bin/python", *words[1:], "--help"]), copy)
    assert process.returncode == 0, f"{command.where}: `{command.text}` --help failed:\n{process.stdout[-3000:]}"


SHOWN = shown_commands()
COMMANDS = [command for command in SHOWN if program(command) not in CLUSTER_ONLY_PROGRAMS]


def test_the_contract_commands_are_shown_and_checked():
    texts = {command.text for command in COMMANDS}
    assert {"make run", "make test"} <= texts
    assert ".venv/bin/snakemake --cores 2 --configfile=my.yaml results/myexp/benchmarks.csv" in texts
    assert ".venv/bin/snakemake --report report.html" in texts
    assert {program(command) for command in COMMANDS} == {"make", "snakemake", "python"}, "a new kind of command"
    assert {program(command) for command in SHOWN} - {"make", "snakemake", "python"} == CLUSTER_ONLY_PROGRAMS


def test_long_commands_are_told_from_quick_ones():
    assert is_long(shlex.split(".venv/bin/snakemake --cores 2 --configfile=my.yaml results/myexp/benchmarks.csv"))
    assert is_long(shlex.split(".venv/bin/snakemake --profile profiles/slurm"))
    assert is_long(shlex.split(".venv/bin/snakemake --profile profiles/slurm --config 'default_experiments=[x]'"))
    assert not is_long(shlex.split(".venv/bin/snakemake --cores 2 --report report.html"))
    assert not is_long(shlex.split(".venv/bin/snakemake --profile profiles/local --cores 2"))


def test_a_bare_configfile_before_targets_fails_as_the_readme_warns(copies):
    """Why the README writes --configfile=my.yaml: without `=` the target is read as a config file."""
    process = run_shell(
        ".venv/bin/snakemake --cores 2 --configfile my.yaml results/myexp/benchmarks.csv -n", copies["shipped"]
    )
    assert process.returncode != 0 and "No such file or directory: 'results/myexp/benchmarks.csv'" in process.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: f"{command.where} {command.text}")
def test_shown_command_works_as_written(command, copies):
    words = command.words
    if program(command) == "python":
        check_python_script(command, copies["quick"])
        return
    if words[0] == "make":
        assert len(words) == 2, f"{command.where}: `{command.text}`: one make target expected"
        for recipe_command in make_recipe_commands(words[1], copies["quick"]):
            check_snakemake(recipe_command, copies, f"{command.where} (make {words[1]})")
        return
    check_snakemake(command.text, copies, command.where)
