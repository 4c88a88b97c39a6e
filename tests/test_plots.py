"""Every figure from a synthetic experiment directory in the workflow's file formats: the plotted
data carries the quantity the figure claims, and the image files are non-empty and open."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from w2vtheory.paper import paper_score  # noqa: E402
from w2vtheory.plots import (  # noqa: E402
    feature_atlas,
    fig1_dynamics,
    fig2_singular_values,
    fig3_directions,
    fig3_table,
    fig4_task_vectors,
    fig5_overlap,
    fig7_ablation,
    fig8_analogy_cosines,
    spectra,
    style,
)
from w2vtheory.theory import singular_value_theory, tau  # noqa: E402

V, D, N_EIG = 80, 4, 40
EIGVALS = np.concatenate([[4.0, 3.0, 2.0, 1.5], np.geomspace(1.0, 0.01, N_EIG - 4)])
S0 = 1e-6
CATEGORIES = ("gram7-past-tense", "family")


@pytest.fixture(autouse=True)
def low_resolution(monkeypatch):
    """Rendering dominates the test time; the images only need to exist and open."""
    monkeypatch.setattr(style, "DPI", 40)


def words() -> list[str]:
    return [f"w{i:02d}" for i in range(V)]


def write_run(directory: Path, eigvecs: np.ndarray, seed: int) -> None:
    """A run that follows the theory exactly, its W rotated by a random orthogonal matrix."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True)
    taus = tau(EIGVALS[:D], S0)
    times = np.linspace(0, 2.0 * taus[-1], 60)
    steps = np.arange(len(times)) * 100
    values = singular_value_theory(times, EIGVALS[:D], S0)
    rotation, _ = np.linalg.qr(rng.standard_normal((D, D)))
    pd.DataFrame({"step": steps, "time": times, "analogy_accuracy": 0.1}).to_csv(directory / "evaluations.csv", index=False)
    np.save(directory / "singular_values.npy", values)
    loss = 1 - np.sum(2 * EIGVALS[:D] * values**2 - values**4, axis=1) / (2 * np.sum(EIGVALS**2))
    trace = pd.DataFrame({"step": steps, "time": times, "lr": 1.0, "loss": -loss, "loss_normalised": loss})
    trace.to_csv(directory / "trace.csv", index=False)
    trace[["step", "time", "loss_normalised"]].to_csv(directory / "theory_loss.csv", index=False)
    theory = pd.DataFrame(
        {
            "step": np.repeat(steps, D),
            "time": np.repeat(times, D),
            "mode": np.tile(np.arange(1, D + 1), len(steps)),
            "singular_value": values.reshape(-1),
        }
    )
    theory.to_csv(directory / "theory.csv", index=False)
    checkpoint_rows = []
    (directory / "checkpoints").mkdir()
    for position in range(0, len(steps), 3):
        name = f"checkpoints/W_{steps[position]}.npy"
        np.save(directory / name, eigvecs[:, :D] * values[position] @ rotation)
        checkpoint_rows.append({"step": steps[position], "time": times[position], "file": name})
    pd.DataFrame(checkpoint_rows).to_csv(directory / "checkpoints.csv", index=False)
    np.save(directory / "W.npy", eigvecs[:, :D] * values[-1] @ rotation)
    (directory / "run.json").write_text(json.dumps({"tau": taus.tolist(), "s0": S0}))


