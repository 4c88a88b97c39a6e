"""End to end on German: a corpus with `tokenizer: unicode` and German evaluation files.

The corpus is generated here: sentences drawn (fixed seed) from a small German lexicon whose words
carry umlauts and ß, written in mixed case, some with the umlaut as a combining diaeresis. The
German evaluation files are written here too: a similarity table as hyperhyper ships them (byte
order mark, comment, header line, capitalised nouns, one pair out of the vocabulary) and analogies
in the Google format. A user's config is merged over config.yaml, so the default English benchmark
keys are pointed at these files too: nothing is downloaded, and the Google-format file also goes
through the paper's pair protocol.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, run_snakemake

pytestmark = pytest.mark.slow

# (word as written in the text, the token the unicode tokenizer makes of it)
LEXICON = {
    "König": "könig",
    "Königin": "königin",
    "Mann": "mann",
    "Frau": "frau",
    "Junge": "junge",
    "Mädchen": "mädchen",
    "Bruder": "bruder",
    "Schwester": "schwester",
    "Straße": "strasse",
    "Brücke": "brücke",
    "Fluss": "fluss",
    "Öl": "öl",
    "über": "über",
    "schön": "schön",
    "grün": "grün",
    "Käse": "käse",
}
FILLER = ["der", "die", "das", "und", "ist", "sehr", "am", "im"]

SIMILARITY = (
    "\ufeff# hyperhyper-eval: 1\n"
    "Wort1\tWort2\tWert\n"
    "König\tKönigin\t9\n"
    "Mann\tFrau\t8\n"
    "STRASSE\tBrücke\t5\n"
    "Öl\tKäse\t1\n"
    "schön\tgrün\t3\n"
    "Mädchen\tGebäck\t2\n"  # Gebäck is not in the corpus
)
ANALOGIES = ": familie\nMann Frau König Königin\nJunge Mädchen Bruder Schwester\nMann Frau Junge Mädchen\n"


def spelled(word: str, rng: np.random.Generator) -> str:
    """The word in capitals (Straße -> STRASSE) one time in ten, else with its umlauts decomposed
    into a letter and a combining diaeresis one time in five, else as written."""
    if rng.random() < 0.1:
        return word.upper()
    return unicodedata.normalize("NFD", word) if rng.random() < 0.2 else word


def german_text(seed: int = 0, documents: int = 40, sentences: int = 30) -> str:
    rng = np.random.default_rng(seed)
    words = list(LEXICON)
    paragraphs = []
    for _ in range(documents):
        lines = []
        for _ in range(sentences):
            chosen = rng.choice(words, 3).tolist() + rng.choice(FILLER, 3).tolist()
            rng.shuffle(chosen)
            lines.append(" ".join(spelled(word, rng) for word in chosen) + ".")
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) + "\n"


@pytest.fixture(scope="module")
def german_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("german")
    (workdir / "german.txt").write_text(german_text(), encoding="utf-8")
    (workdir / "de_sim.tsv").write_text(SIMILARITY, encoding="utf-8")
    (workdir / "de_analogies.txt").write_text(ANALOGIES, encoding="utf-8")
    analogies, similarity = str(workdir / "de_analogies.txt"), str(workdir / "de_sim.tsv")
    defaults = yaml.safe_load((ROOT / "config.yaml").read_text())["benchmarks"]
    config = {
        "default_experiments": ["deutsch"],
        "corpora": {"deutsch": {"source": "local", "path": str(workdir / "german.txt"), "tokenizer": "unicode"}},
        "benchmarks": {
            "analogies": analogies,
            "analogy_sets": {**dict.fromkeys(defaults["analogy_sets"], analogies), "de": analogies},
            "similarity": {**dict.fromkeys(defaults["similarity"], similarity), "de_sim": similarity},
        },
        "experiments": {
            "deutsch": {
                "corpus": "deutsch",
                "vocab_size": len(LEXICON) + len(FILLER),
                "window": 3,
                "dim": 6,
                "models": ["mstar"],
            }
        },
    }
    (workdir / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    process = run_snakemake(workdir, "results/deutsch/benchmarks.csv", "results/deutsch/summary.md", timeout=600)
    assert process.returncode == 0, process.stderr[-5000:]
    assert not (workdir / "resources" / "benchmarks").exists()
    return workdir


def test_accented_words_survive_into_the_vocabulary(german_run: Path) -> None:
    vocab = pd.read_csv(
        german_run / "results" / "deutsch" / "vocab.tsv", sep="\t", header=None, names=["word", "count"]
    )
    words = set(vocab["word"])
    assert set(LEXICON.values()) <= words
    # Upper-case and decomposed spellings were folded into the same token, not split at the umlaut.
    assert not words & {"k", "nig", "m", "dchen", "stra", "br", "cke"}
    text = unicodedata.normalize("NFC", (german_run / "german.txt").read_text(encoding="utf-8"))
    assert vocab.set_index("word").loc["mädchen", "count"] == text.count("Mädchen") + text.count("MÄDCHEN")
    provenance = yaml.safe_load((german_run / "resources" / "corpora" / "deutsch" / "provenance.json").read_text())
    assert provenance["tokenizer"] == "unicode"


def test_german_scores_are_computed(german_run: Path) -> None:
    table = pd.read_csv(german_run / "results" / "deutsch" / "benchmarks.csv")
    german = table[table["benchmark"].isin(["analogy_de", "analogy_de_3cosmul", "de_sim"])].set_index(
        ["model", "benchmark"]
    )
    assert len(german) == 3
    assert german["score"].notna().all()
    assert (german.xs("de_sim", level="benchmark")["n"] == 5).all()
    assert german.xs("de_sim", level="benchmark")["coverage"].tolist() == pytest.approx([5 / 6])
    assert (german.xs("analogy_de", level="benchmark")[["n", "coverage"]].to_numpy() == [3, 1.0]).all()
    # The pair protocol on the German file: 4 distinct pairs, 4 x 3 ordered pairs of pairs.
    pair = table[table["benchmark"] == "analogy"]
    assert (pair["n"] == 12).all() and pair["score"].notna().all()
    summary = (german_run / "results" / "deutsch" / "summary.md").read_text(encoding="utf-8")
    assert "| de_sim | spearman | 5 | 83.3% |" in summary