def build_experiment(root: Path) -> Path:
    """results/<experiment>/ with the vocabulary, four spectra, four runs, analogy questions and
    benchmarks.csv, in the workflow's formats."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    (root / "vocab.tsv").write_text("".join(f"{w}\t{1000 - i}\n" for i, w in enumerate(words())))
    spectrum = root / "spectrum"
    spectrum.mkdir()
    eigvecs, _ = np.linalg.qr(rng.standard_normal((V, N_EIG)))
    # plant a shared offset for the past-tense pairs (w00..w09 -> w40..w49) along eigenvector 2
    for matrix, scale in (("mstar", 1.0), ("pmi", 2.0), ("ppmi", 1.5), ("pair_weight", 0.01)):
        np.save(spectrum / f"{matrix}_eigvals.npy", EIGVALS * scale - (0.05 if matrix == "pmi" else 0.0))
        np.save(spectrum / f"{matrix}_eigvecs.npy", eigvecs)
    for name, seed in (("qwem", 1), ("sgns", 2), ("qwem-large", 3), ("sgns-large", 4)):
        write_run(root / "runs" / name, eigvecs, seed)
    questions = [": gram7-past-tense"] + [f"w{i:02d} w{i + 40:02d} w{i + 1:02d} w{i + 41:02d}" for i in range(0, 10, 2)]
    questions += [": family"] + [f"w{i:02d} w{i + 40:02d} w{i + 1:02d} w{i + 41:02d}" for i in range(20, 30, 2)]
    (root / "questions-words.txt").write_text("\n".join(questions) + "\n")
    rows = [
        {"model": model, "benchmark": benchmark, "score": score, "n": 100}
        for model in ("mstar", "ppmi", "sgns", "qwem-extra")
        for benchmark, score in (("analogy", 0.5), ("men", 0.6), ("ws353", 0.55), ("simlex", 0.3))
    ]
    pd.DataFrame(rows).to_csv(root / "benchmarks.csv", index=False)
    return root


@pytest.fixture(scope="module")
def experiment(tmp_path_factory) -> Path:
    return build_experiment(tmp_path_factory.mktemp("experiment"))


def outputs(tmp_path: Path, name: str) -> dict[str, str]:
    return {kind: str(tmp_path / f"{name}.{kind}") for kind in ("pdf", "png", "csv")}


def assert_images(paths: dict[str, str]) -> None:
    for kind in ("pdf", "png"):
        assert Path(paths[kind]).stat().st_size > 1000
    image = mpimg.imread(paths["png"])
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert Path(paths["pdf"]).read_bytes().startswith(b"%PDF")


def test_fig1_dynamics_snapshots_have_one_two_three_learned_modes(experiment, tmp_path):
    paths = outputs(tmp_path, "fig1")
    runs = {"qwem": experiment / "runs/qwem", "sgns": experiment / "runs/sgns"}
    fig1_dynamics.write_dynamics(runs, experiment / "vocab.tsv", **paths)
    assert_images(paths)
    data = pd.read_csv(paths["csv"])
    assert set(data["panel"]) == {"loss", "singular_values", "snapshot"}
    assert set(data.loc[data["source"] == "theory", "model"]) == {"qwem"}
    loss = data[(data["panel"] == "loss") & (data["source"] == "measured")]
    assert loss["value"].iloc[0] == pytest.approx(1.0, abs=1e-6)
    # the snapshots are taken when 1, 2 and 3 modes are learned
    snapshots = data[(data["panel"] == "snapshot") & (data["model"] == "qwem")]
    steps = sorted(snapshots["step"].unique())
    evaluations = pd.read_csv(experiment / "runs/qwem/evaluations.csv")
    values = np.load(experiment / "runs/qwem/singular_values.npy")[evaluations["step"].isin(steps).to_numpy()]
    assert fig1_dynamics.learned_modes(values, np.sqrt(EIGVALS[:D])).tolist() == [1, 2, 3]
    # ... and the projection's spread grows one direction at a time
    length = snapshots.groupby(["step", "mode"])["value"].apply(np.linalg.norm).unstack().to_numpy()
    np.testing.assert_allclose(length, values[:, :3], rtol=1e-9)
    assert data["labelled"].any()


def test_fig2_theory_curve_ends_at_sqrt_eigenvalue(experiment, tmp_path):
    paths = outputs(tmp_path, "fig2")
    inits = {
        "small_init": {"qwem": experiment / "runs/qwem", "sgns": experiment / "runs/sgns"},
        "large_init": {"qwem": experiment / "runs/qwem-large", "sgns": experiment / "runs/sgns-large"},
    }
    fig2_singular_values.write_singular_values(inits, **paths)
    assert_images(paths)
    data = pd.read_csv(paths["csv"])
    theory = data[(data["model"] == "theory") & (data["init"] == "small_init")]
    final = theory[theory["step"] == theory["step"].max()].sort_values("mode")["singular_value"]
    np.testing.assert_allclose(final, np.sqrt(EIGVALS[:D]), rtol=1e-3)
    # time is in units of tau_1: mode 1 crosses half its final value near t = tau_1
    mode1 = theory[theory["mode"] == 1]
    crossing = mode1.loc[mode1["singular_value"] > 0.5 * np.sqrt(EIGVALS[0]), "t_over_tau1"].iloc[0]
    assert 0.8 < crossing < 1.2
    assert set(data["model"]) == {"sgns", "qwem", "theory"}


def test_fig7_ablation_orders_roles(experiment, tmp_path):
    paths = outputs(tmp_path, "fig7")
    runs = {"qwem": experiment / "runs/qwem", "sgns": experiment / "runs/sgns", "quartic": experiment / "runs/qwem-large"}
    fig7_ablation.write_ablation(runs, **paths)
    assert_images(paths)
    data = pd.read_csv(paths["csv"])
    assert list(dict.fromkeys(data["role"])) == ["sgns", "quartic", "qwem"]
    assert set(data.loc[data["source"] == "theory", "role"]) == {"qwem"}


def test_fig3_directions_lists_words_at_both_ends(experiment, tmp_path):
    paths = outputs(tmp_path, "fig3")
    trained = {"sgns": experiment / "runs/sgns-large/W.npy", "qwem": experiment / "runs/qwem-large/W.npy"}
    fig3_directions.write_directions(trained, experiment / "spectrum/ppmi_eigvecs.npy", experiment / "vocab.tsv", **paths)
    assert_images(paths)
    data = pd.read_csv(paths["csv"])
    assert list(dict.fromkeys(data["model"])) == ["sgns", "qwem", "ppmi"]
    eigvecs = np.load(experiment / "spectrum/ppmi_eigvecs.npy")
    first = data[(data["model"] == "ppmi") & (data["component"] == 1)]
    assert first.loc[first["end"] == "top", "word"].iloc[0] == words()[int(np.argmax(eigvecs[:, 0]))]
    assert first.loc[first["end"] == "bottom", "word"].iloc[0] == words()[int(np.argmin(eigvecs[:, 0]))]
    # a trained model learned the same subspace: its top direction is +-M*'s first eigenvector
    sgns_first = data[(data["model"] == "sgns") & (data["component"] == 1) & (data["end"] == "top")]
    ppmi_ends = set(first["word"])
    assert set(sgns_first["word"]) <= ppmi_ends


def test_fig3_table_difference_is_ours_minus_paper(experiment, tmp_path):
    paths = outputs(tmp_path, "table")
    markdown = tmp_path / "table.md"
    fig3_table.write_table(experiment / "benchmarks.csv", "offline", 5000, 100, 16, paths["csv"], str(markdown), paths["pdf"], paths["png"])
    assert_images(paths)
    table = pd.read_csv(paths["csv"])
    np.testing.assert_allclose(table["difference"], table["ours"] - table["paper"])
    row = table[(table["model"] == "mstar") & (table["benchmark"] == "analogy")].iloc[0]
    assert row["ours"] == pytest.approx(50.0) and row["paper"] == pytest.approx(100 * paper_score("mstar", "analogy"))
    assert table.loc[table["model"] == "qwem-extra", "paper"].isna().all()
    assert table.loc[table["benchmark"] == "simlex", "paper"].isna().all()
    assert (table["corpus"] == "offline").all() and (table["paper_corpus"] == "enwiki500").all()
    text = markdown.read_text()
    assert "corpus offline, V = 5,000, d = 100" in text and "enwiki500" in text and "+(-16.3)" not in text
    assert "-16.3" in text  # 50.0 - 66.3


def test_fig5_overlap_rows_sum_at_most_one(experiment, tmp_path):
    paths = outputs(tmp_path, "fig5")
    fig5_overlap.write_overlap(
        experiment / "runs/sgns-large/W.npy", experiment / "runs/qwem-large/W.npy", experiment / "spectrum/ppmi_eigvecs.npy", **paths
    )
    assert_images(paths)
    data = pd.read_csv(paths["csv"])
    assert data["overlap"].between(0, 1 + 1e-12).all()
    row_sums = data.groupby(["comparison", "i"])["overlap"].sum()
    assert (row_sums <= 1 + 1e-9).all()
    # both runs learned M*'s top-D subspace: the overlap with QWEM is the identity up to order
    qwem = data[data["comparison"] == "qwem"].pivot(index="i", columns="j", values="overlap").to_numpy()
    np.testing.assert_allclose(qwem, np.eye(D), atol=1e-6)


def test_spectra_keep_every_eigenvalue(experiment, tmp_path):
    paths = outputs(tmp_path, "spectra")
    names = ("mstar", "pmi", "ppmi", "pair_weight")
    spectra.write_spectra({name: experiment / f"spectrum/{name}_eigvals.npy" for name in names}, **paths)
    assert_images(paths)
    data = pd.read_csv(paths["csv"])
    assert data.groupby("matrix").size().to_dict() == dict.fromkeys(names, N_EIG)
    assert (data["eigenvalue"] <= 0).any()  # negative PMI eigenvalues are kept in the data


def test_feature_atlas_figure(experiment, tmp_path):
    paths = outputs(tmp_path, "atlas")
    feature_atlas.write_feature_atlas(
        experiment / "spectrum/mstar_eigvals.npy", experiment / "spectrum/mstar_eigvecs.npy", experiment / "vocab.tsv", S0, 5, **paths
    )
    assert_images(paths)
    atlas = pd.read_csv(paths["csv"])
    assert atlas["component"].nunique() == 5
    np.testing.assert_allclose(atlas.drop_duplicates("component")["tau"], tau(EIGVALS[:5], S0))


def mstar_inputs(experiment: Path) -> dict[str, Path]:
    return {
        "eigvals": experiment / "spectrum/mstar_eigvals.npy",
        "eigvecs": experiment / "spectrum/mstar_eigvecs.npy",
        "vocab": experiment / "vocab.tsv",
        "questions": experiment / "questions-words.txt",
    }


def test_fig4_task_vectors(experiment, tmp_path):
    common = mstar_inputs(experiment)
    paths4 = outputs(tmp_path, "fig4")
    fig4_task_vectors.write_task_vectors(**common, category=CATEGORIES[0], sweep_categories=CATEGORIES[1:],
                                         spectrum_dims=[8, 16, 32, 128], **paths4)
    assert_images(paths4)
    data = pd.read_csv(paths4["csv"])
    assert sorted(data.loc[data["panel"] == "spectrum", "dim"].unique()) == [8, 16, 32]
    sweep = data[data["panel"] == "sweep"]
    assert sorted(sweep["dim"].unique()) == [4, 8, 16, 32, 40]  # capped at the computed eigenpairs
    assert set(sweep["category"]) == set(CATEGORIES)
    assert sweep.loc[sweep["series"] == "accuracy", "y"].between(0, 1).all()
    share = data[data["panel"] == "localisation"]
    assert share["y"].sum() == pytest.approx(1.0)


def test_fig6_task_vectors_more(experiment, tmp_path):
    common = mstar_inputs(experiment)
    paths6 = outputs(tmp_path, "fig6")
    fig4_task_vectors.write_task_vectors_more(**common, categories=CATEGORIES, spectrum_dims=[8, 16], **paths6)
    assert_images(paths6)
    assert set(pd.read_csv(paths6["csv"])["category"]) == set(CATEGORIES)


def test_fig8_analogy_cosines(experiment, tmp_path):
    common = mstar_inputs(experiment)
    paths8 = outputs(tmp_path, "fig8")
    fig8_analogy_cosines.write_cosines(**common, categories=CATEGORIES, **paths8)
    assert_images(paths8)
    cosines = pd.read_csv(paths8["csv"])
    assert cosines.loc[cosines["series"] == "mean_target_cosine", "value"].between(-1, 1).all()
    assert (cosines["n_analogies"] == 10 * 9).all()
